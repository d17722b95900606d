package dev.bptt.kernel.clip;

import dev.bptt.kernel.internal.Checks;
import java.util.Objects;

/**
 * Watches the per-step gradient norm for explosions (Pascanu et al. 2013 §3.2: look at the average
 * norm over many updates; thresholds of 0.5–10× that average still train). Feed it the pre-clip
 * norm each step ({@link #observe(double)} or {@link #observe(ClipResult)}); it keeps a running
 * mean and variance of the finite norms, flags a spike when a norm exceeds k × the running mean,
 * counts non-finite norms, and keeps the last norms in a fixed-capacity ring for plotting.
 * Allocates nothing after construction. Not thread-safe.
 *
 * <p>Running statistics over a window w: for the t-th finite norm x, α = max(1/t, 1/w), δ = x − μ,
 * μ ← μ + α·δ, σ² ← (1 − α)·(σ² + α·δ²). For t ≤ w this is exactly the plain mean and population
 * variance of the norms so far (Welford's recurrence); after that an exponential moving average
 * with memory ≈ w steps (Finch 2009), so the mean follows a slow drift of the norm. Every finite
 * norm, spikes included, updates the statistics: a lone spike moves the mean by at most x/w, and a
 * lasting change of regime stops being flagged after a few w steps. Non-finite norms update only
 * the counters and the history.
 */
public final class ExplosionMonitor {

  /** What one observation was. */
  public enum Status {
    /** Finite, but fewer than {@code warmup} finite norms came before it: no spike test yet. */
    WARMUP,
    /** Finite and at most k × the running mean. */
    NORMAL,
    /** Finite and greater than k × the running mean. */
    SPIKE,
    /** NaN or +∞. */
    NON_FINITE
  }

  /** Default k: a norm over 10× the running mean (the top of Pascanu's 0.5–10 range) is a spike. */
  public static final double DEFAULT_SPIKE_FACTOR = 10;

  /** Default statistics window w, in steps. */
  public static final int DEFAULT_WINDOW = 100;

  /** Default number of finite norms seen before spikes are flagged. */
  public static final int DEFAULT_WARMUP = 10;

  /** Default history capacity (last norms kept for plotting). */
  public static final int DEFAULT_HISTORY = 1024;

  private final double spikeFactor;
  private final int window;
  private final int warmup;
  private final double[] history;
  private int historyHead;
  private int historySize;
  private long steps;
  private long finiteCount;
  private long spikeCount;
  private long nonFiniteCount;
  private double mean;

  /** σ, kept instead of σ² so that no update squares a huge norm (see {@link #observe}). */
  private double std;

  private Status lastStatus;

  /** A monitor with k = 10, w = 100, warm-up 10 and a 1024-norm history. */
  public ExplosionMonitor() {
    this(DEFAULT_SPIKE_FACTOR, DEFAULT_WINDOW, DEFAULT_WARMUP, DEFAULT_HISTORY);
  }

