package dev.bptt.bench.remedies;

import dev.bptt.bench.tasks.Evaluation;
import dev.bptt.bench.tasks.Task;
import dev.bptt.bench.tasks.TaskBatch;
import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.Gate;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.spectral.SpectralInit;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.LrSchedule;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;
import dev.bptt.kernel.training.Trainer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One run of the remedies experiment: builds the network of a {@link Remedy}, trains it on fresh
 * batches of a {@link Task} for the {@link Settings}' budget with a {@link Trainer}, checks the
 * published success criterion every {@code evalEvery} steps (a cheap screen on fresh sequences,
 * then the full check when the screen passes) and classifies the outcome:
 *
 * <ul>
 *   <li>solved: the success check passed within the budget;
 *   <li>explosion: a non-finite loss or gradient, or a training loss above 3× the memoryless
 *       baseline after the loss had once reached the baseline (a loss spike; the initial transient
 *       of an untrained readout does not count);
 *   <li>vanishing: the final training loss is still ≥ 0.9× the baseline and ‖∂L/∂h_1‖/‖∂L/∂h_L‖
 *       &lt; 1e-6 (full BPTT trace on a diagnostic batch at the end);
 *   <li>stuck: at the baseline with a larger gradient ratio;
 *   <li>partial: below the baseline, not solved.
 * </ul>
 *
 * Every random stream is derived from (task, T, seed) and a purpose tag, never from the remedy: the
 * same seed gives every remedy the same data and, where the init is PyTorch's default, the same
 * initial parameters. A run is single-threaded and deterministic.
 */
public final class RemedyRun {
  /** Gradient ratio below which a stuck run counts as vanishing. */
  public static final double VANISHING_RATIO = 1e-6;

  /** A loss above this multiple of the memoryless baseline is a spike. */
  public static final double SPIKE_FACTOR = 3;

  private RemedyRun() {}

