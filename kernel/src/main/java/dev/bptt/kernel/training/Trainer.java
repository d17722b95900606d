package dev.bptt.kernel.training;

import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.Arrays;
import java.util.Objects;

/**
 * An optional training loop over the pieces of this package and of {@code clip} and {@code bptt};
 * every piece stays usable on its own from a hand-written loop. One {@link #step(SequenceBatch)},
 * with θ the parameters (updated in place), g the trainer's gradient and L the sequence's loss:
 *
 * <ol>
 *   <li>g ← 0; L = forward with the sequence's loss callback, g = ∂L/∂θ by backward under the
 *       chosen {@link BpttStrategy} ({@link BpttRunner});
 *   <li>optional gradient scaling g ← s·g, then masking: the chosen views set to 0 (frozen);
 *   <li>N = ‖g‖₂, the pre-clip norm (recorded);
 *   <li>optional explosion check: an {@link ExplosionMonitor} observes N; with skip on, a spike, a
 *       non-finite N or a non-finite L skips the update (θ and the optimizer state unchanged);
 *   <li>optional clipping (global norm, per view, value or adaptive) under the clipper's rule and
 *       non-finite policy, a clip event recorded when the clipper reports {@link
 *       ClipResult#clipped()};
 *   <li>θ ← optimizer step with γ = schedule(i), i the 0-based index of this call (skipped calls
 *       count).
 * </ol>
 *
 * Records per step the loss, N and flags (clipped, skipped, non-finite) for the first {@code
 * history} steps.
 *
 * <p><b>Non-finite values.</b> A step whose L or N is NaN or ±∞ is flagged {@link #NON_FINITE}. The
 * monitor with skip on skips it ({@link #SKIPPED}). Otherwise the clipper's {@link
 * dev.bptt.kernel.clip.NonFinitePolicy} acts on a non-finite g: SKIP skips the update; THROW throws
 * {@link dev.bptt.kernel.clip.NonFiniteGradientException} with θ and the state unwritten and the
 * step not counted (the monitor has observed N already); ZERO updates with g = 0 (Adam's t
 * advances, decay applies) and PROPAGATE with g all NaN, neither a clip event. Without monitor skip
 * and clipping, a non-finite g reaches the optimizer and θ. A sequence's own non-finite check
 * ({@link SequenceBatch#nonFiniteCheck}) under SKIP or ZERO gives L = NaN and g = 0: only the
 * monitor's skip keeps the optimizer from stepping with that g.
 *
 * <p>Example (clip to ‖g‖ ≤ 1, Adam, full BPTT on batches of shape {@code shape}):
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(net, params, Adam.of(1e-3))
 *     .shape(shape)
 *     .clip(Trainer.Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.PYTORCH), 1.0)
 *     .build();
 * double loss = trainer.step(seq); // per batch
 * }</pre>
 *
 * After {@link Builder#build()} a step allocates nothing. Not thread-safe (the workspace may split
 * a step across a {@link BatchThreads} team).
 */
public final class Trainer {
  /** How the gradient is clipped. */
  public enum Clip {
    /** No clipping. */
    NONE,
    /**
     * {@link GradientClipper#clipGlobalNorm(dev.bptt.kernel.clip.TensorSet, double, ClipResult)} at
     * θ.
     */
    GLOBAL_NORM,
    /**
     * {@link GradientClipper#clipPerView(dev.bptt.kernel.clip.TensorSet, double, ClipResult)} at θ
     * for every view.
     */
    PER_VIEW,
    /** {@link GradientClipper#clipValue} at c. */
    VALUE,
    /**
     * {@link GradientClipper#clipAdaptive(dev.bptt.kernel.clip.TensorSet,
     * dev.bptt.kernel.clip.TensorSet, double, ClipResult)} at λ.
     */
    ADAPTIVE
  }

  /** Flag bit of {@link #flags(int)}: the clipper changed the gradient. */
  public static final int CLIPPED = 1;

  /** Flag bit of {@link #flags(int)}: the explosion check skipped the update. */
  public static final int SKIPPED = 2;

  /** Flag bit of {@link #flags(int)}: the loss or the pre-clip norm was NaN or ±∞. */
  public static final int NON_FINITE = 4;

  private final float[] params;
  private final float[] grads;
  private final float[] work;
  private final BpttStrategy strategy;
  private final BpttRunner runner;
  private final BpttWorkspace ws;
  private final Optimizer optimizer;
  private final OptimizerState state;
  private final LrSchedule schedule;
  private final GradientClipper clipper;
  private final Clip clip;
  private final double threshold;
  private final ExplosionMonitor monitor;
  private final boolean skipOnExplosion;
  private final float gradientScale;
  private final TensorView[] masked;
  private final TensorGroup gradViews;
  private final TensorGroup paramViews;
  private final ClipResult result = new ClipResult();
  private final float[] lossHistory;
  private final float[] normHistory;
  private final byte[] flagHistory;
  private int steps;
  private int clipEvents;
  private int skipped;
  private double lastLoss = Double.NaN;
  private double lastNorm = Double.NaN;

