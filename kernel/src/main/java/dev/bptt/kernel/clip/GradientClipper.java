package dev.bptt.kernel.clip;

import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Kernels;

/**
 * In-place gradient clipping over a {@link TensorSet} (one view, or a group of views treated as one
 * vector g): global-norm, per-view-norm, value and adaptive (AGC) clipping, with an explicit {@link
 * ClipRule}, {@link NormType}, {@link NonFinitePolicy} and an optional loss scale.
 *
 * <p>A clipper is an immutable value (make one per configuration and reuse it from any thread);
 * each call fills a caller-owned {@link ClipResult} and allocates nothing once that result has
 * grown to the view count (and, for AGC, the row count) and the JIT has compiled the kernels. Every
 * call:
 *
 * <ol>
 *   <li>checks its arguments and throws before any write ({@link NullPointerException}, {@link
 *       IllegalArgumentException} naming the argument and value);
 *   <li>reads the gradient once to measure it (SIMD partials per view, added in double in view
 *       order, so the result is bitwise reproducible for a given kernel implementation), which also
 *       detects a NaN or ±∞ before anything is written;
 *   <li>writes at most once: one multiply (or clamp) pass, skipped for a view whose factor is
 *       exactly 1.
 * </ol>
 *
 * <p>Null checks on the call path use {@link java.util.Objects#requireNonNull(Object, String)} with
 * a constant message: a message built by a capturing lambda is not always scalar-replaced by C2 on
 * these paths and would cost 16 bytes per check.
 *
 * <p><b>Loss scale.</b> With {@link #withLossScale(float) loss scale} s the buffer holds s·g
 * (mixed-precision training). Norms are measured on the buffer and divided by s, the rule sees the
 * true norm, and the one write pass multiplies by c/s: the gradient is unscaled and clipped in the
 * same two passes, never three. A clipper with θ = +∞ only unscales and checks (AMP's {@code
 * GradScaler.unscale_}). With s &lt; 1 an unscaled entry can leave float's range although every
 * buffered entry is finite: that is detected before the write (exactly, from the views' max |xᵢ|,
 * whenever the unscaled norm exceeds {@link Float#MAX_VALUE}) and handled by the non-finite policy
 * like a NaN or ±∞ entry (the result reports {@code nonFinite()}; THROW names the first entry and
 * the ±∞ it would have become).
 */
public final class GradientClipper {
  /**
   * Block length B of the norm sums: each view's Σxᵢ² or Σ|xᵢ| runs in float (SIMD) over blocks of
   * B = 16384 entries (64 KiB), the block sums are added in double in order. The relative error of
   * an L2 or L1 norm is therefore at most γ_B(2⁻²⁴) + γ_{n/B+k+2}(2⁻⁵³) ≈ 10⁻³ in the worst case
   * (typically ~10⁻⁷) for any length n over k views, where one float sum over n entries would only
   * guarantee γₙ(2⁻²⁴), useless past n ≈ 10⁷. One extra lane reduction per 64 KiB costs about 1%.
   */
  public static final int NORM_BLOCK = Kernels.REDUCTION_BLOCK;

  /** AGC's ε in max(‖Wᵢ‖, ε): 10⁻³ (Brock et al. 2021; DeepMind and timm default). */
  public static final double DEFAULT_AGC_EPSILON = 1e-3;

  private static final float MIN_LOSS_SCALE = 0x1p-126f;
  private static final float MAX_LOSS_SCALE = 0x1p126f;

  private final ClipRule rule;
  private final NormType normType;
  private final NonFinitePolicy policy;
  private final float lossScale;

  private GradientClipper(
      ClipRule rule, NormType normType, NonFinitePolicy policy, float lossScale) {
    this.rule = rule;
    this.normType = normType;
    this.policy = policy;
    this.lossScale = lossScale;
  }

  /**
   * A clipper with the given rule, L2 norm, {@link NonFinitePolicy#THROW} and loss scale 1.
   *
   * @throws NullPointerException if rule is null
   */
  public static GradientClipper of(ClipRule rule) {
    Checks.notNull("rule", rule);
    return new GradientClipper(rule, NormType.L2, NonFinitePolicy.THROW, 1f);
  }

  /** This clipper with another rule (how c follows from N and θ). */
  public GradientClipper withRule(ClipRule r) {
    Checks.notNull("rule", r);
    return new GradientClipper(r, normType, policy, lossScale);
  }

