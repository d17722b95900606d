package dev.bptt.kernel.internal;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.StackLayout;

/**
 * The segment kernels of a stack of {@link CellLayer}s with an optional readout y_t = W·h_t + b on
 * the last layer's h: the {@link Recurrence} of every public network (the Elman RNN is a one-layer
 * stack with a single bias).
 *
 * <p>Rows: a slot row is the layers' slot parts side by side, a δ row their δ parts. Forward is
 * layer-major within a segment: layer k runs all the segment's steps (its input projection one GEMM
 * over all rows, reading layer k−1's h columns with ld S) before layer k+1. Backward is step-major:
 * {@link #localGrad} walks the layers of one step top-down, each layer's δ sending δ_x·W_ih into
 * the gathered ∂L/∂h of the layer below before that one's local gradient, so truncation chains and
 * segments see one step as one unit. Every layer's sums keep the descending (t, b) order.
 */
public final class StackedRecurrence implements Recurrence {
  private final CellLayer[] layers;
  private final CellLayer top;
  private final int d;
  private final int h;
  private final int o;
  private final int offWy;
  private final int offBy;
  private final int params;
  private final int slot;
  private final int delta;
  private final int carriedVectors;

  /** The threads passes split across, or null: everything on the caller. */
  private final Team team;

  private final ProjectTask projectTask = new ProjectTask();
  private final RecurTask recurTask = new RecurTask();
  private final DeltasTask deltasTask = new DeltasTask();
  private final InputGradTask inputGradTask = new InputGradTask();
  private final WeightGradTask weightGradTask = new WeightGradTask();
  private final RowsTask rowsTask = new RowsTask();
  private final Beside beside = new Beside();

  /**
   * A weightGrads call held by {@link SumBlocks#beside} (its work in weightGradTask): it runs
   * beside the next {@link #deltas} call's first phase, or in {@link #finishWeightGrads} (or is
   * dropped by the next forward, if the pass stopped on an exception).
   */
  private boolean gradsPending;

  /** Position of a weight-gradient call whose engine carries nothing across calls. */
  private final SumBlocks wholeSum = new SumBlocks(0);

  /** The readout's blocked sums, carried across its runs of loss steps ([O·H] then [O]). */
  private final SumBlocks readoutSum;

  /** Last row of the readout run whose sums are open in readoutSum, or −1: nothing open. */
  private long readoutOpen = -1;

  private StackedRecurrence(
      CellLayer[] layers,
      int d,
      int h,
      int o,
      int offWy,
      int offBy,
      int params,
      int carried,
      Team team) {
    this.layers = layers;
    this.team = team;
    if (team != null && team.threads() > 1) {
      SplitGemv split = new SplitGemv(team);
      for (CellLayer l : layers) {
        l.split = split;
      }
    }
    this.top = layers[layers.length - 1];
    this.d = d;
    this.h = h;
    this.o = o;
    this.offWy = offWy;
    this.offBy = offBy;
    this.params = params;
    this.carriedVectors = carried;
    this.readoutSum = new SumBlocks(o * h + o);
    int s = 0, dd = 0;
    for (CellLayer l : layers) {
      s += l.slotWidth();
      dd += l.deltaWidth();
    }
    this.slot = s;
    this.delta = dd;
    s = 0;
    dd = 0;
    for (int k = 0; k < layers.length; k++) {
      layers[k].firstLayer = k == 0;
    }
    for (CellLayer l : layers) {
      l.place(s, dd, slot, delta);
      s += l.slotWidth();
      dd += l.deltaWidth();
    }
  }

  /**
   * The Elman RNN of {@link RnnLayout}: one layer, one bias b_h, optional readout; passes split
   * across {@code team} (null: the caller's thread).
   */
  public static StackedRecurrence elman(RnnLayout layout, Activation activation, Team team) {
    int hh = layout.hiddenSize();
    CellLayer l =
        new ElmanLayer(
            activation,
            hh,
            layout.inputSize(),
            layout.offWxh(),
            layout.offWhh(),
            layout.offBh(),
            -1,
            -1);
    return new StackedRecurrence(
        new CellLayer[] {l},
        layout.inputSize(),
        hh,
        layout.outputSize(),
        layout.offWhy(),
        layout.offBy(),
        layout.size(),
        1,
        team);
  }

