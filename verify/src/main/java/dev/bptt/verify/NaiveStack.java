package dev.bptt.verify;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.StackLayout;
import java.util.Objects;

/**
 * Naive double-precision reference of {@link dev.bptt.kernel.rnn.StackedRnn} (Elman, GRU and LSTM
 * stacks in PyTorch's layout, {@link StackLayout}, with an optional readout) and of its
 * backpropagation through time — full, truncated(τ) and streaming TBPTT(k1, k2) — that carries,
 * next to every value, a <b>running error bound</b>: how far a computation of the same quantity
 * with rounded arithmetic (the float kernel, or this reference itself against exact arithmetic) can
 * be from the value computed here.
 *
 * <p>Formulas (PyTorch's), per layer k, step t, with input u = x_t (layer 0) or h_t of layer k−1:
 *
 * <pre>
 *   ELMAN  h = φ(W_ih·u + b_ih + W_hh·h_prev + b_hh)
 *   GRU    r = σ(W_ir·u + b_ir + W_hr·h_prev + b_hr), z likewise, hn = W_hn·h_prev + b_hn,
 *          n = tanh(W_in·u + b_in + r⊙hn), h = (1 − z)⊙n + z⊙h_prev
 *   LSTM   i, f, o = σ(·), g = tanh(·) of W·u + b_ih + W_hh·h_prev + b_hh, c = f⊙c_prev + i⊙g,
 *          h = o⊙tanh(c)
 *   y_t = W_fc·h_t(last layer) + b_fc  (without readout the output is h_t of the last layer)
 * </pre>
 *
 * With layer normalization ({@link StackLayout#layerNorm()}) every W_hh,g·h_prev above (per gate
 * block g, without b_hh) is replaced by LN_g(r) = γ_g⊙(r − μ)/√(σ² + ε) + β_g of r = W_hh,g·h_prev,
 * μ and σ² the mean and biased variance of its H entries, ε = 10⁻⁵; backward dn (the gradient of
 * LN_g(r)) gives ∂γ = dn⊙x̂, ∂β = dn and ∂r = s·(dx̂ − mean(dx̂) − x̂·mean(dx̂⊙x̂)), dx̂ = γ⊙dn, s
 * = 1/√(σ² + ε), which takes dn's place in W_hh's gradient and in W_hhᵀ·(·).
 *
 * <p>Everything is computed element by element with plain loops, per step, per layer, per batch
 * row, and the parameter gradients are accumulated per step: no code and no summation order is
 * shared with the kernel (which defers them to GEMMs).
 *
 * <h2>The running bound</h2>
 *
 * A {@link Model} names the arithmetic being bounded: a unit roundoff u per elementary operation
 * (fl(a∘b) = (a∘b)(1+δ), |δ| ≤ u), relative accuracies of σ and tanh, and an absolute amount per
 * operation for underflow. Every quantity v of the computation is paired with e ≥ |v̂ − v| where v̂
 * is the value the modelled arithmetic computes from its own (perturbed) inputs. The rules, each a
 * triangle inequality:
 *
 * <ul>
 *   <li>product: |âb̂ − ab| ≤ |a|e_b + |b|e_a + e_a·e_b, plus rounding u·(|a|+e_a)(|b|+e_b);
 *   <li>sum: e_a + e_b plus u·|â + b̂|;
 *   <li>a sum of n products Σ a_j·b_j (every matrix product, in any summation order, blocked or
 *       not, β-accumulated or not, the biases counted as products with 1): Σ(|a_j|e_{b_j} +
 *       |b_j|e_{a_j} + e_{a_j}e_{b_j}) propagated, plus γ_{2n+2}·Σ(|a_j|+e_{a_j})(|b_j|+e_{b_j})
 *       for the rounding (depth argument of {@link Tolerance#scaledProductSum}) and
 *       (n·(F+2)+1)·tiny;
 *   <li>σ and tanh of an argument known to ±e: Lipschitz constants 1/4 and 1, so e/4 (e), plus the
 *       function's own relative accuracy times |σ(a)| + e/4 (|tanh a| + e);
 *   <li>the GRU update (1 − z)n + z·h_prev, whatever way it is evaluated (n + z(h_prev − n) or the
 *       textbook form): propagated |1−z|e_n + |n|e_z + e_z·e_n + |z|e_h + |h|e_z + e_z·e_h, plus
 *       γ₃·((|n|+e_n)(1+|z|+e_z) + (|z|+e_z)(|h|+e_h));
 *   <li>layer normalization of r (n entries with bounds e_r), whatever the order of its sums: μ =
 *       Σr/n within Σe_r/n + γ_{n+1}·Σ(|r|+e_r)/n; c = r − μ by the sum rule; σ² = Σc²/n within
 *       Σ(2|c|e_c + e_c²)/n + γ_{n+1}·Σ(|c|+e_c)²/n; v = σ² + ε by the sum rule; s = 1/√v, whose
 *       derivative −½v^(−3/2) is largest in magnitude at the low end of [v − e_v, v + e_v], within
 *       ½(v − e_v)^(−3/2)·e_v (infinite once e_v ≥ v) plus γ₃·(s + that) for √, the division and
 *       the rounding to float; x̂ = c·s and γx̂ + β by the product and sum rules. Backward: dx̂ =
 *       γ⊙dn by the product rule, m1 = Σdx̂/n and m2 = Σdx̂·x̂/n as μ and σ² (sums of n products),
 *       dr = s·((dx̂ − m1) − x̂·m2) by the product and sum rules.
 * </ul>
 *
 * The backward pass applies the same rules to its own formulas, with the forward values it reads
 * carrying their forward bounds, so the bound of a gradient accounts for the rounding of the whole
 * forward pass too. A sum of truncation chains (Δ_t = Σ_s δ⁽ˢ⁾_t, n chains) adds γ_{n}·Σ|terms|; a
 * norm (trace) of a vector v with entry bounds e is within ‖e‖₂ + γ_{n+2}·(‖v‖ + ‖e‖₂) (triangle
 * inequality, then a float sum of n squares in any order, a square root and one rounding).
 *
 * <p>{@link Model#FLOAT} bounds |kernel − this reference| (float operations u = 2⁻²⁴, the Panama σ
 * within 2.4 ulp and tanh within 1.5 ulp of the correctly rounded value, so 2.9 and 2 ulp of the
 * exact value, scalar twins tighter; plus the double reference's own rounding, so the two errors
 * add per operation); {@link Model#DOUBLE} bounds |this reference − exact arithmetic| (for the
 * finite-difference validation).
 *
 * <h2>Arrays</h2>
 *
 * Inputs x [T][B][D]; the initial state and ∂L/∂(initial state) in the kernel's compact layout, h_0
 * as [layers][B][H] then for the LSTM c_0 as [layers][B][H]; upstream gradients over every step
 * [T][B][O′] (only loss steps are read).
 */