  /** This clipper with another norm for {@link #clipGlobalNorm} and {@link #clipPerView}. */
  public GradientClipper withNormType(NormType t) {
    Checks.notNull("normType", t);
    return new GradientClipper(rule, t, policy, lossScale);
  }

  /** This clipper with another policy for a NaN or ±∞ in the gradient. */
  public GradientClipper withNonFinitePolicy(NonFinitePolicy p) {
    Checks.notNull("policy", p);
    return new GradientClipper(rule, normType, p, lossScale);
  }

  /**
   * This clipper for a buffer that holds s·g: every clip also unscales (g ← buffer/s) in its write
   * pass, and norms, thresholds and the result refer to g.
   *
   * @param s loss scale in [2⁻¹²⁶, 2¹²⁶], so that s and 1/s are normal floats (AMP starts at 2¹⁶)
   * @throws IllegalArgumentException if s is outside that range or NaN
   */
  public GradientClipper withLossScale(float s) {
    if (!(s >= MIN_LOSS_SCALE && s <= MAX_LOSS_SCALE)) {
      throw new IllegalArgumentException("lossScale must be in [2^-126, 2^126], got " + s);
    }
    return new GradientClipper(rule, normType, policy, s);
  }

  /** The rule. */
  public ClipRule rule() {
    return rule;
  }

  /** The norm type of norm clips. */
  public NormType normType() {
    return normType;
  }

  /** The non-finite policy. */
  public NonFinitePolicy nonFinitePolicy() {
    return policy;
  }

  /** The loss scale s (1 when none). */
  public float lossScale() {
    return lossScale;
  }

  /**
   * Global-norm clipping (PyTorch {@code clip_grad_norm_}, TF {@code clip_by_global_norm}, Keras
   * {@code global_clipnorm}, Pascanu Algorithm 1): N = ‖g‖ over all views as one vector, c = {@link
   * ClipRule#coefficient rule.coefficient(θ, N)}, g ← c·g. The direction of g is kept. Two passes
   * at most (measure, scale); the scale pass is skipped when c/s rounds to 1.
   *
   * @param grads the gradient views, written in place
   * @param maxNorm θ ≥ 0 (+∞ allowed: measures, checks and unscales only)
   * @param out filled with N, c, the per-view norms and flags; returned
   * @return {@code out}
   * @throws NonFiniteGradientException under THROW if g holds a NaN or ±∞ (g untouched; out already
   *     records the non-finite result)
   */
  public ClipResult clipGlobalNorm(TensorSet grads, double maxNorm, ClipResult out) {
    Checks.notNull("grads", grads);
    Checks.notNull("out", out);
    checkThreshold("maxNorm", maxNorm);
    double total = measure(grads, normType, out);
    if (!Double.isFinite(total)) {
      return onNonFinite(grads, total, out);
    }
    double coef = rule.coefficient(maxNorm, total);
    int k = grads.viewCount();
    for (int i = 0; i < k; i++) {
      out.viewCoefficient(i, coef);
    }
    if (overflows(grads, total, out)) {
      return onOverflow(grads, total, out);
    }
    for (int i = 0; i < k; i++) {
      TensorView v = grads.view(i);
      ClipPasses.multiply(v.array(), v.offset(), v.length(), coef / lossScale);
    }
    out.finish(total, coef, coef < 1 ? k : 0, coef < 1);
    return out;
  }

  /**
   * {@link #clipGlobalNorm(TensorSet, double, ClipResult)} over one whole flat array. A convenience
   * that allocates a view and a result per call; in a training loop make a {@link TensorView} and a
   * {@link ClipResult} once and reuse them.
   *
   * @param grads the flat gradient, written in place
   * @param maxNorm θ ≥ 0
   * @return a new result: N (pre-clip), c, flags
   */
  public ClipResult clipGlobalNorm(float[] grads, double maxNorm) {
    Checks.notNull("grads", grads);
    return clipGlobalNorm(TensorView.of(grads), maxNorm, new ClipResult());
  }

