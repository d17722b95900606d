package dev.bptt.bench.remedies;

import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.training.Trainer;
import java.util.ArrayList;
import java.util.List;

/**
 * One remedy of the experiment: a change of exactly one thing against the plain baseline (Elman
 * tanh, PyTorch's default init U(±1/√H) for every tensor, SGD at the baseline rate γ₀, no clipping,
 * full BPTT). Immutable; the catalog is {@link #catalog()}.
 *
 * @param id a short identifier (file names, tables)
 * @param family the remedy family (clipping, regularization, truncation, …)
 * @param description what is changed, with its settings
 * @param cell elman-tanh, elman-relu, gru or lstm, with "-ln" for layer normalization
 * @param init how the parameters are drawn
 * @param optimizer sgd, sgd-small, adam, rmsprop, l2, l1, decoupled
 * @param schedule constant, step, cosine, warmup
 * @param strategy full, truncated, streaming, artbp, checkpointed
 * @param clip the clipping kind
 * @param rule the global-norm rule (when clip is GLOBAL_NORM)
 * @param threshold θ, c or λ of the clip
 * @param skip the explosion monitor's skip-the-step
 * @param gradientScale a constant factor on the gradient
 * @param mask view names whose gradient is zeroed
 * @param curriculum sequence length grown during training
 */