  /**
   * A stack in PyTorch's layout; {@code activation} is φ of Elman layers (ignored by gated ones);
   * passes split across {@code team} (null: the caller's thread).
   */
  public static StackedRecurrence stack(StackLayout layout, Activation activation, Team team) {
    CellType cell = layout.cell();
    CellLayer[] ls = new CellLayer[layout.layers()];
    for (int k = 0; k < ls.length; k++) {
      ls[k] =
          CellLayer.of(
              cell,
              activation,
              layout.hiddenSize(),
              layout.layerInputSize(k),
              layout.offWeightIh(k),
              layout.offWeightHh(k),
              layout.offBiasIh(k),
              layout.offBiasHh(k),
              layout.layerNorm() ? layout.offLayerNormWeight(k) : -1);
    }
    return new StackedRecurrence(
        ls,
        layout.inputSize(),
        layout.hiddenSize(),
        layout.outputSize(),
        layout.offReadoutWeight(),
        layout.offReadoutBias(),
        layout.size(),
        cell.carriedVectors(),
        team);
  }

  @Override
  public void paramsChanged() {
    if (team != null && team.isClosed()) {
      throw new IllegalStateException("the workspace's BatchThreads team was closed");
    }
    for (CellLayer l : layers) {
      l.paramsChanged();
    }
  }

  @Override
  public void reservePacked() {
    for (CellLayer l : layers) {
      l.reservePacked();
    }
  }

  @Override
  public int inputSize() {
    return d;
  }

  @Override
  public int stateSize() {
    return slot;
  }

  @Override
  public int carrySize() {
    return carriedVectors * layers.length * h;
  }

  @Override
  public int deltaSize() {
    return delta;
  }

  @Override
  public int stepOutputSize() {
    return o > 0 ? o : h;
  }

  @Override
  public boolean statesAreOutputs() {
    return o == 0 && slot == h;
  }

  @Override
  public int parameterCount() {
    return params;
  }

  @Override
  public void forwardSteps(
      float[] params, int batch, int t1, int t2, float[] x, int xOff, float[] states, int base) {
    // Still held here only if the backward that deferred it stopped on an exception: its gradients
    // are partial already, and its states are about to be overwritten.
    gradsPending = false;
    int steps = t2 - t1 + 1;
    int firstRow = base + batch * slot;
    for (int k = 0; k < layers.length; k++) {
      CellLayer l = layers[k];
      float[] src = k == 0 ? x : states;
      int srcOff = k == 0 ? xOff : firstRow + layers[k - 1].sCol;
      int ldSrc = k == 0 ? d : slot;
      if (team == null) {
        l.forward(params, batch, steps, src, srcOff, ldSrc, states, base);
        continue;
      }
      l.preparePacked(params, batch, true);
      // Chunk by chunk as on one thread (CellLayer.forward), pipelined: the first chunk's rows are
      // projected by all threads, then each phase runs every thread's sequences through chunk j
      // and, beside them, the rows of chunk j + 1 in small pieces, which the thread that finishes
      // its sequences first takes up. With separate phases each thread waited at every hand-off
      // for the other's equal share (the two run at unequal speeds from phase to phase): with the
      // backward's phases, 5.7–14.1 ms of a 51–73 ms two-thread GRU pass (B = 32, H = 256), 2.4–4.2
      // ms pipelined. Rows and sequences touch disjoint slots.
      final int chunk = CellLayer.projectionChunk(batch, steps);
      final int shards = Math.min(team.threads(), batch);
      ProjectTask p = projectTask;
      p.set(l, params, batch, Math.min(chunk, steps) * batch, src, srcOff, ldSrc, states, base);
      p.parts = team.threads();
      team.run(p.parts, p);
      for (int t = 0; t < steps; t += chunk) {
        int n = Math.min(chunk, steps - t);
        RecurTask r = recurTask;
        r.set(l, params, batch, n, states, base + t * batch * slot);
        int u = t + n;
        if (u >= steps) {
          team.run(shards, r);
          continue;
        }
        int rows = Math.min(chunk, steps - u) * batch;
        p.set(
            l,
            params,
            batch,
            rows,
            src,
            srcOff + u * batch * ldSrc,
            ldSrc,
            states,
            base + u * batch * slot);
        p.parts = Math.max(team.threads(), rows / PROJECTION_PIECE_ROWS);
        team.run(shards + p.parts, beside.of(r, shards, p));
      }
    }
  }

  /**
   * Rows per piece of a projection run beside a recursion: small enough that the pieces even out
   * the threads' finishing times, large enough for the GEMM's row tiles (multiples of 8).
   */
  private static final int PROJECTION_PIECE_ROWS = 32;

  /** One phase of two tasks: indices 0..n1−1 are the first's, the rest the second's. */
  private static final class Beside implements Team.Task {
    private Team.Task first;
    private Team.Task second;
    private int n1;

    Beside of(Team.Task first, int n1, Team.Task second) {
      this.first = first;
      this.n1 = n1;
      this.second = second;
      return this;
    }

    @Override
    public void run(int i) {
      if (i < n1) {
        first.run(i);
      } else {
        second.run(i - n1);
      }
    }
  }