  private Trainer(Builder b) {
    RecurrentNetwork net = b.net;
    this.params = b.params;
    this.grads = new float[net.parameterCount()];
    this.work = new float[net.parameterCount()];
    this.strategy = b.strategy;
    this.runner = new BpttRunner(net);
    this.ws = new BpttWorkspace(net, b.capacity, b.strategy, b.threads);
    this.optimizer = b.optimizer;
    this.state = optimizer.newState(net.parameterCount());
    this.schedule = b.schedule != null ? b.schedule : LrSchedule.constant(optimizer.lr());
    this.clipper = b.clipper;
    this.clip = b.clip;
    this.threshold = b.threshold;
    this.monitor = b.monitor;
    this.skipOnExplosion = b.skip;
    this.gradientScale = (float) b.gradientScale;
    this.paramViews = views(net, params);
    this.gradViews = paramViews.on(grads);
    this.masked = new TensorView[b.maskedIndex.length];
    for (int i = 0; i < masked.length; i++) {
      masked[i] = gradViews.view(b.maskedIndex[i]);
    }
    this.lossHistory = new float[b.history];
    this.normHistory = new float[b.history];
    this.flagHistory = new byte[b.history];
  }

  /**
   * A builder for a network, its parameters θ (updated in place by every step) and an optimizer;
   * {@link Builder#shape(SequenceShape)} is required.
   *
   * @param net the network (an {@link ElmanRnn} or a {@link StackedRnn})
   * @param params θ, {@code net.parameterCount()} floats
   * @param optimizer the update rule; its state is allocated by {@link Builder#build()}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if params has the wrong length
   */
  public static Builder builder(RecurrentNetwork net, float[] params, Optimizer optimizer) {
    return new Builder(net, params, optimizer);
  }

  /** The named views of a network's flat layout (PyTorch names) over {@code array}. */
  private static TensorGroup views(RecurrentNetwork net, float[] array) {
    return switch (net) {
      case ElmanRnn e -> e.layout().tensors(array);
      case StackedRnn s -> s.layout().tensors(array);
    };
  }

  /**
   * One training step on {@code seq}: g ← 0, L and g = ∂L/∂θ, scale, mask, N = ‖g‖₂, check, clip, θ
   * ← update(θ, g, γ = schedule(i)) (see the class comment). The shape of {@code seq} must fit the
   * builder's shape and its network must be this trainer's.
   *
   * @param seq inputs, initial state, loss steps and a loss callback (or upstream gradients)
   * @return L, the loss of the forward pass (before the update)
   * @throws IllegalArgumentException if seq does not fit the network, the shape or the strategy
   *     (nothing written: θ, the state and {@link #grads()} as before, the step not counted)
   * @throws IllegalStateException if seq lacks its input, or its upstream gradients and loss
   *     (nothing written, the step not counted)
   * @throws dev.bptt.kernel.clip.NonFiniteGradientException if the clipper's policy is THROW and g
   *     is not finite (θ not written, the step not counted)
   */
  public double step(SequenceBatch seq) {
    Checks.notNull("seq", seq);
    // Into the scratch gradient first: the runner checks seq before writing, so a refused step
    // leaves grads() as the last step left it (one extra pass over P floats per step).
    Arrays.fill(work, 0f);
    double loss = runner.run(strategy, params, work, seq, ws);
    System.arraycopy(work, 0, grads, 0, grads.length);
    if (gradientScale != 1f) {
      Blas.scale(grads.length, gradientScale, grads, 0);
    }
    for (TensorView v : masked) {
      Arrays.fill(grads, v.offset(), v.offset() + v.length(), 0f);
    }
    double norm = GradientClipper.totalNorm(gradViews, NormType.L2);
    int flags = Double.isFinite(norm) && Double.isFinite(loss) ? 0 : NON_FINITE;
    boolean skip = false;
    if (monitor != null) {
      ExplosionMonitor.Status st = monitor.observe(norm);
      skip =
          skipOnExplosion
              && (st == ExplosionMonitor.Status.SPIKE
                  || st == ExplosionMonitor.Status.NON_FINITE
                  || !Double.isFinite(loss));
    }
    if (!skip && clip != Clip.NONE) {
      clip(clip);
      if (result.clipped()) {
        flags |= CLIPPED;
        clipEvents++;
      }
      skip = result.skipStep(); // the clipper's SKIP policy met a non-finite g
    }
    if (skip) {
      flags |= SKIPPED;
      skipped++;
    } else {
      optimizer.step(params, grads, state, schedule.lr(steps));
    }
    if (steps < lossHistory.length) {
      lossHistory[steps] = (float) loss;
      normHistory[steps] = (float) norm;
      flagHistory[steps] = (byte) flags;
    }
    steps++;
    lastLoss = loss;
    lastNorm = norm;
    return loss;
  }