public final class NaiveStack {

  /**
   * The rounding model a bound is for.
   *
   * @param u unit roundoff of one elementary operation
   * @param sigmoidRel relative accuracy of σ (against the exact σ of the computed argument)
   * @param tanhRel relative accuracy of tanh
   * @param tiny absolute error per operation from underflow
   */
  public record Model(double u, double sigmoidRel, double tanhRel, double tiny) {
    /**
     * The float kernel against this double reference: u = 2⁻²⁴ (+ 2⁻⁵² for the reference), σ within
     * 2.4 + 0.5 ulp ≤ 2.9·2⁻²³ relative, tanh within 1.5 + 0.5 ulp ≤ 2·2⁻²³ relative (plus the
     * double {@link Math#exp}/{@link Math#tanh} errors), underflow {@link Float#MIN_VALUE} per
     * operation.
     */
    public static final Model FLOAT =
        new Model(0x1p-24 + 0x1p-52, 2.9 * 0x1p-23 + 0x1p-50, 2.0 * 0x1p-23 + 0x1p-50, 0x1p-149);

    /**
     * This reference against exact arithmetic: u = 2⁻⁵³, {@link Math#exp}, {@link Math#tanh} and
     * the few operations of σ within 4·2⁻⁵², underflow {@link Double#MIN_VALUE}.
     */
    public static final Model DOUBLE = new Model(0x1p-53, 0x1p-50, 0x1p-50, Double.MIN_VALUE);

    /** γ_k = k·u/(1 − k·u), +∞ once k·u ≥ 1. */
    public double gamma(long k) {
      double ku = k * u;
      return ku >= 1 ? Double.POSITIVE_INFINITY : ku / (1 - ku);
    }
  }

  /** Which backward pass: full BPTT, truncation τ, or streaming windows (k1, k2). */
  public record Mode(int kind, int a, int b) {
    /** Full BPTT. */
    public static Mode full() {
      return new Mode(0, 0, 0);
    }

    /** Each loss s reaches steps s..max(1, s−τ+1). */
    public static Mode truncated(int tau) {
      return new Mode(1, tau, 0);
    }

    /**
     * Windows end at e_j = min((j+1)·k1, T), span lo_j = max(1, e_j − k2 + 1)..e_j, carry the
     * losses of e_{j−1}+1..e_j, nothing flows into h_{lo_j − 1} (StreamingEngine's definition).
     */
    public static Mode streaming(int k1, int k2) {
      return new Mode(2, k1, k2);
    }
  }

  private final StackLayout layout;
  private final Activation act;
  private final Model m;
  private final CellType cell;
  private final int gates;
  private final int hs;
  private final int layers;
  private final int outs;
  private final int top;

