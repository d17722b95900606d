package dev.bptt.bench.training;

import dev.bptt.bench.KernelBenchmark;
import dev.bptt.bench.tasks.AddingProblem;
import dev.bptt.bench.tasks.TaskBatch;
import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Trainer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Does the training layer cost anything beside the recurrent kernels? One full training step on the
 * adding problem (T = 100, H = 128, B = 32, one layer + linear readout, squared error at the last
 * step): forward, loss, full BPTT, ‖g‖₂, global-norm clip at θ = 1 (strict rule), Adam update
 * ({@link Trainer#step}), against the forward + backward pass alone ({@link BpttRunner#run}) on the
 * same batch, per cell, and for the LSTM also with layer normalization. The batch is drawn once
 * (data generation is the caller's, not the step's); the parameters move under Adam, which does not
 * change the cost.
 */
@State(Scope.Benchmark)
public class TrainingStepBenchmark extends KernelBenchmark {
  /** Sequence length. */
  public static final int T = 100;

  /** Hidden units. */
  public static final int H = 128;

  /** Sequences per batch. */
  public static final int B = 32;

  @Param({"ELMAN", "GRU", "LSTM"})
  public CellType cell;

  /** With layer normalization of the recurrent pre-activation (γ = 1, β = 0). */
  @Param({"false", "true"})
  public boolean layerNorm;

  private Trainer trainer;
  private SequenceBatch seq;
  private BpttRunner runner;
  private BpttRunner checkedRunner;
  private BpttWorkspace ws;
  private float[] params;
  private float[] grads;

  /** The network of a cell: input 2 (the adding problem's channels), H units, one output. */
  public static StackedRnn network(CellType cell, boolean layerNorm) {
    StackedRnn net =
        switch (cell) {
          case ELMAN -> StackedRnn.elman(2, H, Activation.TANH).withReadout(1);
          case GRU -> StackedRnn.gru(2, H).withReadout(1);
          case LSTM -> StackedRnn.lstm(2, H).withReadout(1);
        };
    return layerNorm ? net.withLayerNorm() : net;
  }

  @Setup
  public void setup() {
    StackedRnn net = network(cell, layerNorm);
    SplittableRandom rng = new SplittableRandom(97);
    params = net.initialParameters(rng); // PyTorch's U(−1/√H, 1/√H), layer norm γ = 1, β = 0
    AddingProblem task = new AddingProblem();
    TaskBatch batch = task.newBatch(T, B);
    task.fill(batch, rng);
    seq = task.sequence(net, batch);
    SequenceShape shape = SequenceShape.steps(T).batch(B);
    trainer =
        Trainer.builder(net, params.clone(), Adam.of(1e-3))
            .shape(shape)
            .clip(Trainer.Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.STRICT), 1)
            .build();
    runner = new BpttRunner(net);
    checkedRunner = runner.withNonFiniteCheck(NonFinitePolicy.THROW);
    ws = new BpttWorkspace(net, shape, BpttStrategy.full());
    grads = new float[net.parameterCount()];
    // Agreement: the trainer's gradient before its first update is the runner's, bit for bit.
    double loss = trainer.step(seq);
    double direct = forwardBackward();
    if (loss != direct) {
      throw new IllegalStateException(cell + ": trainer loss " + loss + " != runner " + direct);
    }
    float[] unchecked = grads.clone();
    double checked = forwardBackwardChecked();
    if (checked != direct || !Arrays.equals(unchecked, grads)) {
      throw new IllegalStateException(cell + ": the checked pass differs from the unchecked one");
    }
    if (!Double.isFinite(trainer.lastNorm())) {
      throw new IllegalStateException(cell + ": non-finite gradient norm");
    }
  }

  /** One training step: forward, loss, backward, norm, clip, Adam. */
  @Benchmark
  public double trainingStep() {
    return trainer.step(seq);
  }

  /** Forward + full BPTT alone (gradient zeroed first, as the trainer does). */
  @Benchmark
  public double forwardBackward() {
    Arrays.fill(grads, 0f);
    return runner.run(BpttStrategy.full(), params, grads, seq, ws);
  }

  /**
   * The same forward + full BPTT with the non-finite check on (THROW): the states, the loss and the
   * gradient scanned for NaN/±∞, the gradient snapshot taken before the pass. Measured beside
   * {@link #forwardBackward()} in the same run: the check's cost.
   */
  @Benchmark
  public double forwardBackwardChecked() {
    Arrays.fill(grads, 0f);
    return checkedRunner.run(BpttStrategy.full(), params, grads, seq, ws);
  }
}
