package dev.bptt.kernel.training;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorSet;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.OptimizerSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A first-order optimizer as ONE fused pass over flat buffers: the parameters θ, their gradient g
 * and the {@link OptimizerState} buffers, all n floats in the same layout (e.g. a {@link
 * dev.bptt.kernel.rnn.StackLayout}'s), with PyTorch's update formulas ({@link Sgd}, {@link Adam}
 * and AdamW, {@link RmsProp}).
 *
 * <p>An optimizer is an immutable value (configure it with the {@code with…} copies and share it);
 * its state is caller-owned. A step allocates nothing, is deterministic (one pass, element by
 * element; the Vector API and scalar twins perform the same float operations and agree bitwise) and
 * checks every argument before it writes anything.
 *
 * <p><b>Penalties</b>, common to every optimizer and applied to the entries that are not exempt
 * (see {@link #withoutDecay(TensorSet)}), with γ the learning rate of the step and sgn(0) = 0:
 *
 * <ul>
 *   <li>L2 ({@link #withWeightDecay}, PyTorch's {@code weight_decay}): g ← g + λ·θ;
 *   <li>L1 ({@link #withL1}, the gradient of λ₁·Σ|θ|): g ← g + λ₁·sgn(θ);
 *   <li>decoupled weight decay ({@link #withDecoupledWeightDecay}, AdamW's): θ ← θ·(1 − γ·λ_d)
 *       before the update, which is computed from the old θ.
 * </ul>
 *
 * Both gradient penalties use θ before the step; the gradient array itself is never written. With
 * every penalty 0 the gradient is used as given (no 0·θ term, so a non-finite θ stays as PyTorch
 * leaves it). Non-finite gradients are not detected here: clip and watch them first ({@link
 * dev.bptt.kernel.clip.GradientClipper}, {@link dev.bptt.kernel.clip.ExplosionMonitor}).
 *
 * <p>Hyper-parameters are held in double and rounded to float once per step (as PyTorch rounds its
 * Python scalars for float32 tensors); the step-dependent factors (bias corrections, 1 − γλ) are
 * computed in double, then rounded.
 */
public abstract sealed class Optimizer permits Sgd, Adam, RmsProp {
  /** The kernels of the implementation chosen once per JVM. */
  static final OptimizerSupport KERNELS = VectorizationProvider.get().optimizers();

  final double lr;
  final double weightDecay;
  final double l1;
  final double decoupledWeightDecay;

  /** Exempt ranges as sorted, disjoint, non-adjacent [start, end) pairs. */
  final int[] exempt;

  Optimizer(double lr, double weightDecay, double l1, double decoupled, int[] exempt) {
    this.lr = lr;
    this.weightDecay = weightDecay;
    this.l1 = l1;
    this.decoupledWeightDecay = decoupled;
    this.exempt = exempt;
  }

  /** A copy of this optimizer with the common settings replaced. */
  abstract Optimizer copy(double lr, double weightDecay, double l1, double decoupled, int[] exempt);

  /** The names of the state buffers this configuration needs. */
  abstract String[] stateNames();

  /** Checks combinations of settings that the with… methods cannot see one at a time. */
  void checkConfig() {}

  /** Runs the kernel over [off, off + n), penalties on ({@code decay}) or off, at step t. */
  abstract void run(
      int off, int n, float[] p, float[] g, OptimizerState s, long t, double lr, boolean decay);

  // ---- common configuration ----

  /** The learning rate γ used by {@link #step(float[], float[], OptimizerState)}. */
  public double lr() {
    return lr;
  }

  /** The L2 penalty λ (PyTorch's coupled {@code weight_decay}). */
  public double weightDecay() {
    return weightDecay;
  }

  /** The L1 penalty λ₁. */
  public double l1() {
    return l1;
  }

  /** The decoupled weight decay λ_d (AdamW's {@code weight_decay}). */
  public double decoupledWeightDecay() {
    return decoupledWeightDecay;
  }

  /**
   * This optimizer with learning rate γ.
   *
   * @throws IllegalArgumentException if γ is negative, NaN or infinite
   */
  public Optimizer withLr(double lr) {
    return copy(checkHyper("lr", lr), weightDecay, l1, decoupledWeightDecay, exempt);
  }

  /**
   * This optimizer with the L2 penalty g ← g + λ·θ (PyTorch's {@code weight_decay} of SGD, Adam,
   * RMSprop).
   *
   * @throws IllegalArgumentException if λ is negative, NaN or infinite
   */
  public Optimizer withWeightDecay(double lambda) {
    return copy(lr, checkHyper("weightDecay", lambda), l1, decoupledWeightDecay, exempt);
  }

  /**
   * This optimizer with the L1 penalty g ← g + λ₁·sgn(θ).
   *
   * @throws IllegalArgumentException if λ₁ is negative, NaN or infinite
   */
  public Optimizer withL1(double lambda1) {
    return copy(lr, weightDecay, checkHyper("l1", lambda1), decoupledWeightDecay, exempt);
  }

  /**
   * This optimizer with decoupled weight decay θ ← θ·(1 − γ·λ_d) before each update (Loshchilov and
   * Hutter; {@code torch.optim.AdamW}'s {@code weight_decay}).
   *
   * @throws IllegalArgumentException if λ_d is negative, NaN or infinite
   */
  public Optimizer withDecoupledWeightDecay(double lambda) {
    return copy(lr, weightDecay, l1, checkHyper("decoupledWeightDecay", lambda), exempt);
  }

  /**
   * This optimizer with every penalty (L2, L1, decoupled decay) switched off on the entries of the
   * given views, in addition to those already exempt: the usual "no weight decay on biases and
   * norms" (see {@link #biases(TensorGroup)}). Only the views' offsets and lengths are kept: they
   * must describe the layout of the parameter array passed to {@link #step}; their ranges must lie
   * within the n parameters of each step (checked per step).
   *
   * @throws NullPointerException if views is null
   */
  public Optimizer withoutDecay(TensorSet views) {
    Checks.notNull("views", views);
    List<int[]> ranges = new ArrayList<>();
    for (int i = 0; i < exempt.length; i += 2) {
      ranges.add(new int[] {exempt[i], exempt[i + 1]});
    }
    for (int i = 0; i < views.viewCount(); i++) {
      TensorView v = views.view(i);
      if (v.length() > 0) {
        ranges.add(new int[] {v.offset(), v.offset() + v.length()});
      }
    }
    ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
    int[] merged = new int[2 * ranges.size()];
    int k = 0;
    for (int[] r : ranges) {
      if (k > 0 && r[0] <= merged[k - 1]) {
        merged[k - 1] = Math.max(merged[k - 1], r[1]);
      } else {
        merged[k++] = r[0];
        merged[k++] = r[1];
      }
    }
    return copy(lr, weightDecay, l1, decoupledWeightDecay, Arrays.copyOf(merged, k));
  }

  /** This optimizer with no exempt entries: every penalty applies everywhere. */
  public Optimizer withDecayEverywhere() {
    return copy(lr, weightDecay, l1, decoupledWeightDecay, new int[0]);
  }

  /** The exempt ranges as sorted, disjoint [start, end) pairs {s₀, e₀, s₁, e₁, …} (a copy). */
  public int[] exemptRanges() {
    return exempt.clone();
  }

  /**
   * The bias views of a group: those whose name, after its last '.', starts with {@code bias} (as
   * PyTorch's {@code bias_ih_l0}, {@code fc.bias}) or {@code b_} (as {@link
   * dev.bptt.kernel.rnn.RnnLayout}'s {@code b_h}, {@code b_y}); for {@link #withoutDecay}.
   */
  public static TensorGroup biases(TensorGroup views) {
    Checks.notNull("views", views);
    List<TensorView> out = new ArrayList<>();
    for (TensorView v : views.views()) {
      String local = v.name().substring(v.name().lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
      if (local.startsWith("bias") || local.startsWith("b_")) {
        out.add(v);
      }
    }
    return TensorGroup.of(out);
  }

  // ---- state and steps ----

  /**
   * A fresh state for n parameters: zero buffers (as many as this configuration needs), t = 0.
   *
   * @throws IllegalArgumentException if n &lt; 0
   */
  public OptimizerState newState(int n) {
    Checks.nonNegative("n", n);
    return new OptimizerState(n, stateNames());
  }

  /**
   * One step with this optimizer's learning rate; see {@link #step(float[], float[],
   * OptimizerState, double)}.
   */
  public void step(float[] params, float[] grads, OptimizerState state) {
    step(params, grads, state, lr);
  }

  /**
   * One step with learning rate γ (e.g. {@code schedule.lr(epoch)}): t ← t + 1, then every entry of
   * θ and of the state buffers is updated once, in one pass. The gradient is read only.
   *
   * @param params θ, n = {@code state.size()} floats, updated in place
   * @param grads g, n floats, a different array
   * @param state the state made by {@link #newState} of an optimizer with the same buffers
   * @param lr γ ≥ 0, finite
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the lengths differ from n, params and grads are the same
   *     array, the state's buffers are not this optimizer's, γ is invalid, an exempt range lies
   *     beyond n or the settings conflict; nothing is written then
   */
  public void step(float[] params, float[] grads, OptimizerState state, double lr) {
    Checks.notNull("params", params);
    Checks.notNull("grads", grads);
    Checks.notNull("state", state);
    checkHyper("lr", lr);
    int n = state.size();
    if (params.length != n) {
      throw new IllegalArgumentException(
          "params has length " + params.length + " but the state was made for n=" + n);
    }
    if (grads.length != n) {
      throw new IllegalArgumentException(
          "grads has length " + grads.length + " but the state was made for n=" + n);
    }
    if (params == grads) {
      throw new IllegalArgumentException("params and grads must be different arrays");
    }
    String[] want = stateNames();
    if (state.names() != want && !Arrays.equals(state.names(), want)) {
      throw new IllegalArgumentException(
          "state has buffers "
              + state.bufferNames()
              + " but this optimizer needs "
              + Arrays.toString(want));
    }
    for (int i = 0; i < state.bufferCount(); i++) {
      float[] b = state.raw(i);
      if (b == params || b == grads) {
        throw new IllegalArgumentException(
            "state buffer '" + state.bufferName(i) + "' is the params or grads array");
      }
    }
    if (exempt.length > 0 && exempt[exempt.length - 1] > n) {
      throw new IllegalArgumentException(
          "an exempt (no-decay) range ends at "
              + exempt[exempt.length - 1]
              + ", beyond the n="
              + n
              + " parameters");
    }
    checkConfig();
    long t = state.step() + 1;
    int pos = 0;
    for (int i = 0; i < exempt.length; i += 2) {
      if (exempt[i] > pos) {
        run(pos, exempt[i] - pos, params, grads, state, t, lr, true);
      }
      run(exempt[i], exempt[i + 1] - exempt[i], params, grads, state, t, lr, false);
      pos = exempt[i + 1];
    }
    if (pos < n) {
      run(pos, n - pos, params, grads, state, t, lr, true);
    }
    state.advance();
  }

  // ---- helpers for the subclasses ----

  /** keep = 1 − γ·λ_d on decayed entries, else 1. */
  final float keep(double lr, boolean decay) {
    return decay ? (float) (1 - lr * decoupledWeightDecay) : 1f;
  }

  final float l2(boolean decay) {
    return decay ? (float) weightDecay : 0f;
  }

  final float l1(boolean decay) {
    return decay ? (float) l1 : 0f;
  }

  /**
   * A rate or coefficient: finite, ≥ 0 and at most {@link Float#MAX_VALUE}, since the fused passes
   * compute in float (a larger finite double would become +∞ there and write ±∞ or NaN).
   */
  static double checkHyper(String name, double value) {
    if (!(value >= 0 && value <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException(
          name + " must be finite, >= 0 and at most Float.MAX_VALUE, got " + value);
    }
    return value;
  }

  static double checkUnit(String name, double value, boolean oneAllowed) {
    if (!(value >= 0 && (oneAllowed ? value <= 1 : value < 1))) {
      throw new IllegalArgumentException(
          name + " must be in [0, 1" + (oneAllowed ? "]" : ")") + ", got " + value);
    }
    return value;
  }

  /** The common settings, for toString. */
  final String common() {
    return "lr="
        + lr
        + (weightDecay != 0 ? " weightDecay=" + weightDecay : "")
        + (l1 != 0 ? " l1=" + l1 : "")
        + (decoupledWeightDecay != 0 ? " decoupledWeightDecay=" + decoupledWeightDecay : "")
        + (exempt.length > 0 ? " exempt=" + Arrays.toString(exempt) : "");
  }
}
