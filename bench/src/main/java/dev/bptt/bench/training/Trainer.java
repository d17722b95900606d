package dev.bptt.bench.training;

import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.training.LrSchedule;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import java.util.Arrays;
import java.util.Objects;

/**
 * A small, optional training loop over the kernel's pieces; every piece stays usable on its own.
 * One {@link #step(SequenceBatch)}:
 *
 * <ol>
 *   <li>g ← 0; forward with the sequence's loss callback and backward under the chosen {@link
 *       BpttStrategy} ({@link BpttRunner}): g = ∂L/∂θ, L the callback's total;
 *   <li>optional gradient scaling g ← s·g and masking (chosen views set to 0, i.e. frozen);
 *   <li>N = ‖g‖₂ (pre-clip, recorded);
 *   <li>optional explosion check: an {@link ExplosionMonitor} observes N; with skip on, a spike (N
 *       &gt; k·running mean) or a non-finite N skips the update;
 *   <li>optional clipping (global norm, per view, value or adaptive), a clip event recorded when
 *       the clipper changed g;
 *   <li>θ ← optimizer step with γ = schedule(step index), the step index counting every call.
 * </ol>
 *
 * Records per step the loss, N and flags (clipped, skipped, non-finite) in histories sized at
 * construction. After construction a step allocates nothing. Not thread-safe.
 */
public final class Trainer {
  /** How the gradient is clipped. */
  public enum Clip {
    /** No clipping. */
    NONE,
    /** {@link GradientClipper#clipGlobalNorm} at θ. */
    GLOBAL_NORM,
    /** {@link GradientClipper#clipPerView} at θ for every view. */
    PER_VIEW,
    /** {@link GradientClipper#clipValue} at c. */
    VALUE,
    /** {@link GradientClipper#clipAdaptive} at λ. */
    ADAPTIVE
  }

  /** Flag bits of {@link #flags(int)}. */
  public static final int CLIPPED = 1, SKIPPED = 2, NON_FINITE = 4;