  /**
   * Per-view norm clipping with one threshold for every view (Keras {@code clipnorm}, TF {@code
   * clip_by_norm} per tensor): for each view v, cᵥ = rule.coefficient(θ, ‖gᵥ‖), gᵥ ← cᵥ·gᵥ. Unlike
   * {@link #clipGlobalNorm} this changes the direction of g when views are scaled differently.
   * Non-finite entries anywhere are detected before any view is written.
   *
   * @param grads the gradient views, written in place
   * @param maxNorm θ ≥ 0, the same for every view
   * @param out filled with the global N, the smallest cᵥ, per-view norms and cᵥ; returned
   * @return {@code out}
   * @throws NonFiniteGradientException under THROW if g holds a NaN or ±∞ (g untouched; out already
   *     records the non-finite result)
   */
  public ClipResult clipPerView(TensorSet grads, double maxNorm, ClipResult out) {
    Checks.notNull("grads", grads);
    Checks.notNull("out", out);
    checkThreshold("maxNorm", maxNorm);
    return perView(grads, null, maxNorm, out);
  }

  /**
   * Per-view norm clipping with a threshold per view: cᵥ = rule.coefficient(θᵥ, ‖gᵥ‖), gᵥ ← cᵥ·gᵥ.
   *
   * @param grads the gradient views, written in place
   * @param maxNorms θᵥ ≥ 0 for each view v &lt; k (longer arrays allowed; extra entries ignored)
   * @param out filled as by {@link #clipPerView(TensorSet, double, ClipResult)}; returned
   * @return {@code out}
   * @throws IllegalArgumentException if maxNorms has fewer than k entries or one is negative or NaN
   */
  public ClipResult clipPerView(TensorSet grads, double[] maxNorms, ClipResult out) {
    Checks.notNull("grads", grads);
    Checks.notNull("maxNorms", maxNorms);
    Checks.notNull("out", out);
    int k = grads.viewCount();
    if (maxNorms.length < k) {
      throw new IllegalArgumentException(
          "maxNorms has " + maxNorms.length + " entries, grads has " + k + " views");
    }
    for (int i = 0; i < k; i++) {
      if (!(maxNorms[i] >= 0)) { // the name is built only on failure: no allocation per call
        checkThreshold("maxNorms[" + i + "]", maxNorms[i]);
      }
    }
    return perView(grads, maxNorms, 0, out);
  }

  private ClipResult perView(TensorSet grads, double[] maxNorms, double maxNorm, ClipResult out) {
    double total = measure(grads, normType, out);
    if (!Double.isFinite(total)) {
      return onNonFinite(grads, total, out);
    }
    double minCoef = 1;
    int units = 0;
    int k = grads.viewCount();
    for (int i = 0; i < k; i++) {
      double coef = rule.coefficient(maxNorms == null ? maxNorm : maxNorms[i], out.viewNorm(i));
      out.viewCoefficient(i, coef);
      units += coef < 1 ? 1 : 0;
      minCoef = Math.min(minCoef, coef);
    }
    if (overflows(grads, total, out)) {
      return onOverflow(grads, total, out);
    }
    for (int i = 0; i < k; i++) {
      TensorView v = grads.view(i);
      ClipPasses.multiply(v.array(), v.offset(), v.length(), out.viewCoefficient(i) / lossScale);
    }
    out.finish(total, minCoef, units, units > 0);
    return out;
  }