public record Remedy(
    String id,
    String family,
    String description,
    String cell,
    Init init,
    String optimizer,
    String schedule,
    String strategy,
    Trainer.Clip clip,
    ClipRule rule,
    double threshold,
    boolean skip,
    double gradientScale,
    List<String> mask,
    boolean curriculum) {

  /** Parameter initializations. */
  public enum Init {
    /** U(±1/√H) for every tensor (PyTorch's default). */
    PYTORCH,
    /** Glorot/Xavier uniform weights U(±√(6/(fan_in + fan_out))), biases 0. */
    GLOROT,
    /** PyTorch default, then W_hh Haar orthogonal (gain 1, per gate block). */
    ORTHOGONAL,
    /** PyTorch default, then W_hh = 0.95·Q (Q Haar orthogonal, per gate block). */
    SCALED_ORTHOGONAL,
    /** IRNN (Le et al. 2015): ReLU cell, W_hh = I, recurrent biases 0. */
    IDENTITY
  }

  /** The baseline settings. */
  public static Remedy baseline() {
    return new Remedy(
        "baseline",
        "baseline",
        "Elman tanh, PyTorch default init, SGD γ₀, no clipping, full BPTT",
        "elman-tanh",
        Init.PYTORCH,
        "sgd",
        "constant",
        "full",
        Trainer.Clip.NONE,
        ClipRule.STRICT,
        0,
        false,
        1,
        List.of(),
        false);
  }

  private Remedy with(String newId, String fam, String desc) {
    return new Remedy(
        newId,
        fam,
        desc,
        cell,
        init,
        optimizer,
        schedule,
        strategy,
        clip,
        rule,
        threshold,
        skip,
        gradientScale,
        mask,
        curriculum);
  }

  private Remedy clip(Trainer.Clip c, ClipRule r, double t) {
    return new Remedy(
        id,
        family,
        description,
        cell,
        init,
        optimizer,
        schedule,
        strategy,
        c,
        r,
        t,
        skip,
        gradientScale,
        mask,
        curriculum);
  }

  private Remedy cellInit(String c, Init i) {
    return new Remedy(
        id,
        family,
        description,
        c,
        i,
        optimizer,
        schedule,
        strategy,
        clip,
        rule,
        threshold,
        skip,
        gradientScale,
        mask,
        curriculum);
  }

  private Remedy opt(String o, String s) {
    return new Remedy(
        id,
        family,
        description,
        cell,
        init,
        o,
        s,
        strategy,
        clip,
        rule,
        threshold,
        skip,
        gradientScale,
        mask,
        curriculum);
  }

  private Remedy strat(String s) {
    return new Remedy(
        id,
        family,
        description,
        cell,
        init,
        optimizer,
        schedule,
        s,
        clip,
        rule,
        threshold,
        skip,
        gradientScale,
        mask,
        curriculum);
  }

  private Remedy misc(boolean sk, double scale, List<String> m, boolean curr) {
    return new Remedy(
        id,
        family,
        description,
        cell,
        init,
        optimizer,
        schedule,
        strategy,
        clip,
        rule,
        threshold,
        sk,
        scale,
        m,
        curr);
  }

  /** Every remedy the library supports today, the baseline first (see also {@link #notRun()}). */
  public static List<Remedy> catalog() {
    Remedy b = baseline();
    List<Remedy> out = new ArrayList<>();
    out.add(b);
    out.add(
        b.with("clip-strict-1", "clipping", "global norm θ = 1, strict rule (d2l/Pascanu)")
            .clip(Trainer.Clip.GLOBAL_NORM, ClipRule.STRICT, 1));
    out.add(
        b.with("clip-strict-0.1", "clipping", "global norm θ = 0.1, strict rule")
            .clip(Trainer.Clip.GLOBAL_NORM, ClipRule.STRICT, 0.1));
    out.add(
        b.with("clip-strict-10", "clipping", "global norm θ = 10, strict rule")
            .clip(Trainer.Clip.GLOBAL_NORM, ClipRule.STRICT, 10));
    out.add(
        b.with("clip-torch-1", "clipping", "global norm θ = 1, PyTorch rule (clip_grad_norm_)")
            .clip(Trainer.Clip.GLOBAL_NORM, ClipRule.PYTORCH, 1));
    out.add(
        b.with("clip-value-0.1", "clipping", "value clipping c = 0.1 (clip_grad_value_)")
            .clip(Trainer.Clip.VALUE, ClipRule.STRICT, 0.1));
    out.add(
        b.with("clip-perview-0.5", "clipping", "per-view norm θ = 0.5 (Keras clipnorm)")
            .clip(Trainer.Clip.PER_VIEW, ClipRule.STRICT, 0.5));
    out.add(
        b.with("clip-agc-0.1", "clipping", "adaptive clipping λ = 0.1, ε = 1e-3 (AGC)")
            .clip(Trainer.Clip.ADAPTIVE, ClipRule.STRICT, 0.1));
    out.add(
        b.with("l2-1e-3", "regularization", "L2 penalty λ = 1e-3 (biases exempt)")
            .opt("l2", "constant"));
    out.add(
        b.with("l1-1e-4", "regularization", "L1 penalty λ₁ = 1e-4 (biases exempt)")
            .opt("l1", "constant"));
    out.add(
        b.with(
                "decoupled-1e-2",
                "regularization",
                "decoupled weight decay λ = 1e-2 (biases exempt)")
            .opt("decoupled", "constant"));
    out.add(
        b.with(
                "layernorm",
                "normalization",
                "layer norm of the recurrent pre-activation per gate (Ba et al. 2016), γ = 1, β ="
                    + " 0")
            .cellInit("elman-tanh-ln", Init.PYTORCH));
    out.add(b.with("tbptt-20", "truncation", "truncated BPTT τ = 20").strat("truncated"));
    out.add(
        b.with("stream-10-20", "truncation", "streaming TBPTT k1 = 10, k2 = 20")
            .strat("streaming"));
    out.add(
        b.with("artbp", "truncation", "ARTBP, polynomial tail, mean T/4, α = 4").strat("artbp"));
    out.add(
        b.with("checkpointed", "truncation", "checkpointed BPTT (√T segments): same gradient")
            .strat("checkpointed"));
    out.add(
        b.with("monitor-skip", "explosion detection", "ExplosionMonitor k = 10: skip spikes/NaN")
            .misc(true, 1, List.of(), false));
    out.add(
        b.with("grad-scale-0.5", "gradient scaling", "gradient × 0.5")
            .misc(false, 0.5, List.of(), false));
    out.add(
        b.with("mask-whh", "gradient masking", "weight_hh_l0 frozen (gradient zeroed)")
            .misc(false, 1, List.of("weight_hh_l0"), false));
    out.add(
        b.with("curriculum", "curriculum", "T grown T/4 → T/2 → 3T/4 → T over 60 % of the steps")
            .misc(false, 1, List.of(), true));
    out.add(
        b.with("lr-step", "lr schedule", "StepLR: γ₀·0.5 every quarter of the budget")
            .opt("sgd", "step"));
    out.add(
        b.with("lr-cosine", "lr schedule", "cosine annealing γ₀ → 0 over the budget")
            .opt("sgd", "cosine"));
    out.add(
        b.with("lr-warmup", "lr schedule", "linear warm-up 0.1·γ₀ → γ₀ over 10 % of the steps")
            .opt("sgd", "warmup"));
    out.add(b.with("lr-small", "lr schedule", "constant γ₀/10").opt("sgd-small", "constant"));
    out.add(b.with("adam", "optimizer", "Adam γ = 1e-3").opt("adam", "constant"));
    out.add(
        b.with("rmsprop", "optimizer", "RMSprop γ = 1e-3, α = 0.9 (Arjovsky et al.)")
            .opt("rmsprop", "constant"));
    out.add(
        b.with("init-glorot", "initialization", "Glorot/Xavier uniform, biases 0")
            .cellInit("elman-tanh", Init.GLOROT));
    out.add(
        b.with("init-orthogonal", "initialization", "W_hh orthogonal (gain 1)")
            .cellInit("elman-tanh", Init.ORTHOGONAL));
    out.add(
        b.with("init-orth-0.95", "initialization", "W_hh = 0.95·orthogonal")
            .cellInit("elman-tanh", Init.SCALED_ORTHOGONAL));
    out.add(
        b.with("irnn", "initialization", "IRNN: ReLU, W_hh = I, recurrent biases 0 (Le et al.)")
            .cellInit("elman-relu", Init.IDENTITY));
    out.add(
        b.with("gru", "architecture", "GRU, PyTorch default init").cellInit("gru", Init.PYTORCH));
    out.add(
        b.with("lstm", "architecture", "LSTM, PyTorch default init, forget-gate bias 1")
            .cellInit("lstm", Init.PYTORCH));
    return out;
  }

  /** Remedies of the list that the library cannot run yet, with the reason. */
  public static List<String> notRun() {
    return List.of("Pascanu's vanishing-gradient regularizer Ω: not in the kernel yet");
  }

  /**
   * The remedy with this id from the catalog, or a combination {@code a+b+…} of catalog remedies:
   * every setting that a part changes against the baseline is taken from that part (a later part
   * wins where two change the same setting).
   */
  public static Remedy byId(String id) {
    if (id.contains("+")) {
      Remedy b = baseline();
      Remedy out = b;
      List<String> descriptions = new ArrayList<>();
      for (String part : id.split("\\+")) {
        Remedy p = byId(part);
        descriptions.add(p.description);
        out =
            new Remedy(
                id,
                "combination",
                String.join(" + ", descriptions),
                pick(b.cell, p.cell, out.cell),
                pick(b.init, p.init, out.init),
                pick(b.optimizer, p.optimizer, out.optimizer),
                pick(b.schedule, p.schedule, out.schedule),
                pick(b.strategy, p.strategy, out.strategy),
                pick(b.clip, p.clip, out.clip),
                p.clip != b.clip ? p.rule : out.rule,
                p.clip != b.clip ? p.threshold : out.threshold,
                p.skip || out.skip,
                p.gradientScale != b.gradientScale ? p.gradientScale : out.gradientScale,
                pick(b.mask, p.mask, out.mask),
                p.curriculum || out.curriculum);
      }
      return out;
    }
    for (Remedy r : catalog()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown remedy " + id);
  }

  private static <T> T pick(T base, T part, T current) {
    return part.equals(base) ? current : part;
  }
}