  private void clip(Clip kind) {
    switch (kind) {
      case NONE -> {}
      case GLOBAL_NORM -> clipper.clipGlobalNorm(gradViews, threshold, result);
      case PER_VIEW -> clipper.clipPerView(gradViews, threshold, result);
      case VALUE -> clipper.clipValue(gradViews, (float) threshold, result);
      case ADAPTIVE -> clipper.clipAdaptive(gradViews, paramViews, threshold, result);
    }
  }

  /** θ, the caller's parameter array, updated in place by every step. */
  public float[] params() {
    return params;
  }

  /** g of the last step, after scaling, masking and clipping (the trainer's own array). */
  public float[] grads() {
    return grads;
  }

  /** The optimizer state (t, moments), e.g. to save with {@link Checkpoint}. */
  public OptimizerState state() {
    return state;
  }

  /**
   * The result of the last clip call (norms, coefficient, views clipped): every step that clips
   * overwrites it, whether or not it changed g; empty before the first.
   */
  public ClipResult lastClip() {
    return result;
  }

  /** Steps taken: updates and skipped steps (a step that threw is not counted). */
  public int steps() {
    return steps;
  }

  /** Steps whose gradient the clipper changed. */
  public int clipEvents() {
    return clipEvents;
  }

  /** Steps skipped by the explosion check. */
  public int skippedSteps() {
    return skipped;
  }

  /** L of the last step (NaN before the first). */
  public double lastLoss() {
    return lastLoss;
  }

  /** The pre-clip norm N = ‖g‖₂ of the last step (NaN before the first). */
  public double lastNorm() {
    return lastNorm;
  }

  /** Steps recorded in the histories: min(steps, history). */
  public int recorded() {
    return Math.min(steps, lossHistory.length);
  }

  /**
   * L of step i (0-based), rounded to float.
   *
   * @throws IndexOutOfBoundsException unless 0 ≤ i &lt; {@link #recorded()}
   */
  public float loss(int i) {
    return lossHistory[Objects.checkIndex(i, recorded())];
  }

  /**
   * N of step i (0-based), rounded to float.
   *
   * @throws IndexOutOfBoundsException unless 0 ≤ i &lt; {@link #recorded()}
   */
  public float norm(int i) {
    return normHistory[Objects.checkIndex(i, recorded())];
  }

  /**
   * The flags of step i: a sum of {@link #CLIPPED}, {@link #SKIPPED} and {@link #NON_FINITE}.
   *
   * @throws IndexOutOfBoundsException unless 0 ≤ i &lt; {@link #recorded()}
   */
  public int flags(int i) {
    return flagHistory[Objects.checkIndex(i, recorded())];
  }

  @Override
  public String toString() {
    return "Trainer[" + optimizer + ", " + strategy + ", clip " + clip + ", steps " + steps + "]";
  }

  /**
   * Configures a {@link Trainer}: immutable settings collected by chained calls, each checked when
   * made; {@link #build()} allocates the gradient, workspace, optimizer state and histories.
   */
  public static final class Builder {
    private final RecurrentNetwork net;
    private final float[] params;
    private final Optimizer optimizer;
    private BpttStrategy strategy = BpttStrategy.full();
    private SequenceShape capacity;
    private BatchThreads threads;
    private LrSchedule schedule;
    private GradientClipper clipper;
    private Clip clip = Clip.NONE;
    private double threshold = Double.POSITIVE_INFINITY;
    private ExplosionMonitor monitor;
    private boolean skip;
    private double gradientScale = 1;
    private int[] maskedIndex = new int[0];
    private int history;

    private Builder(RecurrentNetwork net, float[] params, Optimizer optimizer) {
      Checks.notNull("net", net);
      Checks.notNull("params", params);
      Checks.notNull("optimizer", optimizer);
      if (params.length != net.parameterCount()) {
        throw new IllegalArgumentException(
            "params has "
                + params.length
                + " floats, the network "
                + net
                + " has "
                + net.parameterCount());
      }
      this.net = net;
      this.params = params;
      this.optimizer = optimizer;
    }

