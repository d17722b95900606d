package dev.bptt.verify.training;

/**
 * A double value with a running bound on the error of the float computation that produced its
 * counterpart: each operation takes exact operands (v) with error bounds (e) and adds the float
 * rounding of its own result, |fl(x) − x| ≤ u·|x| + MIN_VALUE (the second term for a product or
 * quotient that underflows). The bounds are first-order-free (cross terms kept), so for a chain of
 * float operations mirrored here |float result − v| ≤ e, up to the double rounding of v itself (≤
 * 2⁻⁵³ relative per operation, covered by {@link #allowed}).
 */
record Err(double v, double e) {
  static final double U = 0x1p-24;
  static final double TINY = Float.MIN_VALUE;

  /** An exact float input. */
  static Err exact(float x) {
    return new Err(x, 0);
  }

  /** A double constant rounded once to float. */
  static Err rounded(double c) {
    return new Err(c, U * Math.abs(c) + TINY);
  }

  private static double round(double v, double e) {
    return U * (Math.abs(v) + e);
  }

  Err add(Err b) {
    double v = this.v + b.v, e = this.e + b.e;
    return new Err(v, e + round(v, e));
  }

  Err sub(Err b) {
    double v = this.v - b.v, e = this.e + b.e;
    return new Err(v, e + round(v, e));
  }

  Err mul(Err b) {
    double v = this.v * b.v;
    double e = Math.abs(this.v) * b.e + Math.abs(b.v) * this.e + this.e * b.e;
    return new Err(v, e + round(v, e) + TINY);
  }

  Err div(Err b) {
    double v = this.v / b.v;
    double room = Math.abs(b.v) - b.e;
    double e = room > 0 ? (this.e + Math.abs(v) * b.e) / room : Double.POSITIVE_INFINITY;
    return new Err(v, e + round(v, e) + TINY);
  }

  Err sqrt() {
    double v = Math.sqrt(Math.max(this.v, 0));
    double hi = Math.sqrt(Math.max(this.v + this.e, 0)) - v;
    double lo = v - Math.sqrt(Math.max(this.v - this.e, 0));
    double e = Math.max(hi, lo);
    return new Err(v, e + round(v, e));
  }

  Err max(Err b) {
    return new Err(Math.max(v, b.v), Math.max(e, b.e));
  }

  Err maxZero() {
    return new Err(Math.max(v, 0), e);
  }

  /** λ₁·sgn(θ): exact unless the float θ may have the other sign (then off by up to 2λ₁). */
  static Err l1Sign(Err l1, Err theta) {
    double s = Math.signum(theta.v);
    double v = l1.v * s;
    double e = Math.abs(theta.v) <= theta.e ? 2 * (Math.abs(l1.v) + l1.e) : l1.e * Math.abs(s);
    return new Err(v, e);
  }

  /** The allowed |got − v|: e plus the double rounding of v over about ops operations. */
  double allowed(int ops) {
    return e * (1 + 1e-9) + ops * 0x1p-52 * Math.abs(v) + TINY;
  }
}