  /**
   * Value clipping (PyTorch {@code clip_grad_value_}, Keras {@code clipvalue}, Mikolov's
   * element-wise clipping): gᵢ ← min(max(gᵢ, −c), c) for every entry (with a loss scale: gᵢ ←
   * clamp(fl(bufᵢ·fl(1/s)))). Changes the direction of g. The measuring pass (max |gᵢ|) detects
   * non-finite entries first and lets a view with max |gᵢ| ≤ c go unwritten when s = 1. The
   * result's norm is ‖g‖∞ and its coefficient NaN.
   *
   * @param grads the gradient views, written in place
   * @param clipValue c ≥ 0 (+∞ allowed; −0.0 is +0.0)
   * @param out filled with ‖g‖∞, per-view ‖gᵥ‖∞, the number of views holding a clamped entry
   * @return {@code out}
   * @throws NonFiniteGradientException under THROW if g holds a NaN or ±∞ (g untouched; out already
   *     records the non-finite result)
   */
  public ClipResult clipValue(TensorSet grads, float clipValue, ClipResult out) {
    Checks.notNull("grads", grads);
    Checks.notNull("out", out);
    checkThreshold("clipValue", clipValue);
    clipValue += 0f; // −0.0 + 0 = +0.0: one sign of zero for the bounds in the body and the tail
    double total = measure(grads, NormType.LINF, out);
    if (!Double.isFinite(total)) {
      return onNonFinite(grads, total, out);
    }
    int k = grads.viewCount();
    double[] maxAbs = out.scratch(k);
    float inv = 1f / lossScale;
    if (clipValue > Float.MAX_VALUE) {
      // c = +∞ clamps nothing: an entry whose unscaled value leaves float's range would be ±∞.
      for (int i = 0; i < k; i++) {
        out.viewCoefficient(i, 1.0);
      }
      if (overflows(grads, total, out)) {
        return onOverflow(grads, total, out);
      }
    }
    int units = 0;
    for (int i = 0; i < k; i++) {
      TensorView v = grads.view(i);
      // fl(max·inv) = max fl(|x|·inv) since rounding is monotone: the test agrees with the clamp.
      boolean clamps = (float) maxAbs[i] * inv > clipValue;
      if (clamps || inv != 1f) {
        ClipPasses.clamp(v.array(), v.offset(), v.length(), inv, clipValue);
      }
      units += clamps ? 1 : 0;
      out.viewCoefficient(i, Double.NaN);
    }
    out.finish(total, Double.NaN, units, units > 0);
    return out;
  }

  /**
   * Adaptive gradient clipping with ε = {@value #DEFAULT_AGC_EPSILON}; see {@link
   * #clipAdaptive(TensorSet, TensorSet, double, double, ClipResult)}.
   */
  public ClipResult clipAdaptive(
      TensorSet grads, TensorSet weights, double lambda, ClipResult out) {
    return clipAdaptive(grads, weights, lambda, DEFAULT_AGC_EPSILON, out);
  }

  /**
   * Unit-wise adaptive gradient clipping (AGC, Brock et al. 2021): for every row i of every view
   * that has {@link TensorView#adaptiveClipping()} set, with Gᵢ the gradient row and Wᵢ the
   * matching weight row, ‖·‖ the Frobenius (L2) norm and Wᵢ* = max(‖Wᵢ‖, ε):
   *
   * <pre>  if ‖Gᵢ‖ / Wᵢ* &gt; λ then Gᵢ ← (λ·Wᵢ* / ‖Gᵢ‖)·Gᵢ</pre>
   *
   * A vector view is one row (whole-tensor norm). A zero weight row caps ‖Gᵢ‖ at λ·ε. Exempt views
   * are only unscaled. The rule and norm type of this clipper are not used; the loss scale and
   * non-finite policy are (non-finite entries in any gradient view, exempt or not, are detected
   * before any write). Weights are read, never checked: a NaN weight row norm leaves its gradient
   * row unchanged. Passes: one over G (row norms kept in the result's scratch), one over W and G
   * together.
   *
   * @param grads gradient views G, written in place
   * @param weights weight views W: same view count and rows×cols per view, no entry shared with G
   * @param lambda λ ≥ 0 (+∞ allowed: never clips); NFNets use 0.01
   * @param eps ε ≥ 0, finite
   * @param out filled with ‖G‖₂ (pre-clip), the smallest row coefficient, per-view ‖Gᵥ‖₂ and
   *     smallest row coefficient, the number of rows clipped
   * @return {@code out}
   * @throws IllegalArgumentException if the shapes differ or G and W share an entry, or λ, ε are
   *     invalid
   */
  public ClipResult clipAdaptive(
      TensorSet grads, TensorSet weights, double lambda, double eps, ClipResult out) {
    Checks.notNull("grads", grads);
    Checks.notNull("weights", weights);
    Checks.notNull("out", out);
    checkThreshold("lambda", lambda);
    if (!(eps >= 0 && eps < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
    }
    checkPair(grads, weights, out);
    int k = grads.viewCount();
    long rowsTotal = 0;
    for (int i = 0; i < k; i++) {
      rowsTotal += unitRows(grads.view(i));
    }
    if (rowsTotal > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "grads has " + rowsTotal + " AGC rows, more than an array holds");
    }
    out.begin(NormType.L2, k);
    double[] rowSs = out.scratch((int) rowsTotal);
    double acc = 0;
    for (int i = 0, r = 0; i < k; i++) {
      TensorView v = grads.view(i);
      double viewSs;
      if (unitRows(v) > 0) {
        viewSs = 0;
        for (int row = 0; row < v.rows(); row++, r++) {
          rowSs[r] =
              ClipPasses.partial(NormType.L2, v.array(), v.offset() + row * v.cols(), v.cols());
          viewSs += rowSs[r];
        }
      } else {
        viewSs = ClipPasses.partial(NormType.L2, v.array(), v.offset(), v.length());
      }
      out.viewNorm(i, Math.sqrt(viewSs) / lossScale);
      acc += viewSs;
    }
    double total = Math.sqrt(acc) / lossScale;
    if (!Double.isFinite(total)) {
      return onNonFinite(grads, total, out);
    }
    for (int i = 0; i < k; i++) {
      out.viewCoefficient(i, 1.0); // row coefficients are ≤ 1: bounding by 1/s is conservative
    }
    if (overflows(grads, total, out)) {
      return onOverflow(grads, total, out);
    }
    double minCoef = 1;
    int units = 0;
    for (int i = 0, r = 0; i < k; i++) {
      TensorView v = grads.view(i);
      TensorView w = weights.view(i);
      double viewMin = 1;
      if (unitRows(v) == 0) {
        ClipPasses.multiply(v.array(), v.offset(), v.length(), 1.0 / lossScale);
      }
      for (int row = 0, n = unitRows(v); row < n; row++, r++) {
        double g = Math.sqrt(rowSs[r]) / lossScale;
        double wStar =
            Math.max(
                Math.sqrt(
                    ClipPasses.partial(
                        NormType.L2, w.array(), w.offset() + row * w.cols(), w.cols())),
                eps);
        double coef = 1;
        if (g / wStar > lambda) {
          // g > 0 here (the ratio exceeds λ ≥ 0); min(1, ·) guards the rounding of λ·W*/g.
          coef = Math.min(1.0, lambda * wStar / g);
          units++;
        }
        ClipPasses.multiply(v.array(), v.offset() + row * v.cols(), v.cols(), coef / lossScale);
        viewMin = Math.min(viewMin, coef);
      }
      out.viewCoefficient(i, viewMin);
      minCoef = Math.min(minCoef, viewMin);
    }
    out.finish(total, minCoef, units, units > 0);
    return out;
  }