  /**
   * @param layout parameter layout
   * @param activation φ of Elman layers (ignored by gated ones)
   * @param model the arithmetic the bounds are for
   */
  public NaiveStack(StackLayout layout, Activation activation, Model model) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.act = Objects.requireNonNull(activation, "activation");
    this.m = Objects.requireNonNull(model, "model");
    this.cell = layout.cell();
    this.gates = cell.gates();
    this.hs = layout.hiddenSize();
    this.layers = layout.layers();
    this.outs = layout.outputSize();
    this.top = layers - 1;
  }

  /** The layout. */
  public StackLayout layout() {
    return layout;
  }

  /** Carried floats per sequence: layers·H (LSTM 2·layers·H). */
  public int stateSize() {
    return cell.carriedVectors() * layers * hs;
  }

  /**
   * A forward pass: per layer k, h[k] [T+1][B][H] (h_0 first) and for the LSTM c[k]; the activated
   * gates per step [T][B][G·H] (LSTM i f g o, GRU r z n, empty for Elman); for the GRU hn[k] =
   * W_hn·h_prev + b_hn [T][B][H]; outputs y [T][B][O′]. Every array has its bound array (prefix e).
   */
  public static final class Forward {
    public final int steps;
    public final int batch;
    public final double[][] h;
    public final double[][] eh;
    public final double[][] c;
    public final double[][] ec;
    public final double[][] gate;
    public final double[][] egate;
    public final double[][] hn;
    public final double[][] ehn;
    public final double[] y;
    public final double[] ey;

    /** With layer normalization: x̂ [T][B][G·H] and s = 1/√(σ² + ε) [T][B][G] per layer. */
    public final double[][] xhat;

    public final double[][] exhat;
    public final double[][] lnScale;
    public final double[][] elnScale;
    double[] x;

    Forward(
        int steps,
        int batch,
        int layers,
        int h,
        int g,
        int w,
        boolean lstm,
        boolean gru,
        boolean ln) {
      this.steps = steps;
      this.batch = batch;
      int states = (steps + 1) * batch * h, gatesN = steps * batch * (g == 1 ? 0 : g * h);
      this.h = new double[layers][states];
      this.eh = new double[layers][states];
      this.c = new double[layers][lstm ? states : 0];
      this.ec = new double[layers][lstm ? states : 0];
      this.gate = new double[layers][gatesN];
      this.egate = new double[layers][gatesN];
      this.hn = new double[layers][gru ? steps * batch * h : 0];
      this.ehn = new double[layers][gru ? steps * batch * h : 0];
      this.y = new double[steps * batch * w];
      this.ey = new double[steps * batch * w];
      int lnN = ln ? steps * batch * g * h : 0, lnS = ln ? steps * batch * g : 0;
      this.xhat = new double[layers][lnN];
      this.exhat = new double[layers][lnN];
      this.lnScale = new double[layers][lnS];
      this.elnScale = new double[layers][lnS];
    }
  }

  /**
   * A backward pass: parameter gradients (grads0 + the pass's) with bounds, ∂L/∂(initial state)
   * with bounds (null for streaming), and per step the traces ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ (LSTM) of the
   * last layer with bounds.
   */
  public record Backward(
      double[] grads,
      double[] gradsErr,
      double[] ds0,
      double[] ds0Err,
      double[] traceDh,
      double[] traceDhErr,
      double[] traceDc,
      double[] traceDcErr) {}

  // ---------------------------------------------------------------- forward

  /**
   * Runs T steps for B sequences.
   *
   * @param p parameters ({@link StackLayout#size()})
   * @param steps T
   * @param batch B
   * @param x inputs [T][B][D]
   * @param s0 initial state (compact layout), or null for zeros
   */
  public Forward forward(double[] p, int steps, int batch, double[] x, double[] s0) {
    final int h = hs, w = layout.stepOutputSize(), gh = gates * h;
    Forward f =
        new Forward(
            steps,
            batch,
            layers,
            h,
            gates,
            w,
            cell == CellType.LSTM,
            cell == CellType.GRU,
            layout.layerNorm());
    f.x = x;
    if (s0 != null) {
      for (int k = 0; k < layers; k++) {
        System.arraycopy(s0, k * batch * h, f.h[k], 0, batch * h);
        if (cell == CellType.LSTM) {
          System.arraycopy(s0, (layers + k) * batch * h, f.c[k], 0, batch * h);
        }
      }
    }
    Acc acc = new Acc();
    double[] pre = new double[gh], epre = new double[gh];
    final boolean ln = layout.layerNorm();
    // The hidden-side term per gate row: W_hh·h_prev, or with layer normalization
    // LN_g(W_hh·h_prev).
    double[] hid = new double[gh], ehid = new double[gh];
    for (int t = 1; t <= steps; t++) {
      for (int k = 0; k < layers; k++) {
        int dk = layout.layerInputSize(k);
        int wih = layout.offWeightIh(k), whh = layout.offWeightHh(k);
        int bih = layout.offBiasIh(k), bhh = layout.offBiasHh(k);
        for (int b = 0; b < batch; b++) {
          double[] u = k == 0 ? x : f.h[k - 1];
          double[] eu = k == 0 ? null : f.eh[k - 1];
          int uRow = k == 0 ? ((t - 1) * batch + b) * dk : (t * batch + b) * h;
          int prev = ((t - 1) * batch + b) * h, cur = (t * batch + b) * h;
          int gRow = ((t - 1) * batch + b) * gh, nRow = ((t - 1) * batch + b) * h;
          double[] hp = f.h[k], ehp = f.eh[k];
          if (ln) {
            for (int row = 0; row < gh; row++) {
              acc.reset();
              input(acc, p, whh + row * h, h, hp, ehp, prev);
              hid[row] = acc.v;
              ehid[row] = acc.err();
            }
            int lnRow = ((t - 1) * batch + b) * gates;
            for (int q = 0; q < gates; q++) {
              layerNorm(f, k, p, layout.offLayerNormWeight(k), q, gRow, lnRow + q, hid, ehid);
            }
          }
          if (cell == CellType.GRU) {
            for (int j = 0; j < h; j++) {
              // r and z: one sum each of b_ih + W_i·u + W_h·h_prev + b_hh.
              for (int q = 0; q < 2; q++) {
                int row = q * h + j;
                acc.reset();
                acc.exact(p[bih + row]);
                acc.exact(p[bhh + row]);
                input(acc, p, wih + row * dk, dk, u, eu, uRow);
                if (!ln) {
                  input(acc, p, whh + row * h, h, hp, ehp, prev);
                }
                double a = acc.v, ea = acc.err();
                if (ln) {
                  // The kernel's (x + LN) + b_hh after x = b_ih + W_ih·u: two more roundings.
                  double sum = a + hid[row];
                  ea = addErr(sum, ea, ehid[row]) + m.u() * (Math.abs(sum) + ea + ehid[row]);
                  a = sum;
                }
                f.gate[k][gRow + row] = sigmoid(a);
                f.egate[k][gRow + row] = sigmoidErr(a, ea);
              }
              int nr = 2 * h + j;
              double hnv, ehn;
              if (ln) {
                hnv = p[bhh + nr] + hid[nr];
                ehn = addErr(hnv, 0, ehid[nr]);
              } else {
                acc.reset();
                acc.exact(p[bhh + nr]);
                input(acc, p, whh + nr * h, h, hp, ehp, prev);
                hnv = acc.v;
                ehn = acc.err();
              }
              f.hn[k][nRow + j] = hnv;
              f.ehn[k][nRow + j] = ehn;
              acc.reset();
              acc.exact(p[bih + nr]);
              input(acc, p, wih + nr * dk, dk, u, eu, uRow);
              double xn = acc.v, exn = acc.err();
              double r = f.gate[k][gRow + j], er = f.egate[k][gRow + j];
              double rh = r * hnv, erh = mulErr(r, er, hnv, ehn);
              double arg = xn + rh, earg = addErr(arg, exn, erh);
              double n = Math.tanh(arg), en = tanhErr(arg, earg);
              f.gate[k][gRow + nr] = n;
              f.egate[k][gRow + nr] = en;
              double z = f.gate[k][gRow + h + j], ez = f.egate[k][gRow + h + j];
              double hv = hp[prev + j], ehv = ehp[prev + j];
              f.h[k][cur + j] = (1 - z) * n + z * hv;
              f.eh[k][cur + j] = gruUpdateErr(n, en, z, ez, hv, ehv);
            }
            continue;
          }
          for (int row = 0; row < gh; row++) {
            acc.reset();
            acc.exact(p[bih + row]);
            acc.exact(p[bhh + row]);
            input(acc, p, wih + row * dk, dk, u, eu, uRow);
            if (ln) {
              double sum = acc.v + hid[row];
              pre[row] = sum;
              epre[row] = addErr(sum, acc.err(), ehid[row]);
              continue;
            }
            input(acc, p, whh + row * h, h, hp, ehp, prev);
            pre[row] = acc.v;
            epre[row] = acc.err();
          }
          if (cell == CellType.ELMAN) {
            for (int j = 0; j < h; j++) {
              f.h[k][cur + j] = NaiveRnn.phi(act, pre[j]);
              f.eh[k][cur + j] = phiErr(pre[j], epre[j]);
            }
            continue;
          }
          // LSTM
          for (int j = 0; j < h; j++) {
            double i = sigmoid(pre[j]), ei = sigmoidErr(pre[j], epre[j]);
            double fg = sigmoid(pre[h + j]), ef = sigmoidErr(pre[h + j], epre[h + j]);
            double g = Math.tanh(pre[2 * h + j]), eg = tanhErr(pre[2 * h + j], epre[2 * h + j]);
            double o = sigmoid(pre[3 * h + j]), eo = sigmoidErr(pre[3 * h + j], epre[3 * h + j]);
            double[] gv = f.gate[k], ge = f.egate[k];
            gv[gRow + j] = i;
            ge[gRow + j] = ei;
            gv[gRow + h + j] = fg;
            ge[gRow + h + j] = ef;
            gv[gRow + 2 * h + j] = g;
            ge[gRow + 2 * h + j] = eg;
            gv[gRow + 3 * h + j] = o;
            ge[gRow + 3 * h + j] = eo;
            double cp = f.c[k][prev + j], ecp = f.ec[k][prev + j];
            double fc = fg * cp, efc = mulErr(fg, ef, cp, ecp);
            double ig = i * g, eig = mulErr(i, ei, g, eg);
            double cv = fc + ig, ecv = addErr(cv, efc, eig);
            f.c[k][cur + j] = cv;
            f.ec[k][cur + j] = ecv;
            double tc = Math.tanh(cv), etc = tanhErr(cv, ecv);
            f.h[k][cur + j] = o * tc;
            f.eh[k][cur + j] = mulErr(o, eo, tc, etc);
          }
        }
      }
      // Outputs of step t.
      for (int b = 0; b < batch; b++) {
        int hRow = (t * batch + b) * h, yRow = ((t - 1) * batch + b) * w;
        if (outs == 0) {
          System.arraycopy(f.h[top], hRow, f.y, yRow, h);
          System.arraycopy(f.eh[top], hRow, f.ey, yRow, h);
          continue;
        }
        int wy = layout.offReadoutWeight(), by = layout.offReadoutBias();
        for (int o = 0; o < outs; o++) {
          acc.reset();
          acc.exact(p[by + o]);
          input(acc, p, wy + o * h, h, f.h[top], f.eh[top], hRow);
          f.y[yRow + o] = acc.v;
          f.ey[yRow + o] = acc.err();
        }
      }
    }
    return f;
  }

  /** acc += Σ_j p[w + j]·u[uOff + j] (weights exact, u with bounds eu, or exact when null). */
  private static void input(Acc acc, double[] p, int w, int n, double[] u, double[] eu, int uOff) {
    for (int j = 0; j < n; j++) {
      acc.term(p[w + j], 0, u[uOff + j], eu == null ? 0 : eu[uOff + j]);
    }
  }

  /** Layer normalization's ε (torch.nn.LayerNorm's default). */
  static final double LN_EPS = 1e-5;

  /**
   * Layer normalization of gate block q of one row, in place over hid/ehid (r → γx̂ + β, bounds as
   * in the class comment); x̂ and s with their bounds go to f at gRow and sRow.
   */
  private void layerNorm(
      Forward f,
      int k,
      double[] p,
      int lnW,
      int q,
      int gRow,
      int sRow,
      double[] hid,
      double[] ehid) {
    final int n = hs, gh = gates * hs, o = q * n;
    final int lnB = lnW + gh;
    double sum = 0, esum = 0, msum = 0;
    for (int j = 0; j < n; j++) {
      sum += hid[o + j];
      esum += ehid[o + j];
      msum += Math.abs(hid[o + j]) + ehid[o + j];
    }
    double mu = sum / n, emu = esum / n + m.gamma(n + 1) * msum / n + n * m.tiny();
    double[] c = new double[n], ec = new double[n];
    double var = 0, evar = 0, mvar = 0;
    for (int j = 0; j < n; j++) {
      c[j] = hid[o + j] - mu;
      ec[j] = addErr(c[j], ehid[o + j], emu);
      double ac = Math.abs(c[j]);
      var += c[j] * c[j];
      evar += 2 * bmul(ac, ec[j]) + ec[j] * ec[j];
      mvar += (ac + ec[j]) * (ac + ec[j]);
    }
    var /= n;
    evar = evar / n + m.gamma(n + 1) * mvar / n + 2 * n * m.tiny();
    if (n == 1) {
      // μ = r/1 = r and c = r − μ = 0 exactly in any arithmetic: x̂ = 0, σ² = 0 without error.
      ec[0] = 0;
      evar = 0;
    }
    double v = var + LN_EPS, ev = addErr(v, evar, 0);
    double sc = 1 / Math.sqrt(v);
    double esc = ev >= v ? Double.POSITIVE_INFINITY : 0.5 * Math.pow(v - ev, -1.5) * ev;
    esc += m.gamma(3) * (sc + esc) + m.tiny();
    f.lnScale[k][sRow] = sc;
    f.elnScale[k][sRow] = esc;
    for (int j = 0; j < n; j++) {
      double xh = c[j] * sc, exh = mulErr(c[j], ec[j], sc, esc);
      f.xhat[k][gRow + o + j] = xh;
      f.exhat[k][gRow + o + j] = exh;
      double g = p[lnW + o + j], gx = g * xh, egx = mulErr(g, 0, xh, exh);
      double out = gx + p[lnB + o + j];
      hid[o + j] = out;
      ehid[o + j] = addErr(out, egx, 0);
    }
  }

  // ---------------------------------------------------------------- backward

  /** δ of one chain or of a sum of chains, per layer over rows (t−1)·B + b. */
  private final class Delta {
    final double[][] dx, edx, dhh, edhh, dh, edh, dc, edc;
    // With layer normalization ∂L/∂r per gate row (empty without).
    final double[][] dr, edr, mdr;
    // For sums of chains: Σ|terms| and counts per entry (summed lazily into the bounds).
    final double[][] mdx, mdhh, mdh, mdc;
    final int[][] ndx;

    Delta(int rows) {
      int g = gates * hs, c = cell == CellType.LSTM ? rows * hs : 0;
      dx = new double[layers][rows * g];
      edx = new double[layers][rows * g];
      dhh = new double[layers][rows * g];
      edhh = new double[layers][rows * g];
      dh = new double[layers][rows * hs];
      edh = new double[layers][rows * hs];
      dc = new double[layers][c];
      edc = new double[layers][c];
      mdx = new double[layers][rows * g];
      mdhh = new double[layers][rows * g];
      mdh = new double[layers][rows * hs];
      mdc = new double[layers][c];
      ndx = new int[layers][rows];
      int lr = layout.layerNorm() ? rows * g : 0;
      dr = new double[layers][lr];
      edr = new double[layers][lr];
      mdr = new double[layers][lr];
    }

    /** this += chain over rows [r0, r1) (sums of chains: values, bounds, Σ|·| and counts). */
    void add(Delta ch, int r0, int r1) {
      int g = gates * hs;
      for (int k = 0; k < layers; k++) {
        addRange(dx[k], edx[k], mdx[k], ch.dx[k], ch.edx[k], r0 * g, r1 * g);
        addRange(dhh[k], edhh[k], mdhh[k], ch.dhh[k], ch.edhh[k], r0 * g, r1 * g);
        if (layout.layerNorm()) {
          addRange(dr[k], edr[k], mdr[k], ch.dr[k], ch.edr[k], r0 * g, r1 * g);
        }
        addRange(dh[k], edh[k], mdh[k], ch.dh[k], ch.edh[k], r0 * hs, r1 * hs);
        if (cell == CellType.LSTM) {
          addRange(dc[k], edc[k], mdc[k], ch.dc[k], ch.edc[k], r0 * hs, r1 * hs);
        }
        for (int r = r0; r < r1; r++) {
          ndx[k][r]++;
        }
      }
    }

    /** Adds the summation rounding γ_n·Σ|terms| of the chain sums to the bounds. */
    void close() {
      int g = gates * hs;
      for (int k = 0; k < layers; k++) {
        for (int r = 0; r < ndx[k].length; r++) {
          double gam = m.gamma(Math.max(0, ndx[k][r] - 1));
          if (gam == 0) {
            continue;
          }
          for (int i = r * g; i < (r + 1) * g; i++) {
            edx[k][i] += gam * mdx[k][i];
            edhh[k][i] += gam * mdhh[k][i];
            if (layout.layerNorm()) {
              edr[k][i] += gam * mdr[k][i];
            }
          }
          for (int i = r * hs; i < (r + 1) * hs; i++) {
            edh[k][i] += gam * mdh[k][i];
            if (cell == CellType.LSTM) {
              edc[k][i] += gam * mdc[k][i];
            }
          }
        }
      }
    }
  }

  private static void addRange(
      double[] v, double[] e, double[] mag, double[] cv, double[] ce, int from, int to) {
    for (int i = from; i < to; i++) {
      v[i] += cv[i];
      e[i] += ce[i];
      mag[i] += Math.abs(cv[i]) + ce[i];
    }
  }

  /**
   * Backpropagation through time of the linear loss L = Σ_{t with loss} ⟨dOut_t, out_t⟩ under
   * {@code mode}, added to grads0.
   *
   * @param p parameters
   * @param f the forward pass of p
   * @param dOut ∂L/∂(output) of every step [T][B][O′] (only loss steps are read)
   * @param lossAt loss steps (index t−1), null for all
   * @param grads0 gradients the pass adds to (null: zeros)
   * @param mode full, truncated or streaming
   */
  public Backward backward(
      double[] p, Forward f, double[] dOut, boolean[] lossAt, double[] grads0, Mode mode) {
    final int steps = f.steps, batch = f.batch, rows = steps * batch;
    int n = layout.size();
    Grads g = new Grads(n, grads0);
    double[] tdh = new double[steps], tdhE = new double[steps];
    double[] tdc = cell == CellType.LSTM ? new double[steps] : null;
    double[] tdcE = cell == CellType.LSTM ? new double[steps] : null;
    double[] ds0 = null, ds0E = null;
    if (mode.kind() == 2) {
      int k1 = mode.a(), k2 = mode.b();
      for (int done = 0; done < steps; ) {
        int end = Math.min(steps, done + k1), lo = Math.max(1, end - k2 + 1);
        Delta d = chain(p, f, dOut, lossAt, done + 1, lo, end);
        weightGrads(p, f, dOut, lossAt, done + 1, lo, end, d, g);
        traces(d, batch, lo, end, tdh, tdhE, tdc, tdcE);
        done = end;
      }
    } else {
      Delta total;
      if (mode.kind() == 0) {
        total = chain(p, f, dOut, lossAt, 1, 1, steps);
      } else {
        total = new Delta(rows);
        for (int s = 1; s <= steps; s++) {
          if (lossAt != null && !lossAt[s - 1]) {
            continue;
          }
          int lo = Math.max(1, s - mode.a() + 1);
          total.add(chain(p, f, dOut, lossAt, s, lo, s), (lo - 1) * batch, s * batch);
        }
        total.close();
      }
      weightGrads(p, f, dOut, lossAt, 1, 1, steps, total, g);
      traces(total, batch, 1, steps, tdh, tdhE, tdc, tdcE);
      ds0 = new double[batch * stateSize()];
      ds0E = new double[batch * stateSize()];
      initialStateGrad(p, f, total, ds0, ds0E);
    }
    double[][] ge = g.close();
    return new Backward(ge[0], ge[1], ds0, ds0E, tdh, tdhE, tdc, tdcE);
  }

  /**
   * The δ of the losses at steps ≥ lossFrom (and ≤ hi) backpropagated through steps hi..lo, nothing
   * flowing in at hi or out below lo.
   */
  private Delta chain(
      double[] p, Forward f, double[] dOut, boolean[] lossAt, int lossFrom, int lo, int hi) {
    final int batch = f.batch, h = hs, gh = gates * h, w = layout.stepOutputSize();
    Delta d = new Delta(f.steps * batch);
    Acc acc = new Acc();
    final boolean ln = layout.layerNorm();
    for (int t = hi; t >= lo; t--) {
      boolean loss = t >= lossFrom && (lossAt == null || lossAt[t - 1]);
      for (int k = top; k >= 0; k--) {
        int whh = layout.offWeightHh(k);
        for (int b = 0; b < batch; b++) {
          int row = (t - 1) * batch + b, next = row + batch;
          for (int j = 0; j < h; j++) {
            acc.reset();
            if (k == top && loss) {
              int dy = row * w;
              if (outs > 0) {
                int wy = layout.offReadoutWeight();
                for (int o = 0; o < outs; o++) {
                  acc.term(p[wy + o * h + j], 0, dOut[dy + o], 0);
                }
              } else {
                acc.term(dOut[dy + j], 0, 1, 0);
              }
            }
            if (t < hi) {
              double[] rg = ln ? d.dr[k] : d.dhh[k], erg = ln ? d.edr[k] : d.edhh[k];
              for (int q = 0; q < gh; q++) {
                acc.term(p[whh + q * h + j], 0, rg[next * gh + q], erg[next * gh + q]);
              }
              if (cell == CellType.GRU) {
                int zi = ((t) * batch + b) * gh + h + j; // z of step t+1
                acc.term(
                    f.gate[k][zi], f.egate[k][zi], d.dh[k][next * h + j], d.edh[k][next * h + j]);
              }
            }
            if (k < top) {
              int wih = layout.offWeightIh(k + 1);
              for (int q = 0; q < gh; q++) {
                acc.term(
                    p[wih + q * h + j], 0, d.dx[k + 1][row * gh + q], d.edx[k + 1][row * gh + q]);
              }
            }
            d.dh[k][row * h + j] = acc.v;
            d.edh[k][row * h + j] = acc.err();
            if (cell == CellType.LSTM) {
              if (t < hi) {
                int fi = (t * batch + b) * gh + h + j; // f of step t+1
                double fv = f.gate[k][fi], ef = f.egate[k][fi];
                double dcn = d.dc[k][next * h + j], edcn = d.edc[k][next * h + j];
                d.dc[k][row * h + j] = fv * dcn;
                d.edc[k][row * h + j] = mulErr(fv, ef, dcn, edcn);
              }
            }
          }
          local(f, d, k, t, b);
          if (ln) {
            layerNormGrad(p, f, d, k, (t - 1) * batch + b);
          }
        }
      }
    }
    return d;
  }

  /** Gathered ∂L/∂h_t (and the incoming ∂L/∂c_t) of one row become the gate gradients. */
  private void local(Forward f, Delta d, int k, int t, int b) {
    final int batch = f.batch, h = hs, gh = gates * h;
    int row = (t - 1) * batch + b, cur = (t * batch + b) * h, prev = ((t - 1) * batch + b) * h;
    int gRow = row * gh;
    double[] dx = d.dx[k], edx = d.edx[k], dhh = d.dhh[k], edhh = d.edhh[k];
    for (int j = 0; j < h; j++) {
      double dh = d.dh[k][row * h + j], edh = d.edh[k][row * h + j];
      switch (cell) {
        case ELMAN -> {
          double hv = f.h[k][cur + j], ehv = f.eh[k][cur + j];
          double v, e;
          switch (act) {
            case TANH -> {
              double sq = hv * hv, esq = mulErr(hv, ehv, hv, ehv);
              double om = 1 - sq, eom = oneMinusErr(sq, esq);
              v = dh * om;
              e = mulErr(dh, edh, om, eom);
            }
            case SIGMOID -> {
              double om = 1 - hv, eom = oneMinusErr(hv, ehv);
              double s = hv * om, es = mulErr(hv, ehv, om, eom);
              v = dh * s;
              e = mulErr(dh, edh, s, es);
            }
            case RELU -> {
              v = hv > 0 ? dh : 0;
              // The kernel's ĥ > 0 agrees with h > 0 unless h is within its bound of 0.
              e = hv > ehv ? edh : Math.abs(dh) + edh;
            }
            default -> {
              v = dh;
              e = edh;
            }
          }
          dx[gRow + j] = v;
          edx[gRow + j] = e;
          dhh[gRow + j] = v;
          edhh[gRow + j] = e;
        }
        case LSTM -> {
          double[] gv = f.gate[k], ge = f.egate[k];
          int gi = ((t - 1) * batch + b) * gh;
          double i = gv[gi + j], ei = ge[gi + j], fg = gv[gi + h + j], ef = ge[gi + h + j];
          double g = gv[gi + 2 * h + j], eg = ge[gi + 2 * h + j];
          double o = gv[gi + 3 * h + j], eo = ge[gi + 3 * h + j];
          double c = f.c[k][cur + j], ecv = f.ec[k][cur + j];
          double cp = f.c[k][prev + j], ecp = f.ec[k][prev + j];
          double tau = Math.tanh(c), etau = tanhErr(c, ecv);
          double sq = tau * tau, esq = mulErr(tau, etau, tau, etau);
          double om = 1 - sq, eom = oneMinusErr(sq, esq);
          double a1 = dh * o, ea1 = mulErr(dh, edh, o, eo);
          double a2 = a1 * om, ea2 = mulErr(a1, ea1, om, eom);
          double dcIn = d.dc[k][row * h + j], edcIn = d.edc[k][row * h + j];
          double dc = dcIn + a2, edc = addErr(dc, edcIn, ea2);
          d.dc[k][row * h + j] = dc;
          d.edc[k][row * h + j] = edc;
          double si = i * (1 - i), esi = mulErr(i, ei, 1 - i, oneMinusErr(i, ei));
          double sf = fg * (1 - fg), esf = mulErr(fg, ef, 1 - fg, oneMinusErr(fg, ef));
          double so = o * (1 - o), eso = mulErr(o, eo, 1 - o, oneMinusErr(o, eo));
          double gg = g * g, egg = mulErr(g, eg, g, eg);
          double sg = 1 - gg, esg = oneMinusErr(gg, egg);
          double[] v = new double[4], e = new double[4];
          double p1 = dc * g, ep1 = mulErr(dc, edc, g, eg);
          v[0] = p1 * si;
          e[0] = mulErr(p1, ep1, si, esi);
          double p2 = dc * cp, ep2 = mulErr(dc, edc, cp, ecp);
          v[1] = p2 * sf;
          e[1] = mulErr(p2, ep2, sf, esf);
          double p3 = dc * i, ep3 = mulErr(dc, edc, i, ei);
          v[2] = p3 * sg;
          e[2] = mulErr(p3, ep3, sg, esg);
          double p4 = dh * tau, ep4 = mulErr(dh, edh, tau, etau);
          v[3] = p4 * so;
          e[3] = mulErr(p4, ep4, so, eso);
          for (int q = 0; q < 4; q++) {
            dx[gRow + q * h + j] = v[q];
            edx[gRow + q * h + j] = e[q];
            dhh[gRow + q * h + j] = v[q];
            edhh[gRow + q * h + j] = e[q];
          }
        }
        case GRU -> {
          double[] gv = f.gate[k], ge = f.egate[k];
          int gi = ((t - 1) * batch + b) * gh;
          double r = gv[gi + j], er = ge[gi + j], z = gv[gi + h + j], ez = ge[gi + h + j];
          double n = gv[gi + 2 * h + j], en = ge[gi + 2 * h + j];
          int ni = ((t - 1) * batch + b) * h + j;
          double hnv = f.hn[k][ni], ehn = f.ehn[k][ni];
          double hp = f.h[k][prev + j], ehp = f.eh[k][prev + j];
          double omz = 1 - z, eomz = oneMinusErr(z, ez);
          double nn = n * n, enn = mulErr(n, en, n, en);
          double omn = 1 - nn, eomn = oneMinusErr(nn, enn);
          double a1 = dh * omz, ea1 = mulErr(dh, edh, omz, eomz);
          double dxn = a1 * omn, edxn = mulErr(a1, ea1, omn, eomn);
          double sr = r * (1 - r), esr = mulErr(r, er, 1 - r, oneMinusErr(r, er));
          double sz = z * (1 - z), esz = mulErr(z, ez, omz, eomz);
          double a2 = dxn * hnv, ea2 = mulErr(dxn, edxn, hnv, ehn);
          double dr = a2 * sr, edr = mulErr(a2, ea2, sr, esr);
          double df = hp - n, edf = addErr(df, ehp, en);
          double a3 = dh * df, ea3 = mulErr(dh, edh, df, edf);
          double dz = a3 * sz, edz = mulErr(a3, ea3, sz, esz);
          dx[gRow + j] = dr;
          edx[gRow + j] = edr;
          dx[gRow + h + j] = dz;
          edx[gRow + h + j] = edz;
          dx[gRow + 2 * h + j] = dxn;
          edx[gRow + 2 * h + j] = edxn;
          dhh[gRow + j] = dr;
          edhh[gRow + j] = edr;
          dhh[gRow + h + j] = dz;
          edhh[gRow + h + j] = edz;
          dhh[gRow + 2 * h + j] = dxn * r;
          edhh[gRow + 2 * h + j] = mulErr(dxn, edxn, r, er);
        }
      }
    }
  }

  /** ∂L/∂r of every gate block of one row from dn (the hidden-side gradients), x̂ and s. */
  private void layerNormGrad(double[] p, Forward f, Delta d, int k, int row) {
    final int n = hs, gh = gates * hs, lnW = layout.offLayerNormWeight(k);
    double[] dn = d.dhh[k], edn = d.edhh[k], xh = f.xhat[k], exh = f.exhat[k];
    double[] dxh = new double[n], edxh = new double[n];
    for (int q = 0; q < gates; q++) {
      int o = row * gh + q * n;
      double s1 = 0, e1 = 0, mg1 = 0, s2 = 0, e2 = 0, mg2 = 0;
      for (int j = 0; j < n; j++) {
        double g = p[lnW + q * n + j];
        dxh[j] = g * dn[o + j];
        edxh[j] = mulErr(g, 0, dn[o + j], edn[o + j]);
        double ad = Math.abs(dxh[j]), ax = Math.abs(xh[o + j]);
        s1 += dxh[j];
        e1 += edxh[j];
        mg1 += ad + edxh[j];
        s2 += dxh[j] * xh[o + j];
        e2 += bmul(ad, exh[o + j]) + bmul(ax, edxh[j]) + bmul(edxh[j], exh[o + j]);
        mg2 += bmul(ad + edxh[j], ax + exh[o + j]);
      }
      double m1 = s1 / n, em1 = e1 / n + m.gamma(n + 1) * mg1 / n + n * m.tiny();
      double m2 = s2 / n, em2 = e2 / n + m.gamma(2 * n + 1) * mg2 / n + 2 * n * m.tiny();
      double sc = f.lnScale[k][row * gates + q], esc = f.elnScale[k][row * gates + q];
      for (int j = 0; j < n; j++) {
        double a = dxh[j] - m1, ea = addErr(a, edxh[j], em1);
        double pr = xh[o + j] * m2, epr = mulErr(xh[o + j], exh[o + j], m2, em2);
        double t = a - pr, et = addErr(t, ea, epr);
        d.dr[k][o + j] = sc * t;
        // n = 1: m1 = dx̂ and x̂ = 0 exactly, so dr = 0 in any arithmetic.
        d.edr[k][o + j] = n == 1 ? 0 : mulErr(sc, esc, t, et);
      }
    }
  }

  /** Per-parameter accumulators: values, propagated bounds, Σ|terms|, term counts. */
  private final class Grads {
    final double[] v, prop, mag;
    final long[] cnt;
    double maxFactor = 1;

    Grads(int n, double[] g0) {
      v = new double[n];
      prop = new double[n];
      mag = new double[n];
      cnt = new long[n];
      if (g0 != null) {
        for (int i = 0; i < n; i++) {
          v[i] = g0[i];
          mag[i] = Math.abs(g0[i]);
          cnt[i] = 1;
        }
      }
    }

    void term(int i, double a, double ea, double b, double eb) {
      v[i] += a * b;
      prop[i] += bmul(Math.abs(a), eb) + bmul(Math.abs(b), ea) + bmul(ea, eb);
      mag[i] += bmul(Math.abs(a) + ea, Math.abs(b) + eb);
      cnt[i]++;
      maxFactor = Math.max(maxFactor, Math.max(Math.abs(a) + ea, Math.abs(b) + eb));
    }

    double[][] close() {
      double[] e = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        e[i] =
            prop[i]
                + bmul(m.gamma(2 * cnt[i] + 2), mag[i])
                + (cnt[i] * (maxFactor + 2) + 1) * m.tiny();
      }
      return new double[][] {v, e};
    }
  }

  private void weightGrads(
      double[] p,
      Forward f,
      double[] dOut,
      boolean[] lossAt,
      int lossFrom,
      int lo,
      int hi,
      Delta d,
      Grads g) {
    final int batch = f.batch, h = hs, gh = gates * h, w = layout.stepOutputSize();
    for (int t = hi; t >= lo; t--) {
      for (int b = 0; b < batch; b++) {
        int row = (t - 1) * batch + b;
        for (int k = 0; k < layers; k++) {
          int dk = layout.layerInputSize(k);
          int wih = layout.offWeightIh(k), whh = layout.offWeightHh(k);
          int bih = layout.offBiasIh(k), bhh = layout.offBiasHh(k);
          double[] u = k == 0 ? f.x : f.h[k - 1];
          double[] eu = k == 0 ? null : f.eh[k - 1];
          int uRow = k == 0 ? row * dk : (t * batch + b) * h;
          int prev = ((t - 1) * batch + b) * h;
          for (int q = 0; q < gh; q++) {
            double dxv = d.dx[k][row * gh + q], edx = d.edx[k][row * gh + q];
            double dhv = d.dhh[k][row * gh + q], edh = d.edhh[k][row * gh + q];
            for (int j = 0; j < dk; j++) {
              g.term(wih + q * dk + j, dxv, edx, u[uRow + j], eu == null ? 0 : eu[uRow + j]);
            }
            double rv = dhv, erv = edh;
            if (layout.layerNorm()) {
              rv = d.dr[k][row * gh + q];
              erv = d.edr[k][row * gh + q];
              int lnW = layout.offLayerNormWeight(k), lnB = layout.offLayerNormBias(k);
              g.term(lnW + q, dhv, edh, f.xhat[k][row * gh + q], f.exhat[k][row * gh + q]);
              g.term(lnB + q, dhv, edh, 1, 0);
            }
            for (int j = 0; j < h; j++) {
              g.term(whh + q * h + j, rv, erv, f.h[k][prev + j], f.eh[k][prev + j]);
            }
            g.term(bih + q, dxv, edx, 1, 0);
            g.term(bhh + q, dhv, edh, 1, 0);
          }
        }
        boolean loss = t >= lossFrom && (lossAt == null || lossAt[t - 1]);
        if (outs > 0 && loss) {
          int wy = layout.offReadoutWeight(), by = layout.offReadoutBias();
          int hRow = (t * batch + b) * h;
          for (int o = 0; o < outs; o++) {
            double dy = dOut[row * w + o];
            for (int j = 0; j < h; j++) {
              g.term(wy + o * h + j, dy, 0, f.h[top][hRow + j], f.eh[top][hRow + j]);
            }
            g.term(by + o, dy, 0, 1, 0);
          }
        }
      }
    }
  }

  /** Trace entries of steps lo..hi (overwritten) from the last layer's ∂L/∂h_t and ∂L/∂c_t. */
  private void traces(
      Delta d,
      int batch,
      int lo,
      int hi,
      double[] tdh,
      double[] tdhE,
      double[] tdc,
      double[] tdcE) {
    int n = batch * hs;
    for (int t = lo; t <= hi; t++) {
      int at = (t - 1) * n;
      double[] r = norm(d.dh[top], d.edh[top], at, n);
      tdh[t - 1] = r[0];
      tdhE[t - 1] = r[1];
      if (tdc != null) {
        r = norm(d.dc[top], d.edc[top], at, n);
        tdc[t - 1] = r[0];
        tdcE[t - 1] = r[1];
      }
    }
  }

  private double[] norm(double[] v, double[] e, int off, int n) {
    double s = 0, se = 0;
    for (int i = off; i < off + n; i++) {
      s += v[i] * v[i];
      se += e[i] * e[i];
    }
    double nv = Math.sqrt(s), ne = Math.sqrt(se) * (1 + m.gamma(n + 2));
    return new double[] {nv, ne + m.gamma(n + 2) * (nv + ne) + 2 * n * m.tiny()};
  }

  /** ∂L/∂(initial state) from δ_1: W_hhᵀ·δ_hh (+ z_1⊙∂L/∂h_1 for the GRU), f_1⊙∂L/∂c_1 for c. */
  private void initialStateGrad(double[] p, Forward f, Delta d, double[] ds0, double[] ds0E) {
    final int batch = f.batch, h = hs, gh = gates * h;
    Acc acc = new Acc();
    for (int k = 0; k < layers; k++) {
      int whh = layout.offWeightHh(k);
      for (int b = 0; b < batch; b++) {
        for (int j = 0; j < h; j++) {
          acc.reset();
          double[] rg = layout.layerNorm() ? d.dr[k] : d.dhh[k];
          double[] erg = layout.layerNorm() ? d.edr[k] : d.edhh[k];
          for (int q = 0; q < gh; q++) {
            acc.term(p[whh + q * h + j], 0, rg[b * gh + q], erg[b * gh + q]);
          }
          if (cell == CellType.GRU) {
            int zi = b * gh + h + j;
            acc.term(f.gate[k][zi], f.egate[k][zi], d.dh[k][b * h + j], d.edh[k][b * h + j]);
          }
          int at = (k * batch + b) * h + j;
          ds0[at] = acc.v;
          ds0E[at] = acc.err();
          if (cell == CellType.LSTM) {
            int fi = b * gh + h + j;
            double fv = f.gate[k][fi], ef = f.egate[k][fi];
            double dc = d.dc[k][b * h + j], edc = d.edc[k][b * h + j];
            int ct = ((layers + k) * batch + b) * h + j;
            ds0[ct] = fv * dc;
            ds0E[ct] = mulErr(fv, ef, dc, edc);
          }
        }
      }
    }
  }

  /**
   * The linear loss Σ_{t with loss} ⟨dOut_t, out_t⟩ of a forward pass and its bound (Σ|dOut|·e_out
   * + γ_n·Σ|dOut|(|out| + e_out)).
   */
  public double[] loss(Forward f, double[] dOut, boolean[] lossAt) {
    int w = layout.stepOutputSize(), row = f.batch * w;
    double s = 0, prop = 0, mag = 0;
    long n = 0;
    for (int t = 1; t <= f.steps; t++) {
      if (lossAt != null && !lossAt[t - 1]) {
        continue;
      }
      for (int i = (t - 1) * row; i < t * row; i++) {
        s += dOut[i] * f.y[i];
        prop += Math.abs(dOut[i]) * f.ey[i];
        mag += Math.abs(dOut[i]) * (Math.abs(f.y[i]) + f.ey[i]);
        n++;
      }
    }
    return new double[] {s, prop + m.gamma(n + 1) * mag};
  }

  // ---------------------------------------------------------------- elementary bounds

  /** Sum of products with bounds on both factors. */
  private final class Acc {
    double v, prop, mag, maxF;
    long n;

    void reset() {
      v = prop = mag = 0;
      maxF = 1;
      n = 0;
    }

    void exact(double a) {
      term(a, 0, 1, 0);
    }

    void term(double a, double ea, double b, double eb) {
      v += a * b;
      prop += bmul(Math.abs(a), eb) + bmul(Math.abs(b), ea) + bmul(ea, eb);
      mag += bmul(Math.abs(a) + ea, Math.abs(b) + eb);
      maxF = Math.max(maxF, Math.max(Math.abs(a) + ea, Math.abs(b) + eb));
      n++;
    }

    double err() {
      return prop + bmul(m.gamma(2 * n + 2), mag) + (n * (maxF + 2) + 1) * m.tiny();
    }
  }

  private double mulErr(double a, double ea, double b, double eb) {
    double aa = Math.abs(a), ab = Math.abs(b);
    return bmul(aa, eb) + bmul(ab, ea) + bmul(ea, eb) + m.u() * bmul(aa + ea, ab + eb) + m.tiny();
  }

  /**
   * x·y for bound terms, with 0·∞ = 0: a bound becomes +∞ where layer normalization's variance
   * bound reaches the variance, and a term |a|·e_b with a or e_b exactly 0 is exactly 0 (the errors
   * it stands for are finite numbers). For finite operands this is x·y bit for bit.
   */
  static double bmul(double x, double y) {
    return x == 0 || y == 0 ? 0 : x * y;
  }

  /** Bound of fl(â + b̂) for the exact sum s = a + b. */
  private double addErr(double s, double ea, double eb) {
    return ea + eb + m.u() * (Math.abs(s) + ea + eb);
  }

  private double oneMinusErr(double a, double ea) {
    return ea + m.u() * (Math.abs(1 - a) + ea);
  }

  private double sigmoidErr(double a, double ea) {
    return ea / 4 + m.sigmoidRel() * (sigmoid(a) + ea / 4) + 2 * m.tiny();
  }

  private double tanhErr(double a, double ea) {
    return ea + m.tanhRel() * (Math.abs(Math.tanh(a)) + ea) + 2 * m.tiny();
  }

  private double phiErr(double a, double ea) {
    return switch (act) {
      case TANH -> tanhErr(a, ea);
      case SIGMOID -> sigmoidErr(a, ea);
      case RELU, IDENTITY -> ea;
    };
  }

  private double gruUpdateErr(double n, double en, double z, double ez, double hv, double ehv) {
    double an = Math.abs(n), az = Math.abs(z), ah = Math.abs(hv);
    double prop = Math.abs(1 - z) * en + an * ez + ez * en + az * ehv + ah * ez + ez * ehv;
    return prop + m.gamma(3) * ((an + en) * (1 + az + ez) + (az + ez) * (ah + ehv)) + 3 * m.tiny();
  }

  /** σ(a) in double. */
  public static double sigmoid(double a) {
    return 1.0 / (1.0 + Math.exp(-a));
  }
}