  /** A 64-bit mix of the parts (SplitMix64 finalizer per part). */
  static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h ^= p;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
      h *= 0x94D049BB133111EBL;
      h ^= h >>> 29;
    }
    return h;
  }

  /** The network of a remedy's cell for a task. */
  static StackedRnn network(String cell, Task task, int hidden) {
    if (cell.endsWith("-ln")) {
      return network(cell.substring(0, cell.length() - 3), task, hidden).withLayerNorm();
    }
    int d = task.inputSize(), o = task.outputSize();
    return switch (cell) {
      case "elman-tanh" -> StackedRnn.elman(d, hidden, Activation.TANH).withReadout(o);
      case "elman-relu" -> StackedRnn.elman(d, hidden, Activation.RELU).withReadout(o);
      case "gru" -> StackedRnn.gru(d, hidden).withReadout(o);
      case "lstm" -> StackedRnn.lstm(d, hidden).withReadout(o);
      default -> throw new IllegalArgumentException("unknown cell " + cell);
    };
  }

  /** Draws the initial parameters of a remedy. */
  static float[] initialParams(StackedRnn net, Remedy r, SplittableRandom rng) {
    StackLayout l = net.layout();
    int h = l.hiddenSize();
    float[] p = net.initialParameters(rng); // PyTorch's: U(−1/√H, 1/√H), layer norm γ = 1, β = 0
    int gates = l.gateRows() / h;
    switch (r.init()) {
      case PYTORCH -> {}
      case GLOROT -> {
        for (TensorView v : l.tensors(p).views()) {
          boolean bias = v.name().contains("bias");
          double b = bias ? 0 : Math.sqrt(6.0 / (v.rows() + v.cols()));
          for (int i = 0; i < v.length(); i++) {
            p[v.offset() + i] = bias ? 0f : (float) (b * (2 * rng.nextDouble() - 1));
          }
        }
      }
      case ORTHOGONAL, SCALED_ORTHOGONAL -> {
        double gain = r.init() == Remedy.Init.ORTHOGONAL ? 1 : 0.95;
        TensorView whh = l.weightHh(0, p);
        for (int g = 0; g < gates; g++) {
          SpectralInit.orthogonal(rng, gain, h, h, p, whh.offset() + g * h * h, h);
        }
      }
      case IDENTITY -> {
        TensorView whh = l.weightHh(0, p);
        SpectralInit.scaledIdentity(1, h, p, whh.offset(), h);
        zero(p, l.biasIh(0, p));
        zero(p, l.biasHh(0, p));
      }
    }
    if (net.layerNorm()) { // again after the init variants: nn.LayerNorm's γ = 1, β = 0
      for (int k = 0; k < l.layers(); k++) {
        TensorView g = l.layerNormWeight(k, p);
        Arrays.fill(p, g.offset(), g.offset() + g.length(), 1f);
        zero(p, l.layerNormBias(k, p));
      }
    }
    if (net.cell() == dev.bptt.kernel.rnn.CellType.LSTM) {
      zero(p, l.biasIh(0, Gate.FORGET, p));
      TensorView f = l.biasHh(0, Gate.FORGET, p);
      Arrays.fill(p, f.offset(), f.offset() + f.length(), 1f);
    }
    return p;
  }

  private static void zero(float[] p, TensorView v) {
    Arrays.fill(p, v.offset(), v.offset() + v.length(), 0f);
  }

  static Optimizer optimizer(Remedy r, Settings s, StackedRnn net, float[] params) {
    double lr = s.baseLr();
    var biases = Optimizer.biases(net.layout().tensors(params));
    return switch (r.optimizer()) {
      case "sgd" -> Sgd.of(lr);
      case "sgd-small" -> Sgd.of(lr / 10);
      case "adam" -> Adam.of(1e-3);
      case "rmsprop" -> RmsProp.of(1e-3).withAlpha(0.9);
      case "l2" -> Sgd.of(lr).withWeightDecay(1e-3).withoutDecay(biases);
      case "l1" -> Sgd.of(lr).withL1(1e-4).withoutDecay(biases);
      case "decoupled" -> Sgd.of(lr).withDecoupledWeightDecay(1e-2).withoutDecay(biases);
      default -> throw new IllegalArgumentException("unknown optimizer " + r.optimizer());
    };
  }

  static LrSchedule schedule(Remedy r, double lr, int steps) {
    return switch (r.schedule()) {
      case "constant" -> LrSchedule.constant(lr);
      case "step" -> LrSchedule.step(lr, Math.max(1, steps / 4), 0.5);
      case "cosine" -> LrSchedule.cosine(lr, steps, 0);
      case "warmup" -> LrSchedule.linear(lr, 0.1, 1, Math.max(1, steps / 10));
      default -> throw new IllegalArgumentException("unknown schedule " + r.schedule());
    };
  }

  static BpttStrategy strategy(Remedy r, int length, long seed) {
    return switch (r.strategy()) {
      case "full" -> BpttStrategy.full();
      case "truncated" -> BpttStrategy.truncated(20);
      case "streaming" -> BpttStrategy.streaming(10, 20);
      case "artbp" ->
          BpttStrategy.randomized(
              TruncationSchedule.polynomialTail(Math.max(2, length / 4.0), 4),
              new SplittableRandom(seed));
      case "checkpointed" -> BpttStrategy.checkpointed();
      default -> throw new IllegalArgumentException("unknown strategy " + r.strategy());
    };
  }

  /** The curriculum's difficulty at a step: T/4, T/2, 3T/4 over the first 60 % of the steps. */
  static int curriculumDifficulty(int t, int step, int steps, int minDifficulty) {
    int stage = (int) Math.min(3, (long) step * 20 / Math.max(1, steps) / 4);
    return Math.max(minDifficulty, t * (stage + 1) / 4);
  }

  /** Runs one cell of the grid. */
  public static RunResult run(Task task, int t, Remedy r, int seed, Settings s) {
    long start = System.nanoTime();
    long base = mix(task.name().hashCode(), t, seed);
    StackedRnn net = network(r.cell(), task, s.hidden());
    float[] params = initialParams(net, r, new SplittableRandom(mix(base, 1)));
    int length = task.length(t);
    int steps = s.steps();
    SequenceShape capacity = SequenceShape.steps(length).batch(s.batch());
    Optimizer opt = optimizer(r, s, net, params);
    ExplosionMonitor monitor = new ExplosionMonitor();
    Trainer.Builder tb =
        Trainer.builder(net, params, opt)
            .shape(capacity)
            .strategy(strategy(r, length, mix(base, 3)))
            .schedule(schedule(r, opt.lr(), steps))
            .monitor(monitor, r.skip())
            .gradientScale(r.gradientScale())
            .mask(r.mask().toArray(String[]::new))
            .history(steps);
    if (r.clip() != Trainer.Clip.NONE) {
      tb.clip(
          r.clip(),
          GradientClipper.of(r.rule()).withNonFinitePolicy(NonFinitePolicy.PROPAGATE),
          r.threshold());
    }
    Trainer trainer = tb.build();

    // Training batches: one per curriculum stage (one without curriculum), made up front.
    int minDifficulty = task.name().equals("order") ? 10 : 2;
    int[] difficulties =
        r.curriculum()
            ? new int[] {
              Math.max(minDifficulty, t / 4),
              Math.max(minDifficulty, t / 2),
              Math.max(minDifficulty, 3 * t / 4),
              t
            }
            : new int[] {t};
    TaskBatch[] batches = new TaskBatch[difficulties.length];
    SequenceBatch[] seqs = new SequenceBatch[difficulties.length];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = task.newBatch(difficulties[i], s.batch());
      seqs[i] = task.sequence(net, batches[i]);
    }
    SplittableRandom data = new SplittableRandom(mix(base, 2));
    Task.Evaluator evaluator =
        task.evaluator(net, t, Math.min(500, Math.min(s.screenCount(), s.checkCount())));

    // Diagnostic: ‖∂L/∂h_1‖/‖∂L/∂h_L‖ by full BPTT on one fixed batch.
    TaskBatch diagBatch = task.newBatch(t, s.batch());
    task.fill(diagBatch, new SplittableRandom(mix(base, 4)));
    float[] trace = new float[length];
    SequenceBatch diagSeq = task.sequence(net, diagBatch).traceDh(trace);
    BpttWorkspace diagWs = new BpttWorkspace(net, capacity, BpttStrategy.full());
    float[] diagGrads = new float[net.parameterCount()];
    BpttRunner diagRunner = new BpttRunner(net);
    double ratioInit = ratio(diagRunner, params, diagGrads, diagSeq, diagWs, trace);

    double baselineLoss = task.trainingBaseline(t);
    int firstNonFinite = -1, lossSpikes = 0, stepsToSuccess = -1;
    boolean diverged = false;
    boolean belowBaseline = false; // spikes count once the loss has reached the baseline
    double maxNorm = 0;
    Evaluation last = null;
    int step = 0;
    double cap = s.wallSeconds() * 1e9;
    while (step < steps && System.nanoTime() - start < cap) {
      int stage = 0;
      if (r.curriculum()) {
        int d = curriculumDifficulty(t, step, steps, minDifficulty);
        while (difficulties[stage] < d) {
          stage++;
        }
      }
      task.fill(batches[stage], data);
      double loss = trainer.step(seqs[stage]);
      double norm = trainer.lastNorm();
      step++;
      if (!(Double.isFinite(loss) && Double.isFinite(norm))) {
        if (firstNonFinite < 0) {
          firstNonFinite = step;
        }
        if (!finite(params)) {
          diverged = true;
          break;
        }
      } else {
        maxNorm = Math.max(maxNorm, norm);
        if (belowBaseline && loss > SPIKE_FACTOR * baselineLoss) {
          lossSpikes++;
        }
        belowBaseline |= loss <= baselineLoss;
      }
      boolean fullLength = batches[stage].difficulty() == t;
      if (fullLength && step % s.evalEvery() == 0) {
        Evaluation screen = evaluator.evaluate(params, s.screenCount(), mix(base, 5, step));
        if (screen.failureRate() < Evaluation.SUCCESS_RATE) {
          Evaluation check = evaluator.evaluate(params, s.checkCount(), mix(base, 6, step));
          last = check;
          if (check.success()) {
            stepsToSuccess = step;
            break;
          }
        }
      }
    }
    if (stepsToSuccess < 0) {
      last = evaluator.evaluate(params, s.checkCount(), mix(base, 7));
    }
    double ratioFinal = ratio(diagRunner, params, diagGrads, diagSeq, diagWs, trace);
    double wall = (System.nanoTime() - start) / 1e9;

    int n = trainer.recorded();
    int tail = Math.max(1, Math.min(100, n / 10));
    double finalLoss = 0;
    for (int i = n - tail; i < n; i++) {
      finalLoss += trainer.loss(i);
    }
    finalLoss = n == 0 ? Double.NaN : finalLoss / tail;
    boolean success = stepsToSuccess >= 0;
    String mode;
    if (success) {
      mode = "solved";
    } else if (firstNonFinite >= 0 || lossSpikes > 0) {
      mode = "explosion";
    } else if (finalLoss >= 0.9 * baselineLoss) {
      mode = ratioFinal < VANISHING_RATIO || ratioFinal == 0 ? "vanishing" : "stuck";
    } else {
      mode = "partial";
    }

    int buckets = Math.max(1, Math.min(s.curveBuckets(), n));
    int[] axis = new int[buckets];
    float[] lossCurve = new float[buckets];
    float[] normCurve = new float[buckets];
    int[] clipCurve = new int[buckets];
    for (int k = 0; k < buckets && n > 0; k++) {
      int from = (int) ((long) k * n / buckets), to = (int) ((long) (k + 1) * n / buckets);
      double sum = 0, max = 0;
      int clips = 0;
      boolean nonFinite = false;
      for (int i = from; i < to; i++) {
        sum += trainer.loss(i);
        float g = trainer.norm(i);
        nonFinite |= !Float.isFinite(g);
        max = Math.max(max, g);
        clips += (trainer.flags(i) & Trainer.CLIPPED) != 0 ? 1 : 0;
      }
      axis[k] = to;
      lossCurve[k] = (float) (sum / Math.max(1, to - from));
      normCurve[k] = nonFinite ? Float.NaN : (float) max;
      clipCurve[k] = clips;
    }
    return new RunResult(
        task.name(),
        t,
        r.id(),
        seed,
        trainer.steps(),
        stepsToSuccess,
        success,
        last.failureRate(),
        last.metric(),
        last.baseline(),
        finalLoss,
        wall,
        trainer.clipEvents(),
        trainer.skippedSteps(),
        firstNonFinite,
        diverged,
        lossSpikes,
        monitor.spikeCount(),
        maxNorm,
        ratioInit,
        ratioFinal,
        mode,
        axis,
        lossCurve,
        normCurve,
        clipCurve);
  }

  private static double ratio(
      BpttRunner runner,
      float[] params,
      float[] grads,
      SequenceBatch seq,
      BpttWorkspace ws,
      float[] trace) {
    if (!finite(params)) {
      return Double.NaN;
    }
    Arrays.fill(grads, 0f);
    runner.run(BpttStrategy.full(), params, grads, seq, ws);
    double last = trace[trace.length - 1];
    return last > 0 ? trace[0] / last : Double.NaN;
  }

  private static boolean finite(float[] a) {
    for (float v : a) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