  /** First of {@code parts} near-equal blocks of n items: block i is [i·n/p, (i+1)·n/p). */
  private static int blockStart(int i, int parts, int n) {
    return (int) ((long) i * n / parts);
  }

  /** Rows of the input projection, one block per task. */
  private final class ProjectTask implements Team.Task {
    /** Row blocks the rows are cut into. */
    int parts;

    private CellLayer l;
    private float[] params;
    private int batch;
    private int rows;
    private float[] x;
    private int xOff;
    private int ldX;
    private float[] st;
    private int base;

    void set(
        CellLayer l,
        float[] params,
        int batch,
        int rows,
        float[] x,
        int xOff,
        int ldX,
        float[] st,
        int base) {
      this.l = l;
      this.params = params;
      this.batch = batch;
      this.rows = rows;
      this.x = x;
      this.xOff = xOff;
      this.ldX = ldX;
      this.st = st;
      this.base = base;
    }

    @Override
    public void run(int i) {
      l.project(
          params,
          batch,
          blockStart(i, parts, rows),
          blockStart(i + 1, parts, rows),
          x,
          xOff,
          ldX,
          st,
          base);
    }
  }

  /** The recursion of one block of sequences per task, over all the segment's steps. */
  private final class RecurTask implements Team.Task {
    private CellLayer l;
    private float[] params;
    private int batch;
    private int steps;
    private float[] st;
    private int base;

    void set(CellLayer l, float[] params, int batch, int steps, float[] st, int base) {
      this.l = l;
      this.params = params;
      this.batch = batch;
      this.steps = steps;
      this.st = st;
      this.base = base;
    }

    @Override
    public void run(int i) {
      int parts = Math.min(team.threads(), batch);
      l.recur(
          params,
          batch,
          blockStart(i, parts, batch),
          blockStart(i + 1, parts, batch),
          steps,
          st,
          base);
    }
  }

  /** Fewer rows than this stay on the caller: a phase hand-off costs more than they do. */
  private static final int MIN_SPLIT_ROWS = 64;

  @Override
  public void outputs(float[] params, int rows, float[] states, int off, float[] out, int outOff) {
    if (team != null && rows >= MIN_SPLIT_ROWS) {
      RowsTask t = rowsTask;
      t.set(false, params, rows, states, off, out, outOff);
      team.run(team.threads(), t);
      return;
    }
    outputRows(params, rows, states, off, out, outOff);
  }

  private void outputRows(
      float[] params, int rows, float[] states, int off, float[] out, int outOff) {
    int hOff = off + top.sCol;
    if (o == 0) {
      if (slot == h) {
        System.arraycopy(states, hOff, out, outOff, rows * h);
      } else {
        for (int r = 0; r < rows; r++) {
          System.arraycopy(states, hOff + r * slot, out, outOff + r * h, h);
        }
      }
      return;
    }
    Kernels.fillRows(rows, o, params, offBy, out, outOff, o);
    Kernels.blas()
        .gemm(
            false, true, rows, o, h, 1f, states, hOff, slot, params, offWy, h, 1f, out, outOff, o);
  }

  @Override
  public void upstreamGrad(
      float[] params, int rows, float[] dy, int dyOff, float[] delta, int dOff) {
    if (team != null && rows >= MIN_SPLIT_ROWS) {
      RowsTask t = rowsTask;
      t.set(true, params, rows, dy, dyOff, delta, dOff);
      team.run(team.threads(), t);
      return;
    }
    upstreamRows(params, rows, dy, dyOff, delta, dOff);
  }

  /**
   * Row blocks of {@link #outputs} (slot rows → output rows) or of {@link #upstreamGrad} (upstream
   * rows → δ rows): every row is computed alone, so the split changes no bit.
   */
  private final class RowsTask implements Team.Task {
    private boolean upstream;
    private float[] params;
    private int rows;
    private float[] src;
    private int srcOff;
    private float[] dst;
    private int dstOff;

    void set(
        boolean upstream,
        float[] params,
        int rows,
        float[] src,
        int srcOff,
        float[] dst,
        int dstOff) {
      this.upstream = upstream;
      this.params = params;
      this.rows = rows;
      this.src = src;
      this.srcOff = srcOff;
      this.dst = dst;
      this.dstOff = dstOff;
    }

    @Override
    public void run(int i) {
      int parts = team.threads();
      int r0 = blockStart(i, parts, rows);
      int n = blockStart(i + 1, parts, rows) - r0;
      if (n <= 0) {
        return;
      }
      int width = stepOutputSize();
      if (upstream) {
        upstreamRows(
            params, n, src, srcOff + r0 * width, dst, dstOff + r0 * StackedRecurrence.this.delta);
      } else {
        outputRows(params, n, src, srcOff + r0 * slot, dst, dstOff + r0 * width);
      }
    }
  }

