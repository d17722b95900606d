package dev.bptt.bench.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bptt.kernel.rnn.CellType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The training-step benchmark's setup runs (its own agreement checks: the trainer's loss is the
 * runner's, the pass with the non-finite check on is bitwise the pass without) and the checked
 * benchmark method returns the unchecked one's loss; nothing is timed.
 */
class TrainingStepBenchmarkTest {
  @ParameterizedTest
  @EnumSource(CellType.class)
  void checkedPassAgreesWithTheUncheckedOne(CellType cell) {
    TrainingStepBenchmark b = new TrainingStepBenchmark();
    b.cell = cell;
    b.setup();
    assertEquals(b.forwardBackward(), b.forwardBackwardChecked());
  }
}