  private final RecurrentNetwork net;
  private final float[] params;
  private final float[] grads;
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
  private final double gradientScale;
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
    this.net = b.net;
    this.params = b.params;
    this.grads = new float[net.parameterCount()];
    this.strategy = b.strategy;
    this.runner = new BpttRunner(net);
    this.ws = new BpttWorkspace(net, b.capacity, b.strategy);
    this.optimizer = b.optimizer;
    this.state = optimizer.newState(net.parameterCount());
    this.schedule = b.schedule != null ? b.schedule : LrSchedule.constant(optimizer.lr());
    this.clipper = b.clipper;
    this.clip = b.clip;
    this.threshold = b.threshold;
    this.monitor = b.monitor;
    this.skipOnExplosion = b.skip;
    this.gradientScale = b.gradientScale;
    this.paramViews = views(net, params);
    this.gradViews = paramViews.on(grads);
    this.masked = new TensorView[b.masked.length];
    for (int i = 0; i < masked.length; i++) {
      masked[i] = find(gradViews, b.masked[i]);
    }
    this.lossHistory = new float[b.history];
    this.normHistory = new float[b.history];
    this.flagHistory = new byte[b.history];
  }

  /** A builder for a network, its parameters (updated in place) and an optimizer. */
  public static Builder builder(RecurrentNetwork net, float[] params, Optimizer optimizer) {
    return new Builder(net, params, optimizer);
  }

  /** The named views of a network's flat layout over {@code array}. */
  public static TensorGroup views(RecurrentNetwork net, float[] array) {
    return switch (net) {
      case ElmanRnn e -> e.layout().tensors(array);
      case StackedRnn s -> s.layout().tensors(array);
    };
  }

  private static TensorView find(TensorGroup group, String name) {
    for (TensorView v : group.views()) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("no view named " + name + " in " + group);
  }

  /**
   * One training step on {@code seq} (its shape must fit the capacity): see the class comment.
   *
   * @return the loss value of the forward pass (before the update)
   */
  public double step(SequenceBatch seq) {
    Arrays.fill(grads, 0f);
    double loss = runner.run(strategy, params, grads, seq, ws);
    if (gradientScale != 1) {
      float s = (float) gradientScale;
      for (int i = 0; i < grads.length; i++) {
        grads[i] *= s;
      }
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
              && (st == ExplosionMonitor.Status.SPIKE || st == ExplosionMonitor.Status.NON_FINITE);
    }
    if (!skip) {
      boolean clipped =
          switch (clip) {
            case NONE -> false;
            case GLOBAL_NORM -> clipper.clipGlobalNorm(gradViews, threshold, result).clipped();
            case PER_VIEW -> clipper.clipPerView(gradViews, threshold, result).clipped();
            case VALUE -> clipper.clipValue(gradViews, (float) threshold, result).clipped();
            case ADAPTIVE ->
                clipper.clipAdaptive(gradViews, paramViews, threshold, result).clipped();
          };
      if (clipped) {
        flags |= CLIPPED;
        clipEvents++;
      }
      optimizer.step(params, grads, state, schedule.lr(steps));
    } else {
      flags |= SKIPPED;
      skipped++;
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

  /** The network. */
  public RecurrentNetwork network() {
    return net;
  }

  /** θ, updated in place by every step. */
  public float[] params() {
    return params;
  }

  /** The gradient of the last step, after scaling, masking and clipping. */
  public float[] grads() {
    return grads;
  }

  /** The optimizer state. */
  public OptimizerState state() {
    return state;
  }

  /** Steps taken (updates and skipped steps). */
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

  /** The loss of the last step (NaN before the first). */
  public double lastLoss() {
    return lastLoss;
  }

  /** The pre-clip gradient norm of the last step (NaN before the first). */
  public double lastNorm() {
    return lastNorm;
  }

  /** Steps recorded in the histories: min(steps, capacity). */
  public int recorded() {
    return Math.min(steps, lossHistory.length);
  }

  /** Loss of step i (0-based). */
  public float loss(int i) {
    return lossHistory[Objects.checkIndex(i, recorded())];
  }

  /** Pre-clip gradient norm of step i. */
  public float norm(int i) {
    return normHistory[Objects.checkIndex(i, recorded())];
  }

  /** Flags of step i ({@link #CLIPPED}, {@link #SKIPPED}, {@link #NON_FINITE}). */
  public int flags(int i) {
    return flagHistory[Objects.checkIndex(i, recorded())];
  }

  /** Configures a {@link Trainer}. */
  public static final class Builder {
    private final RecurrentNetwork net;
    private final float[] params;
    private final Optimizer optimizer;
    private BpttStrategy strategy = BpttStrategy.full();
    private SequenceShape capacity;
    private LrSchedule schedule;
    private GradientClipper clipper;
    private Clip clip = Clip.NONE;
    private double threshold = Double.POSITIVE_INFINITY;
    private ExplosionMonitor monitor;
    private boolean skip;
    private double gradientScale = 1;
    private String[] masked = new String[0];
    private int history = 0;

    private Builder(RecurrentNetwork net, float[] params, Optimizer optimizer) {
      this.net = Objects.requireNonNull(net, "net");
      this.params = Objects.requireNonNull(params, "params");
      this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
      if (params.length != net.parameterCount()) {
        throw new IllegalArgumentException(
            "params has " + params.length + " floats, the network " + net.parameterCount());
      }
    }

    /** The BPTT strategy and the largest sequence shape the trainer runs (required). */
    public Builder strategy(BpttStrategy s, SequenceShape capacity) {
      this.strategy = Objects.requireNonNull(s, "strategy");
      this.capacity = Objects.requireNonNull(capacity, "capacity");
      return this;
    }

    /** γ per step index (default: the optimizer's constant rate). */
    public Builder schedule(LrSchedule s) {
      this.schedule = Objects.requireNonNull(s, "schedule");
      return this;
    }

    /** Clipping with this clipper (rule, policy) at θ (norm/per view), c (value) or λ (AGC). */
    public Builder clip(Clip kind, GradientClipper clipper, double threshold) {
      this.clip = Objects.requireNonNull(kind, "kind");
      this.clipper = kind == Clip.NONE ? null : Objects.requireNonNull(clipper, "clipper");
      if (!(threshold >= 0)) {
        throw new IllegalArgumentException("threshold must be >= 0, got " + threshold);
      }
      this.threshold = threshold;
      return this;
    }

    /** Watches the pre-clip norm; with {@code skip}, spikes and non-finite gradients skip. */
    public Builder monitor(ExplosionMonitor m, boolean skip) {
      this.monitor = Objects.requireNonNull(m, "monitor");
      this.skip = skip;
      return this;
    }

    /** Multiplies every gradient by s before anything else (finite, &gt; 0). */
    public Builder gradientScale(double s) {
      if (!(s > 0 && s < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("gradientScale must be finite and > 0, got " + s);
      }
      this.gradientScale = s;
      return this;
    }

    /** Zeroes the gradients of the named views (PyTorch names), freezing them. */
    public Builder mask(String... viewNames) {
      this.masked = viewNames.clone();
      return this;
    }

    /** Keeps loss, norm and flags of the first n steps. */
    public Builder history(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("history must be >= 0, got " + n);
      }
      this.history = n;
      return this;
    }

    /** The trainer (allocates its gradient, workspace, optimizer state and histories). */
    public Trainer build() {
      if (capacity == null) {
        throw new IllegalStateException("strategy(strategy, capacity) is required");
      }
      return new Trainer(this);
    }
  }
}