  private void upstreamRows(
      float[] params, int rows, float[] dy, int dyOff, float[] delta, int dOff) {
    int dh = dOff + top.dCol + top.dhCol();
    if (this.delta != h) {
      // Only the last layer's ∂L/∂h receives the loss; the other gathered gradients the pass adds
      // into (∂L/∂h of the layers below, ∂L/∂c) start at 0. The gate columns are written by the
      // local pass before anything reads them: zeroing whole rows wrote 7H floats per row for a
      // GRU (58 MB per pass at T = 256, B = 32, H = 256), 3.5 % of its time.
      for (CellLayer l : layers) {
        if (l != top) {
          zeroColumns(rows, delta, dOff + l.dCol + l.dhCol());
        }
        if (l.dcCol() >= 0) {
          zeroColumns(rows, delta, dOff + l.dCol + l.dcCol());
        }
      }
    }
    if (o > 0) {
      Kernels.blas()
          .gemm(
              false,
              false,
              rows,
              h,
              o,
              1f,
              dy,
              dyOff,
              o,
              params,
              offWy,
              h,
              0f,
              delta,
              dh,
              this.delta);
    } else if (this.delta == h) {
      System.arraycopy(dy, dyOff, delta, dh, rows * h);
    } else {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(dy, dyOff + r * h, delta, dh + r * this.delta, h);
      }
    }
  }

  /** H zeros at off in each of {@code rows} δ rows. */
  private void zeroColumns(int rows, float[] delta, int off) {
    for (int r = 0; r < rows; r++) {
      int at = off + r * this.delta;
      java.util.Arrays.fill(delta, at, at + h, 0f);
    }
  }

  @Override
  public void recurrentGrad(
      float[] params,
      int rows,
      int batch,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstOff) {
    // Always the packed GEMM, even for one row: truncation's chains are 1..τ·B rows, one row only
    // at the last step of a B = 1 call, and a gemvᵀ there is code run once per call, which the JIT
    // leaves interpreted for hundreds of calls (909 KB of boxed vectors and ~6 ms per call at T =
    // 1024, τ = 64, H = 256, measured). A row's bits then do not depend on how many chains are
    // alive.
    for (CellLayer l : layers) {
      layerRecurrentGrad(
          l, params, rows, batch, false, f, next, nextOff, src, srcOff, beta, dst, dstOff);
    }
  }

  @Override
  public void localGrad(
      float[] params, int rows, float[] states, int stOff, float[] delta, int dOff) {
    int prev = stOff - rows * slot;
    for (int k = layers.length - 1; k >= 0; k--) {
      CellLayer l = layers[k];
      l.local(params, rows, states, stOff + l.sCol, prev + l.sCol, delta, dOff + l.dCol);
      if (k > 0) {
        CellLayer below = layers[k - 1];
        l.inputGrad(
            params,
            rows,
            false,
            delta,
            dOff + l.dCol,
            delta,
            dOff + below.dCol + below.dhCol(),
            this.delta);
      }
    }
  }

  /**
   * Layer-major, as cuDNN and PyTorch's CPU path: the last layer's recursion runs over all the
   * segment's steps, then one GEMM over all its rows sends δ_x·W_ih into the gathered ∂L/∂h of the
   * layer below, whose recursion runs next. Per step this touches one layer's weights instead of
   * every layer's (a two-layer H = 256 LSTM at B = 1 fell out of L2 step-major). For one layer it
   * is the same sequence of operations as {@link #localGrad} step by step.
   */
  @Override
  public void deltas(
      float[] params,
      StepData in,
      int t1,
      int t2,
      float[] states,
      int base,
      float[] delta,
      int dBase,
      float[] next,
      int nextOff,
      float[] nextSlot,
      int nextSlotOff) {
    final int batch = in.batch;
    final int shards = shards(in);
    if (shards == 1) {
      finishWeightGrads();
    }
    for (int k = layers.length - 1; k >= 0; k--) {
      CellLayer l = layers[k];
      if (shards == 1) {
        layerDeltas(
            l,
            params,
            in,
            t1,
            t2,
            states,
            base,
            delta,
            dBase,
            next,
            nextOff,
            nextSlot,
            nextSlotOff,
            0,
            batch);
      } else {
        l.preparePacked(params, batch, false);
        DeltasTask dt = deltasTask;
        dt.set(
            l,
            shards,
            params,
            in,
            t1,
            t2,
            states,
            base,
            delta,
            dBase,
            next,
            nextOff,
            nextSlot,
            nextSlotOff);
        if (gradsPending) {
          // The deferred weight gradients of the chunk above in pieces beside the shards' δ
          // recursion (which writes only δ rows of t1..t2): the faster thread takes more pieces.
          gradsPending = false;
          WeightGradTask w = weightGradTask;
          team.run(shards + w.tasks(), beside.of(dt, shards, w));
        } else {
          team.run(shards, dt);
        }
      }
      if (k > 0) {
        CellLayer below = layers[k - 1];
        int rows = (t2 - t1 + 1) * batch;
        int src = dBase + l.dCol;
        int dst = dBase + below.dCol + below.dhCol();
        if (team == null) {
          l.inputGrad(params, rows, true, delta, src, delta, dst, this.delta);
        } else {
          l.preparePacked(params, batch, false);
          InputGradTask ig = inputGradTask;
          ig.set(l, params, rows, delta, src, dst);
          team.run(team.threads(), ig);
        }
      }
    }
  }

  /**
   * Batch shards of a backward pass: one per thread, but one when traced (traces sum ‖∂L/∂h_t‖²
   * over the whole batch per step) or without a team.
   */
  private int shards(StepData in) {
    boolean traces = in.traceDh != null || in.traceDc != null;
    return team == null || traces ? 1 : Math.min(team.threads(), in.batch);
  }

  /** With batch shards, each shard writes its own rows' upstream gradients ({@link #deltas}). */
  @Override
  public boolean deltasGatherUpstream(StepData in) {
    return shards(in) > 1;
  }

  /**
   * The upstream rows of sequences b0..b1−1 at steps t1..t2 (the engine's upstream pass, cut to one
   * shard's rows: every row is computed alone, so the same bits): ∂L/∂h from the step's upstream
   * gradient at loss steps, zero δ rows elsewhere.
   */
  private void shardUpstream(
      float[] params, StepData in, int t1, int t2, float[] delta, int dBase, int b0, int b1) {
    final int rows = b1 - b0, width = stepOutputSize();
    final int bd = in.batch * this.delta;
    for (int t = t1; t <= t2; t++) {
      int dOff = dBase + (t - t1) * bd + b0 * this.delta;
      if (in.hasLoss(t)) {
        upstreamRows(params, rows, in.upstream, in.upstreamOffset(t) + b0 * width, delta, dOff);
      } else {
        java.util.Arrays.fill(delta, dOff, dOff + rows * this.delta, 0f);
      }
    }
  }

  /**
   * The backward recursion of layer l over steps t2..t1 for sequences b0..b1−1 (all B sequences
   * when traced): per step the recurrent gradient from step t+1, the trace, the local gradient.
   */
  private void layerDeltas(
      CellLayer l,
      float[] params,
      StepData in,
      int t1,
      int t2,
      float[] states,
      int base,
      float[] delta,
      int dBase,
      float[] next,
      int nextOff,
      float[] nextSlot,
      int nextSlotOff,
      int b0,
      int b1) {
    final int batch = in.batch;
    final int bs = batch * slot;
    final int bd = batch * this.delta;
    final int rows = b1 - b0;
    final boolean oneRow = batch == 1;
    final boolean last = l == top;
    for (int t = t2; t >= t1; t--) {
      int cur = dBase + (t - t1) * bd + b0 * this.delta;
      int slotT = base + (t - t1 + 1) * bs + b0 * slot;
      float f = t < in.steps ? in.flowAt(t) : 0f; // flow has T entries: none is read at t = T
      if (f != 0f) {
        if (t < t2) {
          layerRecurrentGrad(
              l,
              params,
              rows,
              rows,
              oneRow,
              f,
              states,
              slotT + bs,
              delta,
              cur + bd,
              1f,
              delta,
              cur);
        } else if (next != null) {
          layerRecurrentGrad(
              l,
              params,
              rows,
              rows,
              oneRow,
              f,
              nextSlot,
              nextSlotOff + b0 * slot,
              next,
              nextOff + b0 * this.delta,
              1f,
              delta,
              cur);
        }
      }
      if (last && in.traceDh != null) {
        in.traceDh[t - 1] = (float) Math.sqrt(l.hiddenGradSquares(rows, delta, cur + l.dCol));
      }
      l.local(params, rows, states, slotT + l.sCol, slotT - bs + l.sCol, delta, cur + l.dCol);
      if (last && in.traceDc != null) {
        in.traceDc[t - 1] = (float) Math.sqrt(l.cellGradSquares(rows, delta, cur + l.dCol));
      }
    }
  }

  /** {@link #layerDeltas} of one block of sequences per task. */
  private final class DeltasTask implements Team.Task {
    private CellLayer l;
    private int shards;
    private float[] params;
    private StepData in;
    private int t1;
    private int t2;
    private float[] states;
    private int base;
    private float[] delta;
    private int dBase;
    private float[] next;
    private int nextOff;
    private float[] nextSlot;
    private int nextSlotOff;

    void set(
        CellLayer l,
        int shards,
        float[] params,
        StepData in,
        int t1,
        int t2,
        float[] states,
        int base,
        float[] delta,
        int dBase,
        float[] next,
        int nextOff,
        float[] nextSlot,
        int nextSlotOff) {
      this.l = l;
      this.shards = shards;
      this.params = params;
      this.in = in;
      this.t1 = t1;
      this.t2 = t2;
      this.states = states;
      this.base = base;
      this.delta = delta;
      this.dBase = dBase;
      this.next = next;
      this.nextOff = nextOff;
      this.nextSlot = nextSlot;
      this.nextSlotOff = nextSlotOff;
    }

    @Override
    public void run(int i) {
      int b = in.batch, b0 = blockStart(i, shards, b), b1 = blockStart(i + 1, shards, b);
      if (l == top) {
        // the engine left the upstream rows to the shards (deltasGatherUpstream)
        shardUpstream(params, in, t1, t2, delta, dBase, b0, b1);
      }
      layerDeltas(
          l,
          params,
          in,
          t1,
          t2,
          states,
          base,
          delta,
          dBase,
          next,
          nextOff,
          nextSlot,
          nextSlotOff,
          b0,
          b1);
    }
  }

  /** Rows of the row-stable input-gradient GEMM δ_x·W_ih into the layer below, one block a task. */
  private final class InputGradTask implements Team.Task {
    private CellLayer l;
    private float[] params;
    private int rows;
    private float[] delta;
    private int src;
    private int dst;

    void set(CellLayer l, float[] params, int rows, float[] delta, int src, int dst) {
      this.l = l;
      this.params = params;
      this.rows = rows;
      this.delta = delta;
      this.src = src;
      this.dst = dst;
    }

    @Override
    public void run(int i) {
      int parts = team.threads();
      int r0 = blockStart(i, parts, rows);
      int r1 = blockStart(i + 1, parts, rows);
      int ld = StackedRecurrence.this.delta;
      if (r1 > r0) {
        l.inputGrad(params, r1 - r0, true, delta, src + r0 * ld, delta, dst + r0 * ld, ld);
      }
    }
  }

  /** One layer's part of {@link #recurrentGrad}, into the δ rows at dst. */
  private void layerRecurrentGrad(
      CellLayer l,
      float[] params,
      int rows,
      int batch,
      boolean oneRow,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstOff) {
    int part = dstOff + l.dCol;
    l.recurrentGrad(
        params,
        rows,
        batch,
        oneRow,
        f,
        next,
        nextOff + l.sCol,
        src,
        srcOff + l.dCol,
        beta,
        dst,
        part + l.dhCol(),
        delta,
        part + l.dcCol(),
        delta);
  }

  @Override
  public double hiddenGradSquares(int rows, float[] delta, int dOff) {
    return top.hiddenGradSquares(rows, delta, dOff + top.dCol);
  }

  @Override
  public double cellGradSquares(int rows, float[] delta, int dOff) {
    return top.cellGradSquares(rows, delta, dOff + top.dCol);
  }

  @Override
  public void loadCarry(int rows, float[] src, int srcOff, float[] slots, int slotOff) {
    int n = layers.length;
    for (int k = 0; k < n; k++) {
      layers[k].loadCarry(
          rows, src, srcOff + k * rows * h, srcOff + (n + k) * rows * h, slots, slotOff);
    }
  }

  @Override
  public void storeCarry(int rows, float[] slots, int slotOff, float[] dst, int dstOff) {
    int n = layers.length;
    for (int k = 0; k < n; k++) {
      layers[k].storeCarry(
          rows, slots, slotOff, dst, dstOff + k * rows * h, dstOff + (n + k) * rows * h);
    }
  }

  @Override
  public void initialStateGrad(
      float[] params,
      int rows,
      boolean packed,
      float f,
      float[] slot1,
      int slot1Off,
      float[] delta1,
      int d1Off,
      float[] dst,
      int dstOff) {
    int n = layers.length;
    for (int k = 0; k < n; k++) {
      CellLayer l = layers[k];
      l.recurrentGrad(
          params,
          rows,
          rows,
          rows == 1 && !packed,
          f,
          slot1,
          slot1Off + l.sCol,
          delta1,
          d1Off + l.dCol,
          0f,
          dst,
          dstOff + k * rows * h,
          h,
          dstOff + (n + k) * rows * h,
          h);
    }
  }

  /**
   * Deferred parameter gradients of steps t1..t2: every layer's GEMMs over the segment's rows
   * (layer k's inputs are layer k−1's h of the same steps), then the readout's over the runs of
   * loss steps; every sum in descending (t, b) order, blocked at absolute rows (see {@link
   * Recurrence#weightGrads}).
   */
  @Override
  public void weightGrads(
      float[] params,
      float[] grads,
      int batch,
      int t1,
      int t2,
      float[] states,
      int base,
      float[] delta,
      int dBase,
      StepData in,
      SumBlocks carry) {
    finishWeightGrads();
    // Rows count from step 1 when the sum is cut into calls (checkpointed segments), from the
    // call's first step when the call is the whole sum (a truncated window then sums bitwise like
    // the same steps run as a sequence of their own).
    SumBlocks blk = carry != null ? carry : wholeSum;
    int origin = carry != null ? 1 : t1;
    blk.at((long) (t2 - origin + 1) * batch - 1, 0);
    if (team != null) {
      WeightGradTask w = weightGradTask;
      w.set(grads, batch, t1, t2, states, base, delta, dBase, in, blk);
      if (carry != null && carry.beside) {
        // held: its pieces run beside the next chunk's δ recursion (deltas) or in finishWeightGrads
        gradsPending = true;
      } else {
        team.run(w.tasks(), w);
      }
      return;
    }
    final int bs = batch * slot;
    final int rows = (t2 - t1 + 1) * batch;
    for (int k = 0; k < layers.length; k++) {
      CellLayer l = layers[k];
      layerWeightGrads(
          l, k, grads, rows, bs, base, delta, dBase, in, t1, 0, l.gh, 0, h + l.in, true, states,
          blk);
    }
    readoutGrads(grads, batch, t1, t2, states, base, in, blk);
  }

  /** The held weight-gradient work ({@link SumBlocks#beside}), if any, on the team now. */
  @Override
  public void finishWeightGrads() {
    if (gradsPending) {
      gradsPending = false;
      WeightGradTask w = weightGradTask;
      team.run(w.tasks(), w);
    }
  }

  /**
   * Layer k's weight rows m0..m1−1, columns j0..j1−1 of [W_hh | W_ih] (and the rows' bias sums if
   * asked) over the segment's rows.
   */
  private void layerWeightGrads(
      CellLayer l,
      int k,
      float[] grads,
      int rows,
      int bs,
      int base,
      float[] delta,
      int dBase,
      StepData in,
      int t1,
      int m0,
      int m1,
      int j0,
      int j1,
      boolean biases,
      float[] states,
      SumBlocks blk) {
    if (k == 0) {
      l.weightGrads(
          grads,
          rows,
          states,
          base + l.sCol,
          base + bs + l.sCol,
          in.x,
          in.xOffset(t1),
          d,
          delta,
          dBase + l.dCol,
          m0,
          m1,
          j0,
          j1,
          biases,
          blk);
    } else {
      l.weightGrads(
          grads,
          rows,
          states,
          base + l.sCol,
          base + bs + l.sCol,
          states,
          base + bs + layers[k - 1].sCol,
          slot,
          delta,
          dBase + l.dCol,
          m0,
          m1,
          j0,
          j1,
          biases,
          blk);
    }
  }

  /**
   * The readout's gradients over the runs of loss steps in t1..t2, in descending order, as one
   * blocked sum over the step rows (steps without a loss being zero terms): consecutive runs hand
   * their open sums on through the readout's own carry; a run that starts in a later run or block
   * than the open one first closes it (exactly the additions its zero rows would have made), and
   * the call's last run closes everything unless a later call (blk.suspend) continues it.
   */
  private void readoutGrads(
      float[] grads,
      int batch,
      int t1,
      int t2,
      float[] states,
      int base,
      StepData in,
      SumBlocks blk) {
    if (o == 0) {
      return;
    }
    final int bs = batch * slot;
    final SumBlocks rb = readoutSum;
    if (!blk.resume) {
      readoutOpen = -1;
    }
    for (int b = t2; b >= t1; ) {
      if (!in.hasLoss(b)) {
        b--;
        continue;
      }
      int a = in.runStart(b, t1);
      int runRows = (b - a + 1) * batch;
      int dy = in.upstreamOffset(a);
      int hFirst = base + (a - t1 + 1) * bs + top.sCol;
      long runTop = blk.top - (long) (t2 - b) * batch;
      boolean resume1 = false, resume2 = false;
      if (readoutOpen >= 0) {
        long open = readoutOpen;
        boolean runOpen = SumBlocks.continuesBelow(open, SumBlocks.SUB);
        if (!SumBlocks.sameGroup(runTop, open, SumBlocks.BLOCK)) {
          closeReadout(grads, runOpen, true);
        } else if (!SumBlocks.sameGroup(runTop, open, SumBlocks.SUB)) {
          closeReadout(grads, runOpen, false);
          resume2 = true;
        } else {
          resume1 = resume2 = true;
        }
      }
      rb.top = runTop;
      rb.resume1 = resume1;
      rb.resume2 = resume2;
      rb.suspend = true;
      rb.shift = -offWy;
      Kernels.addTransposedProductBlocked(
          o, h, runRows, in.upstream, dy, o, states, hFirst, slot, grads, offWy, h, rb);
      rb.shift = o * h - offBy;
      Kernels.addRowSumsBlocked(runRows, o, in.upstream, dy, o, null, 0, 0, grads, offBy, rb);
      long bottom = runTop - runRows + 1;
      readoutOpen = SumBlocks.continuesBelow(bottom, SumBlocks.BLOCK) ? bottom : -1;
      b = a - 1;
    }
    if (readoutOpen >= 0 && !blk.suspend) {
      closeReadout(grads, SumBlocks.continuesBelow(readoutOpen, SumBlocks.SUB), true);
    }
  }

  /**
   * Closes the readout's open sums: the open run sum (if {@code runOpen}) into the block sum, and
   * with {@code block} the block sum into the gradient, the additions the summing kernels make when
   * a run or block ends inside a call.
   */
  private void closeReadout(float[] grads, boolean runOpen, boolean block) {
    float[] l1 = readoutSum.l1, l2 = readoutSum.l2;
    int wy = o * h, n = wy + o;
    for (int i = 0; i < n; i++) {
      float v = runOpen ? l2[i] + l1[i] : l2[i];
      if (block) {
        grads[i < wy ? offWy + i : offBy + (i - wy)] += v;
      } else {
        l2[i] = v;
      }
    }
    if (block) {
      readoutOpen = -1;
    }
  }

  /**
   * The deferred gradients as tasks: the readout's (one task: its sums carry from run to run), then
   * per layer the pieces of a grid of unit blocks (one per thread) by blocks of {@link
   * #GRAD_PIECE_COLS} columns of [dW_hh | dW_ih], the bias sums with each unit block's first column
   * block. Small pieces let the threads finish together when they run beside the δ recursion's
   * shards. Every element is the single-thread chain, so the split changes no bit.
   */
  private final class WeightGradTask implements Team.Task {
    private float[] grads;
    private int batch;
    private int t1;
    private int t2;
    private float[] states;
    private int base;
    private float[] delta;
    private int dBase;
    private StepData in;
    private SumBlocks blk;

    void set(
        float[] grads,
        int batch,
        int t1,
        int t2,
        float[] states,
        int base,
        float[] delta,
        int dBase,
        StepData in,
        SumBlocks blk) {
      this.grads = grads;
      this.batch = batch;
      this.t1 = t1;
      this.t2 = t2;
      this.states = states;
      this.base = base;
      this.delta = delta;
      this.dBase = dBase;
      this.in = in;
      this.blk = blk;
    }

    int tasks() {
      int n = 1;
      for (CellLayer l : layers) {
        n += team.threads() * columnBlocks(l);
      }
      return n;
    }

    @Override
    public void run(int i) {
      if (i == 0) {
        readoutGrads(grads, batch, t1, t2, states, base, in, blk);
        return;
      }
      final int parts = team.threads();
      int p = i - 1, k = 0;
      while (p >= parts * columnBlocks(layers[k])) {
        p -= parts * columnBlocks(layers[k]);
        k++;
      }
      CellLayer l = layers[k];
      int blocks = columnBlocks(l), part = p / blocks, cb = p % blocks;
      layerWeightGrads(
          l,
          k,
          grads,
          (t2 - t1 + 1) * batch,
          batch * slot,
          base,
          delta,
          dBase,
          in,
          t1,
          unitBlockStart(part, parts, l.gh),
          unitBlockStart(part + 1, parts, l.gh),
          cb * GRAD_PIECE_COLS,
          Math.min((cb + 1) * GRAD_PIECE_COLS, h + l.in),
          cb == 0,
          states,
          blk);
    }
  }

  /** Columns per weight-gradient piece: two 32-wide strips of the summing kernel's tiles. */
  private static final int GRAD_PIECE_COLS = 64;

  private int columnBlocks(CellLayer l) {
    return (h + l.in + GRAD_PIECE_COLS - 1) / GRAD_PIECE_COLS;
  }

  /**
   * Block boundaries of the gate units for the weight-gradient tasks: multiples of 64 (so of every
   * vector length), the last at G·H, which keeps the bias sums' vector/tail split of one thread.
   */
  private static int unitBlockStart(int i, int parts, int gh) {
    if (i >= parts) {
      return gh;
    }
    return Math.min(gh, (int) ((long) i * gh / parts + 32) / 64 * 64);
  }
}