  /**
   * The norm ‖g‖ of all views as one vector, without clipping: L2 √(Σ gᵢ²), L1 Σ|gᵢ|, L∞ max|gᵢ|,
   * overflow-safe (entries up to {@link Float#MAX_VALUE} and subnormals give the right finite
   * value), partials added in view order. NaN or +∞ if an entry is non-finite.
   */
  public static double totalNorm(TensorSet set, NormType type) {
    Checks.notNull("set", set);
    Checks.notNull("type", type);
    double acc = 0;
    for (int i = 0, k = set.viewCount(); i < k; i++) {
      TensorView v = set.view(i);
      acc =
          ClipPasses.combine(
              type, acc, ClipPasses.partial(type, v.array(), v.offset(), v.length()));
    }
    return ClipPasses.norm(type, acc);
  }

  /** Rule, norm type, policy and loss scale. */
  @Override
  public String toString() {
    return "GradientClipper["
        + rule
        + ", "
        + normType
        + ", "
        + policy
        + ", lossScale="
        + lossScale
        + "]";
  }

  // ---- shared steps ----

  /**
   * The measuring pass: per-view partials (raw, into the result's scratch) and norms (unscaled,
   * into the result), combined in view order. Returns ‖g‖ of the unscaled gradient; it is
   * non-finite exactly when some entry is.
   */
  private double measure(TensorSet grads, NormType type, ClipResult out) {
    int k = grads.viewCount();
    out.begin(type, k);
    double[] partials = out.scratch(k);
    double acc = 0;
    for (int i = 0; i < k; i++) {
      TensorView v = grads.view(i);
      partials[i] = ClipPasses.partial(type, v.array(), v.offset(), v.length());
      out.viewNorm(i, ClipPasses.norm(type, partials[i]) / lossScale);
      acc = ClipPasses.combine(type, acc, partials[i]);
    }
    return ClipPasses.norm(type, acc) / lossScale;
  }