  /**
   * @param spikeFactor k &gt; 0, finite: a norm x is a spike when x &gt; k·μ (Pascanu's heuristic
   *     range for thresholds is 0.5–10)
   * @param window w ≥ 1 steps of memory ({@link Integer#MAX_VALUE}: plain mean of all norms)
   * @param warmup finite norms to see before flagging spikes, ≥ 0
   * @param historyCapacity norms kept for {@link #history(int)}, ≥ 0 (a ring: the oldest are
   *     dropped)
   * @throws IllegalArgumentException naming the first invalid argument
   */
  public ExplosionMonitor(double spikeFactor, int window, int warmup, int historyCapacity) {
    if (!(spikeFactor > 0 && spikeFactor < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("spikeFactor must be finite and > 0, got " + spikeFactor);
    }
    Checks.positive("window", window);
    Checks.nonNegative("warmup", warmup);
    Checks.nonNegative("historyCapacity", historyCapacity);
    this.spikeFactor = spikeFactor;
    this.window = window;
    this.warmup = warmup;
    this.history = new double[historyCapacity];
  }

  /**
   * Records one step's gradient norm x: appends it to the history; if x is finite, tests it against
   * k·μ (after warm-up) and then folds it into μ and σ².
   *
   * @param norm the step's pre-clip norm, ≥ 0, or NaN/+∞
   * @return the status of this observation
   * @throws IllegalArgumentException if norm &lt; 0
   */
  public Status observe(double norm) {
    if (norm < 0) {
      throw new IllegalArgumentException("norm must be >= 0 (or NaN/Infinity), got " + norm);
    }
    steps++;
    record(norm);
    if (!Double.isFinite(norm)) {
      nonFiniteCount++;
      return lastStatus = Status.NON_FINITE;
    }
    Status s;
    if (finiteCount < warmup) {
      s = Status.WARMUP;
    } else if (norm > spikeFactor * mean) {
      s = Status.SPIKE;
      spikeCount++;
    } else {
      s = Status.NORMAL;
    }
    finiteCount++;
    double alpha = Math.max(1.0 / finiteCount, 1.0 / window);
    double delta = norm - mean;
    double step = alpha * delta;
    mean += step;
    // σ² ← (1 − α)·(σ² + α·δ²), written as σ ← √(1 − α)·hypot(σ, √α·|δ|): no square of a huge
    // finite norm overflows, the first observation (α = 1) gives 0 rather than 0·∞ = NaN, and a
    // spike's contribution decays again like every other.
    std = Math.sqrt(1 - alpha) * Math.hypot(std, Math.sqrt(alpha) * delta);
    return lastStatus = s;
  }

  /**
   * {@link #observe(double)} with the pre-clip total norm of a clip (non-finite when the gradient
   * was).
   */
  public Status observe(ClipResult result) {
    Checks.notNull("result", result);
    return observe(result.totalNorm());
  }

  /** Status of the last observation, or null before the first. */
  public Status lastStatus() {
    return lastStatus;
  }

  /** Running mean μ of the finite norms (0 before the first). */
  public double mean() {
    return mean;
  }

  /**
   * Running (population) variance σ² of the finite norms (0 before the second); +∞ only while σ
   * itself exceeds √{@link Double#MAX_VALUE} (after a norm above ~10¹⁵⁴), never NaN.
   */
  public double variance() {
    return std * std;
  }

  /** σ = √σ². */
  public double standardDeviation() {
    return std;
  }

  /** The current spike threshold k·μ: the next finite norm above it is a spike (after warm-up). */
  public double spikeThreshold() {
    return spikeFactor * mean;
  }

  /**
   * A clipping threshold θ = m·μ from the running mean (Pascanu's heuristic: m from 0.5 to 10 still
   * converged in their experiments). NaN before the first finite norm.
   *
   * @param multiple m &gt; 0, finite
   */
  public double suggestedThreshold(double multiple) {
    if (!(multiple > 0 && multiple < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("multiple must be finite and > 0, got " + multiple);
    }
    return finiteCount == 0 ? Double.NaN : multiple * mean;
  }

  /** Number of observations so far (finite or not). */
  public long steps() {
    return steps;
  }

  /** Number of finite observations. */
  public long finiteCount() {
    return finiteCount;
  }

  /** Number of spikes flagged. */
  public long spikeCount() {
    return spikeCount;
  }

  /** Number of NaN or +∞ norms observed. */
  public long nonFiniteCount() {
    return nonFiniteCount;
  }

  /** k. */
  public double spikeFactor() {
    return spikeFactor;
  }

  /** Number of norms in the history, min(steps, capacity). */
  public int historySize() {
    return historySize;
  }

  /** Capacity of the history ring. */
  public int historyCapacity() {
    return history.length;
  }

  /** Step number (0-based) of history entry 0: steps − historySize. */
  public long historyFirstStep() {
    return steps - historySize;
  }

  /**
   * History entry i, oldest first: the norm observed at step {@link #historyFirstStep()} + i.
   *
   * @throws IndexOutOfBoundsException if i is not in [0, {@link #historySize()})
   */
  public double history(int i) {
    Objects.checkIndex(i, historySize);
    return history[(historyHead + i) % history.length];
  }

  /**
   * Copies the history, oldest first, into dst[off ..]: as many entries as fit, the newest kept
   * when dst is short (min(historySize, dst.length − off) entries).
   *
   * @return the number of entries copied
   */
  public int copyHistory(double[] dst, int off) {
    Checks.notNull("dst", dst);
    if (off < 0 || off > dst.length) {
      throw new IndexOutOfBoundsException("off " + off + " is outside dst of length " + dst.length);
    }
    int n = Math.min(historySize, dst.length - off);
    int skip = historySize - n;
    for (int i = 0; i < n; i++) {
      dst[off + i] = history(skip + i);
    }
    return n;
  }

  /** Forgets every observation (counters, statistics, history); keeps the configuration. */
  public void reset() {
    historyHead = 0;
    historySize = 0;
    steps = 0;
    finiteCount = 0;
    spikeCount = 0;
    nonFiniteCount = 0;
    mean = 0;
    std = 0;
    lastStatus = null;
  }

  private void record(double norm) {
    int cap = history.length;
    if (cap == 0) {
      return;
    }
    if (historySize < cap) {
      history[(historyHead + historySize) % cap] = norm;
      historySize++;
    } else {
      history[historyHead] = norm;
      historyHead = (historyHead + 1) % cap;
    }
  }

  /** Counts, μ, σ and the last status. */
  @Override
  public String toString() {
    return "ExplosionMonitor[steps="
        + steps
        + " mean="
        + mean
        + " sd="
        + standardDeviation()
        + " spikes="
        + spikeCount
        + " nonFinite="
        + nonFiniteCount
        + " last="
        + lastStatus
        + "]";
  }
}
