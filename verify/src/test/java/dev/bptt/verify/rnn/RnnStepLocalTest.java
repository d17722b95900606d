package dev.bptt.verify.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases the global comparison must avoid: U(±1/√H) recurrent weights (ρ(|W_hh|) ≈ √H/2) and
 * ρ(W_hh) &gt; 1 over T = 100 with hidden sizes up to 67, where a componentwise bound propagated
 * from h_0 says nothing. Here every step of the kernel is checked against the exact step on its own
 * stored states ({@link RnnStepCheck}), which holds for any conditioning.
 */
class RnnStepLocalTest {

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = Seeds.base() + 3000;
    int[] batches = {1, 3, 8};
    Activation[] acts = Activation.values();
    for (int i = 0; i < 12; i++) {
      Gen g = new Gen(seed);
      Weights w = i % 3 == 2 ? Weights.EXPANDING : Weights.STANDARD;
      Loss loss = Loss.values()[i % 3];
      Spec spec = new Spec(acts[i % acts.length], w, loss, i % 2 == 0, i % 4 == 1);
      int o = i % 2 == 0 ? 0 : g.size(1, 33);
      int[] dims = {100, batches[i % 3], g.size(67), g.size(17, 67), o};
      cases.add(Arguments.of(seed++, spec, dims));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "seed={0} {1} dims={2}")
  @MethodSource("cases")
  void everyStepIsTheExactStepUpToRounding(long seed, Spec spec, int[] dims) {
    Shrink.check(
        seed,
        dims,
        d -> {
          RnnProblem p = RnnProblem.of(spec, d, seed);
          String m = RnnStepCheck.check(p, RnnHarness.runKernel(p, null));
          return m == null ? null : p + ": " + m;
        });
  }
}