  /**
   * True when writing some view's entries times its coefficient / s would leave float's range:
   * impossible while the unscaled total norm N ≤ {@link Float#MAX_VALUE} (every written entry is at
   * most c·|g_i|/s ≤ N for the three norms), else checked exactly from each view's max |g_i|.
   */
  private boolean overflows(TensorSet grads, double total, ClipResult out) {
    if (total <= Float.MAX_VALUE) {
      return false;
    }
    for (int i = 0, k = grads.viewCount(); i < k; i++) {
      if (overflowAt(grads.view(i), out.viewCoefficient(i) / lossScale) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Index in the view of the first entry whose product with factor leaves float, or −1. */
  private static int overflowAt(TensorView v, double factor) {
    float[] a = v.array();
    for (int j = 0, n = v.length(); j < n; j++) {
      if (Math.abs(a[v.offset() + j] * factor) > Float.MAX_VALUE) {
        return j;
      }
    }
    return -1;
  }

  /**
   * Unscaling would overflow (a loss scale below 1 with a huge gradient): the non-finite policy
   * applies to the untouched gradient exactly as for a NaN or ±∞ entry; under THROW the exception
   * names the first entry and the ±∞ it would have become.
   */
  private ClipResult onOverflow(TensorSet grads, double total, ClipResult out) {
    if (policy == NonFinitePolicy.THROW) {
      for (int i = 0, k = grads.viewCount(); i < k; i++) {
        TensorView v = grads.view(i);
        double factor = out.viewCoefficient(i) / lossScale;
        int j = overflowAt(v, factor);
        if (j >= 0) {
          float inf = (float) (v.array()[v.offset() + j] * factor);
          out.finishNonFinite(total, policy);
          throw new NonFiniteGradientException(v.name(), i, j, v.offset() + j, inf);
        }
      }
    }
    return onNonFinite(grads, total, out);
  }

  /**
   * Applies the non-finite policy to an untouched gradient and records it; under THROW the result
   * is recorded first (non-finite total, coefficient 1, nothing clipped), so the caller's holder is
   * in a defined state when the exception arrives.
   */
  private ClipResult onNonFinite(TensorSet grads, double total, ClipResult out) {
    out.finishNonFinite(total, policy);
    switch (policy) {
      case THROW -> throw ClipPasses.firstNonFinite(grads);
      case PROPAGATE -> ClipPasses.fill(grads, Float.NaN);
      case ZERO -> ClipPasses.fill(grads, 0f);
      case SKIP -> {}
    }
    return out;
  }

  /** Rows AGC clips one by one: all rows of an included view with cols &gt; 0, else none. */
  private static int unitRows(TensorView v) {
    return v.adaptiveClipping() && v.cols() > 0 ? v.rows() : 0;
  }

  private static void checkThreshold(String name, double value) {
    if (!(value >= 0)) {
      throw new IllegalArgumentException(name + " must be >= 0 (or +Infinity), got " + value);
    }
  }

  /**
   * Weights must match grads view by view (rows, cols) and share no entry with them (W is read
   * after G rows are written). Checked once per (grads, weights) pair and result holder.
   */
  private static void checkPair(TensorSet grads, TensorSet weights, ClipResult out) {
    if (out.isPairChecked(grads, weights)) {
      return;
    }
    int k = grads.viewCount();
    if (weights.viewCount() != k) {
      throw new IllegalArgumentException(
          "weights has " + weights.viewCount() + " views, grads has " + k);
    }
    for (int i = 0; i < k; i++) {
      TensorView g = grads.view(i);
      TensorView w = weights.view(i);
      if (g.rows() != w.rows() || g.cols() != w.cols()) {
        throw new IllegalArgumentException(
            "view "
                + i
                + ": grads '"
                + g.name()
                + "' is "
                + g.rows()
                + "x"
                + g.cols()
                + " but weights '"
                + w.name()
                + "' is "
                + w.rows()
                + "x"
                + w.cols());
      }
    }
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        if (grads.view(i).overlaps(weights.view(j))) {
          throw new IllegalArgumentException(
              "grads view '"
                  + grads.view(i).name()
                  + "' and weights view '"
                  + weights.view(j).name()
                  + "' share entries of the same array");
        }
      }
    }
    out.markPairChecked(grads, weights);
  }
}