    /**
     * The largest sequence shape (T, B) a step runs: the workspace is sized for it (required).
     *
     * @throws NullPointerException if shape is null
     */
    public Builder shape(SequenceShape shape) {
      Checks.notNull("shape", shape);
      this.capacity = shape;
      return this;
    }

    /**
     * The BPTT strategy (default {@link BpttStrategy#full()}).
     *
     * @throws NullPointerException if strategy is null
     */
    public Builder strategy(BpttStrategy strategy) {
      Checks.notNull("strategy", strategy);
      this.strategy = strategy;
      return this;
    }

    /**
     * Splits every step across a team (results bitwise those without one; see {@link
     * BpttWorkspace}); null for the caller's thread alone (the default).
     */
    public Builder threads(BatchThreads threads) {
      this.threads = threads;
      return this;
    }

    /**
     * γ per step index i (default: the optimizer's constant rate).
     *
     * @throws NullPointerException if schedule is null
     */
    public Builder schedule(LrSchedule schedule) {
      Checks.notNull("schedule", schedule);
      this.schedule = schedule;
      return this;
    }

    /**
     * Clipping of kind {@code kind} with {@code clipper} (its rule, norm type and non-finite
     * policy) at θ (GLOBAL_NORM, PER_VIEW), c (VALUE) or λ (ADAPTIVE, ε the clipper's default).
     * NONE ignores the clipper (may be null) and the threshold.
     *
     * @param threshold θ, c or λ ≥ 0 (+∞ allowed: never clips)
     * @throws NullPointerException if kind is null, or the clipper for a kind other than NONE
     * @throws IllegalArgumentException if the threshold is negative or NaN (kinds other than NONE)
     */
    public Builder clip(Clip kind, GradientClipper clipper, double threshold) {
      Checks.notNull("kind", kind);
      if (kind != Clip.NONE) {
        Checks.notNull("clipper", clipper);
        if (!(threshold >= 0)) {
          throw new IllegalArgumentException(
              "threshold must be >= 0 (or +Infinity), got " + threshold);
        }
      }
      this.clip = kind;
      this.clipper = kind == Clip.NONE ? null : clipper;
      this.threshold = kind == Clip.NONE ? Double.POSITIVE_INFINITY : threshold;
      return this;
    }

    /**
     * Watches N with {@code monitor}; with {@code skip}, a spike or a non-finite N skips the
     * update. The monitor is the caller's and keeps its state across trainers.
     *
     * @throws NullPointerException if monitor is null
     */
    public Builder monitor(ExplosionMonitor monitor, boolean skip) {
      Checks.notNull("monitor", monitor);
      this.monitor = monitor;
      this.skip = skip;
      return this;
    }

    /**
     * Multiplies g by s, rounded to float, before anything else.
     *
     * @param s the factor (finite, &gt; 0, and nonzero as a float)
     * @throws IllegalArgumentException otherwise
     */
    public Builder gradientScale(double s) {
      if (!(s > 0 && (float) s > 0f && (float) s < Float.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "gradientScale must be finite and > 0 as a float, got " + s);
      }
      this.gradientScale = s;
      return this;
    }

    /**
     * Zeroes the gradients of the named views (PyTorch names such as {@code weight_hh_l0}) after
     * every backward pass, freezing them. Replaces the previous mask.
     *
     * @throws NullPointerException if a name is null
     * @throws IllegalArgumentException if the network has no view of that name
     */
    public Builder mask(String... viewNames) {
      Checks.notNull("viewNames", viewNames);
      TensorGroup views = views(net, params);
      int[] index = new int[viewNames.length];
      for (int i = 0; i < viewNames.length; i++) {
        index[i] = find(views, viewNames[i], i);
      }
      this.maskedIndex = index;
      return this;
    }

    private static int find(TensorGroup group, String name, int i) {
      Checks.notNull("viewNames[" + i + "]", name);
      for (int k = 0; k < group.viewCount(); k++) {
        if (group.view(k).name().equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("viewNames[" + i + "]=" + name + " is not in " + group);
    }

    /**
     * Keeps L, N and the flags of the first n steps (default 0); {@link #build()} allocates 9·n
     * bytes for them.
     *
     * @throws IllegalArgumentException if n &lt; 0
     */
    public Builder history(int n) {
      Checks.nonNegative("history", n);
      this.history = n;
      return this;
    }

    /**
     * The trainer: allocates g, the workspace (sized for the shape and strategy), the optimizer
     * state and the histories.
     *
     * @throws IllegalStateException if {@link #shape(SequenceShape)} was not called
     */
    public Trainer build() {
      if (capacity == null) {
        throw new IllegalStateException("shape(SequenceShape) is required before build()");
      }
      return new Trainer(this);
    }
  }
}
