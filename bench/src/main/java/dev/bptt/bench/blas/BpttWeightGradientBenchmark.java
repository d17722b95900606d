package dev.bptt.bench.blas;

import dev.bptt.bench.Agreement;
import dev.bptt.bench.Inputs;
import dev.bptt.bench.KernelBenchmark;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import java.util.Arrays;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The BPTT weight gradient dW += Δᵀ·H, with Δ and H holding one row per (time step, batch entry): K
 * = T·B rows of {@code hidden} floats each (2·hidden²·K FLOP). Does one {@code gemm(T, N)} over the
 * whole sequence beat K separate rank-1 updates ({@code ger} per step, the per-step way of
 * accumulating the same sum) by a wide margin? Both accumulate into dW (β = 1), as BPTT does.
 */
@State(Scope.Benchmark)
public class BpttWeightGradientBenchmark extends KernelBenchmark {
  @Param({"256"})
  public int hidden;

  /** K = T·B, the number of rows of Δ and H (time steps × batch). */
  @Param({"256"})
  public int steps;

  private float[] delta;
  private float[] states;
  private float[] dw;

  @Setup
  public void setup() {
    delta = Inputs.uniform(15, steps * hidden);
    states = Inputs.uniform(16, steps * hidden);
    dw = new float[hidden * hidden];
    // dWᵢⱼ = Σₜ δₜᵢ·hₜⱼ: K products and K adds onto 0 (β = 1, α = 1 exact), in whatever order and
    // grouping: γ_{K+1}·(|Δ|ᵀ|H|)ᵢⱼ, +1 for the reference.
    var ref = DoubleReference.gemm(true, hidden, hidden, steps, delta, states);
    Agreement.array(
        "dW=ΔᵀH hidden=" + hidden + " steps=" + steps,
        ref.value(),
        Agreement.scaled(Agreement.gamma(steps + 2), ref.magnitude()),
        dw,
        () -> Arrays.fill(dw, 0f),
        Map.of("gemmTN", this::gemmTN, "gerPerStep", this::gerPerStep));
  }

  @Benchmark
  public void gemmTN() {
    Blas.gemm(
        Transpose.T,
        Transpose.N,
        hidden,
        hidden,
        steps,
        1f,
        delta,
        0,
        hidden,
        states,
        0,
        hidden,
        1f,
        dw,
        0,
        hidden);
  }

  @Benchmark
  public void gerPerStep() {
    for (int t = 0; t < steps; t++) {
      Blas.ger(hidden, hidden, 1f, delta, t * hidden, states, t * hidden, dw, 0, hidden);
    }
  }
}
