package dev.bptt.verify.training;

import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;

/**
 * Double references of PyTorch's update formulas (torch.optim.SGD, Adam, AdamW, RMSprop, plus the
 * L1 penalty), evaluated with {@link Err} along the float kernel's chain of operations, so that
 * each value carries the derived bound of the kernel's rounding error. One instance per case: the
 * buffers persist over steps like the optimizer state.
 */
final class RefOptim {
  enum Kind {
    SGD,
    ADAM,
    RMSPROP
  }

  final Kind kind;
  double wd, l1, dwd;
  double momentum, dampening;
  boolean nesterov;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  boolean amsgrad;
  double alpha = 0.99;
  boolean centered;

  /** Reference variants that must FAIL the comparison (to show the test discriminates). */
  boolean sutskever, noBiasCorrection;

  Err[] theta, buf, m, v, vMax, gAvg;
  boolean[] decay;
  long t;

  RefOptim(Kind kind) {
    this.kind = kind;
  }

  void init(float[] params, boolean[] decay) {
    int n = params.length;
    theta = new Err[n];
    buf = new Err[n];
    m = new Err[n];
    v = new Err[n];
    vMax = new Err[n];
    gAvg = new Err[n];
    for (int i = 0; i < n; i++) {
      theta[i] = Err.exact(params[i]);
      buf[i] = m[i] = v[i] = vMax[i] = gAvg[i] = Err.exact(0f);
    }
    this.decay = decay;
  }

  /** The kernel optimizer configured like this reference. */
  Optimizer optimizer(double lr) {
    Optimizer o =
        switch (kind) {
          case SGD ->
              Sgd.of(lr).withMomentum(momentum).withDampening(dampening).withNesterov(nesterov);
          case ADAM -> Adam.of(lr).withBetas(beta1, beta2).withEps(eps).withAmsgrad(amsgrad);
          case RMSPROP ->
              RmsProp.of(lr)
                  .withAlpha(alpha)
                  .withEps(eps)
                  .withMomentum(momentum)
                  .withCentered(centered);
        };
    return o.withWeightDecay(wd).withL1(l1).withDecoupledWeightDecay(dwd);
  }

  void step(float[] grads, double lr) {
    t++;
    for (int i = 0; i < theta.length; i++) {
      stepOne(i, grads[i], lr);
    }
  }

  private void stepOne(int i, float gf, double lr) {
    boolean d = decay[i];
    Err th = theta[i];
    Err g = Err.exact(gf);
    if (d && (wd != 0 || l1 != 0)) {
      g = g.add(Err.rounded(wd).mul(th)).add(Err.l1Sign(Err.rounded(l1), th));
    }
    Err keep = d ? Err.rounded(1 - lr * dwd) : Err.exact(1f);
    Err lrE = Err.rounded(lr);
    switch (kind) {
      case SGD -> {
        Err dir;
        if (momentum == 0) {
          dir = g;
        } else {
          Err mu = Err.rounded(momentum);
          if (sutskever) {
            // v = μv + γg, θ −= v: differs from PyTorch's when γ changes between steps.
            buf[i] = t == 1 ? lrE.mul(g) : mu.mul(buf[i]).add(lrE.mul(g));
            theta[i] = th.mul(keep).sub(buf[i]);
            return;
          }
          buf[i] = t == 1 ? g : mu.mul(buf[i]).add(Err.rounded(1 - dampening).mul(g));
          dir = nesterov ? g.add(buf[i].mul(mu)) : buf[i];
        }
        theta[i] = th.mul(keep).sub(lrE.mul(dir));
      }
      case ADAM -> {
        m[i] = Err.rounded(beta1).mul(m[i]).add(Err.rounded(1 - beta1).mul(g));
        v[i] = Err.rounded(beta2).mul(v[i]).add(Err.rounded(1 - beta2).mul(g.mul(g)));
        Err vi = v[i];
        if (amsgrad) {
          vMax[i] = vMax[i].max(vi);
          vi = vMax[i];
        }
        double bc1 = noBiasCorrection ? 1 : 1 - Math.pow(beta1, t);
        double bc2 = noBiasCorrection ? 1 : 1 - Math.pow(beta2, t);
        Err denom = vi.sqrt().mul(Err.rounded(1 / Math.sqrt(bc2))).add(Err.rounded(eps));
        theta[i] = th.mul(keep).sub(Err.rounded(lr / bc1).mul(m[i]).div(denom));
      }
      case RMSPROP -> {
        Err a = Err.rounded(alpha), c = Err.rounded(1 - alpha);
        v[i] = a.mul(v[i]).add(c.mul(g.mul(g)));
        Err s;
        if (centered) {
          gAvg[i] = a.mul(gAvg[i]).add(c.mul(g));
          s = v[i].sub(gAvg[i].mul(gAvg[i])).maxZero().sqrt().add(Err.rounded(eps));
        } else {
          s = v[i].sqrt().add(Err.rounded(eps));
        }
        Err q = g.div(s);
        if (momentum != 0) {
          buf[i] = Err.rounded(momentum).mul(buf[i]).add(q);
          q = buf[i];
        }
        theta[i] = th.mul(keep).sub(lrE.mul(q));
      }
    }
  }

  /** The reference buffer that matches the state buffer of that PyTorch name. */
  Err[] buffer(String name) {
    return switch (name) {
      case "momentum_buffer" -> buf;
      case "exp_avg" -> m;
      case "exp_avg_sq", "square_avg" -> v;
      case "max_exp_avg_sq" -> vMax;
      case "grad_avg" -> gAvg;
      default -> throw new IllegalArgumentException(name);
    };
  }

  @Override
  public String toString() {
    return kind
        + " wd="
        + wd
        + " l1="
        + l1
        + " dwd="
        + dwd
        + " mom="
        + momentum
        + " damp="
        + dampening
        + (nesterov ? " nesterov" : "")
        + (kind == Kind.ADAM
            ? " betas=(" + beta1 + "," + beta2 + ") eps=" + eps + (amsgrad ? " amsgrad" : "")
            : "")
        + (kind == Kind.RMSPROP ? " alpha=" + alpha + (centered ? " centered" : "") : "");
  }
}
