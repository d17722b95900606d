package dev.bptt.kernel.internal;

import dev.bptt.kernel.blas.Activation;

/**
 * One layer of a {@link StackedRecurrence}: the segment kernels of one cell type over its columns
 * of the stack's slot and δ rows. The products every cell shares are written here once (input
 * projection, recurrent product, their transposes, the weight-gradient GEMMs); a subclass adds its
 * slot and δ column layout and its fused per-row passes ({@link CellSupport}).
 *
 * <p>Rows: a slot row is S floats, this layer's part starting at column {@link #sCol} with h_t
 * first; a δ row is Δ floats, this layer's part at {@link #dCol}. Column constants of the part:
 * where the input projection and the recurrent product go ({@code preCol}, {@code recCol}), where δ
 * for the input and hidden weights start ({@code dxCol}, {@code dhhCol}), and where ∂L/∂h_t is
 * gathered ({@code dhCol}).
 */
abstract sealed class CellLayer permits ElmanLayer, GruLayer, LstmLayer {
  final int h;
  final int gh;
  final int in;
  final int offIh;
  final int offHh;
  final int offBih;

  /** Offset of b_hh, or −1 for a single-bias layer (ElmanRnn's b_h). */
  final int offBhh;

  /**
   * Offset of the layer normalization's γ (G·H floats, then β), or −1 without it. With it the slot
   * part gains x̂ (G·H, where the recurrent product is written and normalized in place) and s =
   * 1/√(σ² + ε) (G floats, one per gate) after the cell's columns, and the δ part gains ∂L/∂r (G·H)
   * after the cell's: the cell's hidden-side gradient columns keep dn (the gradient of the
   * normalized term, b_hh's and β's gradient) and ∂L/∂r takes their place in the W_hh products.
   */
  final int offLn;

  /** Layer normalization's ε, torch.nn.LayerNorm's default. */
  static final double LN_EPS = 1e-5;

  private final int gates;
  private final int lnCol;
  private final int lnScaleCol;
  private final int drCol;

  int sCol;
  int sWidth;
  int dCol;
  int dWidth;

  /** Stride of slot rows (S) and δ rows (Δ) of the whole stack. */
  int ldS;

  int ldD;

  /**
   * The weights multiplied once per step, packed once per pass for the GEMM driver (B &gt; 1 and
   * truncation chains): W_hhᵀ for the forward product, W_hh for its transpose in the backward pass,
   * W_ih for the gradient sent to the layer below, W_ihᵀ for the input projection (run once per
   * segment or window: checkpointed and truncated passes project a few steps at a time, and packing
   * W_ih for each of those small GEMMs cost about as much as the GEMM). Made on first use (a
   * workspace's first pass), repacked after {@link #paramsChanged}; packing is bitwise neutral
   * ({@link GemmDriver#packB}).
   */
  private final Packed packedFwd;

  private final Packed packedProj;
  private final Packed packedBwd;
  private final Packed packedIn;

  /**
   * One weight matrix (k × n of op(B), at {@code off} with leading dimension {@code ld} in the
   * parameters) packed for {@link GemmDriver}: buffer made on first use or by {@link
   * #reservePacked}, contents redone after {@link #paramsChanged}.
   */
  private static final class Packed {
    private final boolean transB;
    private final int k;
    private final int n;
    private final int off;
    private final int ld;
    private float[] buf;
    private boolean valid;

    Packed(boolean transB, int k, int n, int off, int ld) {
      this.transB = transB;
      this.k = k;
      this.n = n;
      this.off = off;
      this.ld = ld;
    }

    void reserve() {
      if (buf == null) {
        buf = new float[Kernels.blas().packedSize(k, n)];
      }
    }

    float[] get(float[] params) {
      if (!valid) {
        reserve();
        Kernels.blas().packB(transB, k, n, params, off, ld, buf);
        valid = true;
      }
      return buf;
    }
  }

  /** Allocates the packed-weight buffers now (W_ih's only above layer 0). */
  final void reservePacked() {
    packedFwd.reserve();
    packedBwd.reserve();
    if (!firstLayer) {
      packedIn.reserve();
    }
    if (in > 0) {
      packedProj.reserve();
    }
  }

  /** True for layer 0, whose input gradient nobody asks for. */
  boolean firstLayer = true;

  /**
   * The team's split matrix–vector products for a one-sequence pass, or null: everything on the
   * caller (set by the stack when it has a team).
   */
  SplitGemv split;

  /**
   * b_ih + b_hh, the bias every projection row starts from when the cell folds the hidden bias
   * (made on first use, redone after {@link #paramsChanged}): the same fl(b_ih + b_hh) per element
   * that adding b_hh to each row gave, computed once per pass instead of once per row.
   */
  private float[] foldedBias;

  private boolean biasValid;

  /** The parameters may have changed: packed copies must be redone before use. */
  final void paramsChanged() {
    packedFwd.valid = packedBwd.valid = packedIn.valid = packedProj.valid = biasValid = false;
  }

  /** True when the projection rows start from {@link #foldedBias} (a b_hh exists and is folded). */
  private boolean usesFoldedBias() {
    return offBhh >= 0 && foldsHiddenBias;
  }

  private float[] foldedBias(float[] params) {
    if (!biasValid) {
      if (foldedBias == null) {
        foldedBias = new float[gh];
      }
      // A scalar loop, not the vector axpy: this runs once per call, too rarely for C2 to compile a
      // vector loop soon, and interpreted or C1 Vector API code allocates a box per vector (about
      // 18 KB per call at G·H = 1024, measured). b_ih + 1·b_hh gives the same bits either way.
      for (int i = 0; i < gh; i++) {
        foldedBias[i] = params[offBih + i] + params[offBhh + i];
      }
      biasValid = true;
    }
    return foldedBias;
  }

  /** Where a cell keeps what in its slot and δ parts, in units of H (see the class comment). */
  record Columns(
      int slot,
      int delta,
      int pre,
      int rec,
      boolean recAdds,
      boolean foldsHiddenBias,
      int dx,
      int dhh,
      int dh,
      int dc) {}

  private final int slotWidth;
  private final int deltaWidth;
  private final int preCol;
  private final int recCol;
  private final float recBeta;
  private final boolean foldsHiddenBias;
  private final int dxCol;
  private final int dhhCol;
  private final int dhCol;
  private final int dcCol;

  CellLayer(
      Columns cols,
      int h,
      int gates,
      int in,
      int offIh,
      int offHh,
      int offBih,
      int offBhh,
      int offLn) {
    boolean ln = offLn >= 0;
    this.offLn = offLn;
    this.gates = gates;
    this.lnCol = cols.slot() * h;
    this.lnScaleCol = lnCol + gates * h;
    this.drCol = cols.delta() * h;
    this.slotWidth = cols.slot() * h + (ln ? gates * h + gates : 0);
    this.deltaWidth = cols.delta() * h + (ln ? gates * h : 0);
    this.preCol = cols.pre() * h;
    this.recCol = cols.rec() * h;
    this.recBeta = cols.recAdds() ? 1f : 0f;
    this.foldsHiddenBias = cols.foldsHiddenBias();
    this.dxCol = cols.dx() * h;
    this.dhhCol = cols.dhh() * h;
    this.dhCol = cols.dh() * h;
    this.dcCol = cols.dc() < 0 ? -1 : cols.dc() * h;
    this.h = h;
    this.gh = gates * h;
    this.in = in;
    this.offIh = offIh;
    this.offHh = offHh;
    this.offBih = offBih;
    this.offBhh = offBhh;
    this.packedFwd = new Packed(true, h, gh, offHh, h);
    this.packedBwd = new Packed(false, gh, h, offHh, h);
    this.packedIn = new Packed(false, gh, in, offIh, in);
    this.packedProj = new Packed(true, in, gh, offIh, in);
  }

  static CellLayer of(
      dev.bptt.kernel.rnn.CellType cell,
      Activation activation,
      int h,
      int in,
      int offIh,
      int offHh,
      int offBih,
      int offBhh,
      int offLn) {
    return switch (cell) {
      case ELMAN -> new ElmanLayer(activation, h, in, offIh, offHh, offBih, offBhh, offLn);
      case GRU -> new GruLayer(h, in, offIh, offHh, offBih, offBhh, offLn);
      case LSTM -> new LstmLayer(h, in, offIh, offHh, offBih, offBhh, offLn);
    };
  }

  /** Places this layer's parts in the stack's rows. */
  final void place(int sCol, int dCol, int ldS, int ldD) {
    this.sCol = sCol;
    this.dCol = dCol;
    this.ldS = ldS;
    this.ldD = ldD;
  }

  /** Floats of this layer's part of a slot row. */
  final int slotWidth() {
    return slotWidth;
  }

  /** Floats of this layer's part of a δ row. */
  final int deltaWidth() {
    return deltaWidth;
  }

  /** Column of the input projection within the part (G·H columns). */
  final int preCol() {
    return preCol;
  }

  /** Column the recurrent product W_hh·h_{t−1} goes to (G·H columns). */
  final int recCol() {
    return recCol;
  }

  /** β of the recurrent product: 1 when it adds to the projection, 0 into a separate area. */
  final float recBeta() {
    return recBeta;
  }

  /** True when b_hh is added to the projection up front (else the step pass adds it). */
  final boolean foldsHiddenBias() {
    return foldsHiddenBias;
  }

  /** Column of the G·H gradients of the input-side pre-activations within the δ part. */
  final int dxCol() {
    return dxCol;
  }

  /** Column of the G·H gradients of the hidden-side pre-activations (the W_hh product's). */
  final int dhhCol() {
    return dhhCol;
  }

  /** Column of the gathered ∂L/∂h_t within the δ part. */
  final int dhCol() {
    return dhCol;
  }

  /** Column of the gathered ∂L/∂c_t, or −1 when the cell carries no c. */
  final int dcCol() {
    return dcCol;
  }

  /**
   * Column of the G·H gradients the W_hh products read: ∂L/∂r with layer normalization, else the
   * hidden-side pre-activation gradients.
   */
  private int recGradCol() {
    return offLn >= 0 ? drCol : dhhCol;
  }

  /**
   * The fused per-step pass over {@code batch} rows: from the pre-activations in the slots of step
   * t (at cur, row 0 of this part) and the carried state of step t−1 (at prev), the slots of step
   * t.
   */
  abstract void step(float[] params, int batch, float[] st, int prev, int cur);

  /**
   * In place over the δ parts of {@code rows} rows at d: gathered ∂L/∂h_t (and ∂L/∂c_t) become the
   * pre-activation gradients, from the slots of step t at st and of step t−1 at prev.
   */
  abstract void cellLocal(int rows, float[] st, int cur, int prev, float[] d, int dOff);

  /**
   * {@link #cellLocal}, then with layer normalization ∂L/∂r of every gate block from dn (the
   * hidden-side gradients), x̂ and s kept by the forward pass, and γ.
   */
  final void local(float[] params, int rows, float[] st, int cur, int prev, float[] d, int dOff) {
    cellLocal(rows, st, cur, prev, d, dOff);
    if (offLn >= 0) {
      layerNormBackward(params, rows, st, cur, d, dOff);
    }
  }

  /** ∂L/∂r per row and gate block: one fused pass each ({@link CellSupport#layerNormBackward}). */
  private void layerNormBackward(
      float[] params, int rows, float[] st, int cur, float[] d, int dOff) {
    CellSupport c = Kernels.cells();
    for (int r = 0; r < rows; r++) {
      int row = cur + r * ldS;
      int dRow = dOff + r * ldD;
      for (int g = 0; g < gates; g++) {
        c.layerNormBackward(
            h,
            st[row + lnScaleCol + g],
            st,
            row + lnCol + g * h,
            params,
            offLn + g * h,
            d,
            dRow + dhhCol + g * h,
            d,
            dRow + drCol + g * h);
      }
    }
  }

  /**
   * Normalizes the recurrent products of {@code rows} rows (x̂ in place, s kept) and adds the
   * normalized term to the pre-activations (Elman, LSTM) or writes it as the GRU's hidden part.
   */
  private void layerNormForward(float[] params, int rows, float[] st, int cur) {
    CellSupport c = Kernels.cells();
    final boolean add = recBeta == 1f;
    for (int r = 0; r < rows; r++) {
      int row = cur + r * ldS;
      for (int g = 0; g < gates; g++) {
        st[row + lnScaleCol + g] =
            c.layerNormForward(
                h,
                LN_EPS,
                st,
                row + lnCol + g * h,
                params,
                offLn + g * h,
                params,
                offLn + gh + g * h,
                add,
                st,
                row + recCol + g * h);
      }
    }
  }

  /**
   * The carried-state part of the recurrent gradient beyond the W_hhᵀ product, for {@code rows}
   * rows whose slot of step t+1 is row (r mod batch) at next: added with factor f into the h (and
   * c) gradients at dstH/dstC.
   */
  abstract void recurrentExtra(
      int rows,
      int batch,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstH,
      int ldH,
      int dstC,
      int ldC);

  /**
   * Forward over steps t1..t2 of this layer: slots of steps t1−1..t2 start at base (row 0). The
   * input projection runs chunk by chunk ({@link #projectionChunk}), each chunk's recursion right
   * after it; a row's bits do not depend on the chunks.
   */
  final void forward(
      float[] params, int batch, int steps, float[] x, int xOff, int ldX, float[] st, int base) {
    final int chunk = projectionChunk(batch, steps);
    for (int t = 0; t < steps; t += chunk) {
      int n = Math.min(chunk, steps - t);
      project(params, batch, t * batch, (t + n) * batch, x, xOff, ldX, st, base);
      recur(params, batch, 0, batch, n, st, base + t * batch * ldS);
    }
  }

  /** Rows of the input projection computed just ahead of the recursion that reads them. */
  static final int PROJECTION_ROWS = 256;

  /**
   * Steps per projection chunk: about {@link #PROJECTION_ROWS} rows, so that the recursion reads
   * pre-activations the projection left in cache. Projected all at once for T·B rows (25 MB at T =
   * 256, B = 32, G·H = 768), every recurrent tile started its chain from a DRAM load. A row's bits
   * do not depend on the chunking (one GEMM chain per element).
   */
  static int projectionChunk(int batch, int steps) {
    return Math.max(1, Math.min(steps, PROJECTION_ROWS / batch));
  }

  /**
   * Rows r0..r1−1 of the input projection of a segment (row r = step (t1 + r / B), sequence r mod
   * B): b_ih (and a folded b_hh) then + x·W_ihᵀ, into the projection columns of the slots after
   * base. Each row's bits are the same whatever r0 and r1 (one GEMM chain per element).
   */
  final void project(
      float[] params,
      int batch,
      int r0,
      int r1,
      float[] x,
      int xOff,
      int ldX,
      float[] st,
      int base) {
    final int rows = r1 - r0;
    if (rows <= 0) {
      return;
    }
    final int first = base + (batch + r0) * ldS + sCol + preCol();
    final float[] bias = usesFoldedBias() ? foldedBias(params) : params;
    final int biasOff = usesFoldedBias() ? 0 : offBih;
    if (in > 0) {
      // The chains start from the bias row (ld 0) instead of a fill of every row first.
      Kernels.blas()
          .gemmPackedFrom(
              rows,
              gh,
              in,
              x,
              xOff + r0 * ldX,
              ldX,
              packedProj.get(params),
              bias,
              biasOff,
              0,
              st,
              first,
              ldS);
    } else {
      Kernels.fillRows(rows, gh, bias, biasOff, st, first, ldS);
    }
  }

  /**
   * The recursion of sequences b0..b1−1 of a B-sequence batch over {@code steps} steps, after
   * {@link #project}: per step the recurrent product (a gemv when B = 1, else the packed GEMM over
   * the b1 − b0 rows) and the fused step pass. A sequence's bits do not depend on b0, b1.
   */
  final void recur(float[] params, int batch, int b0, int b1, int steps, float[] st, int base) {
    BlasSupport k = Kernels.blas();
    final int bs = batch * ldS;
    final int rows = b1 - b0;
    final boolean ln = offLn >= 0;
    // With layer normalization the product goes to the x̂ columns (overwritten), and the
    // normalized term then joins the pre-activation where the plain product would have.
    final float beta = ln ? 0f : recBeta();
    final int target = ln ? lnCol : recCol();
    for (int i = 0; i < steps; i++) {
      int prev = base + i * bs + b0 * ldS + sCol;
      int cur = prev + bs;
      if (batch == 1) {
        if (split != null) {
          split.gemv(gh, h, 1f, params, offHh, h, st, prev, beta, st, cur + target);
        } else {
          k.gemv(gh, h, 1f, params, offHh, h, st, prev, beta, st, cur + target);
        }
      } else {
        k.gemmPacked(
            false,
            rows,
            gh,
            h,
            1f,
            st,
            prev,
            ldS,
            packedFwd.get(params),
            beta,
            st,
            cur + target,
            ldS);
      }
      if (ln) {
        layerNormForward(params, rows, st, cur);
      }
      step(params, rows, st, prev, cur);
    }
  }

  /**
   * Packs, on the calling thread, every weight copy the forward (or, with {@code forward} false,
   * the backward) phases over {@code batch} sequences use (and the folded bias), before threads
   * share them read-only. Each pass repacks after {@link #paramsChanged}, so packing the other
   * direction's copies too cost a W_hh-sized copy per pass on the caller while the team waited.
   */
  final void preparePacked(float[] params, int batch, boolean forward) {
    if (forward) {
      if (usesFoldedBias()) {
        foldedBias(params);
      }
      if (in > 0) {
        packedProj.get(params);
      }
      if (batch > 1) {
        packedFwd.get(params);
      }
    } else {
      if (batch > 1) {
        packedBwd.get(params);
      }
      if (!firstLayer) {
        packedIn.get(params);
      }
    }
  }

  /**
   * ∂L/∂(carried state of step t) ← f·(∂state_{t+1}/∂state_t)ᵀ·δ_{t+1} + β·dst for {@code rows}
   * rows: the W_hhᵀ product into the h gradients (ld ldH), then the cell's element-wise part. The
   * product is the gemvᵀ when {@code oneRow} (the whole pass has one sequence), else the packed
   * GEMM, whose rows' bits do not depend on how many rows a call covers (a batch shard of one
   * sequence and truncation's chains use it too).
   */
  final void recurrentGrad(
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
      int dstH,
      int ldH,
      int dstC,
      int ldC) {
    BlasSupport k = Kernels.blas();
    int a = srcOff + recGradCol();
    if (oneRow && split != null) {
      split.gemvT(gh, h, f, params, offHh, h, src, a, beta, dst, dstH);
    } else if (oneRow) {
      k.gemvT(gh, h, f, params, offHh, h, src, a, beta, dst, dstH);
    } else {
      k.gemmPacked(false, rows, h, gh, f, src, a, ldD, packedBwd.get(params), beta, dst, dstH, ldH);
    }
    recurrentExtra(rows, batch, f, next, nextOff, src, srcOff, beta, dst, dstH, ldH, dstC, ldC);
  }

  /**
   * dst (rows × D_k, ld ldDst) += δ_x·W_ih: the gradient reaching this layer's input. With {@code
   * rowStable} every row is computed by the GEMM whatever {@code rows} is, so a row's bits do not
   * depend on how many rows the call covers (segments of any length reproduce the full pass);
   * without it one row takes the gemvᵀ.
   */
  final void inputGrad(
      float[] params,
      int rows,
      boolean rowStable,
      float[] d,
      int dOff,
      float[] dst,
      int dstOff,
      int ldDst) {
    BlasSupport k = Kernels.blas();
    int a = dOff + dxCol();
    if (rows == 1 && !rowStable) {
      k.gemvT(gh, in, 1f, params, offIh, in, d, a, 1f, dst, dstOff);
    } else {
      k.gemmPacked(
          false, rows, in, gh, 1f, d, a, ldD, packedIn.get(params), 1f, dst, dstOff, ldDst);
    }
  }

  /**
   * dW_hh += Σ δ_hhᵀ·h_{t−1}, dW_ih += Σ δ_xᵀ·x_t, db_ih += Σ δ_x, db_hh += Σ δ_hh over {@code
   * rows} rows, each sum in descending row order and in the levels of {@link SumBlocks} (the top
   * row being absolute row blk.top), for the weight rows (gate units) m0..m1−1 only, and those
   * units' bias sums if {@code biases}: hPrev is row 0 of h_{t1−1} (ld S), slot row 0 of step t1 is
   * at {@code slotT1} (x̂ for layer normalization), x row 0 of the inputs (ld ldX), d row 0 of this
   * part of δ_{t1}. With layer normalization δ_hh of dW_hh is ∂L/∂r, and the bias sums add dβ += Σ
   * dn and dγ += Σ dn⊙x̂. Of the weight columns, only j0..j1−1 of [dW_hh | dW_ih] side by side
   * (0..H + D_k for all). Every element is the same sum whatever the split of the units or columns.
   */
  final void weightGrads(
      float[] grads,
      int rows,
      float[] st,
      int hPrev,
      int slotT1,
      float[] x,
      int xOff,
      int ldX,
      float[] d,
      int dOff,
      int m0,
      int m1,
      int j0,
      int j1,
      boolean biases,
      SumBlocks blk) {
    int m = m1 - m0;
    if (m > 0) {
      int a = j0, b = Math.min(j1, h);
      if (b > a) {
        Kernels.addTransposedProductBlocked(
            m,
            b - a,
            rows,
            d,
            dOff + recGradCol() + m0,
            ldD,
            st,
            hPrev + a,
            ldS,
            grads,
            offHh + m0 * h + a,
            h,
            blk);
      }
      a = Math.max(j0, h) - h;
      b = Math.min(j1 - h, in);
      if (b > a) {
        Kernels.addTransposedProductBlocked(
            m,
            b - a,
            rows,
            d,
            dOff + dxCol() + m0,
            ldD,
            x,
            xOff + a,
            ldX,
            grads,
            offIh + m0 * in + a,
            in,
            blk);
      }
    }
    if (biases && m > 0) {
      int dx = dOff + dxCol() + m0, dhh = dOff + dhhCol() + m0;
      Kernels.addRowSumsBlocked(rows, m, d, dx, ldD, null, 0, 0, grads, offBih + m0, blk);
      if (offBhh >= 0) {
        Kernels.addRowSumsBlocked(rows, m, d, dhh, ldD, null, 0, 0, grads, offBhh + m0, blk);
      }
      if (offLn >= 0) {
        Kernels.addRowSumsBlocked(
            rows, m, d, dhh, ldD, st, slotT1 + lnCol + m0, ldS, grads, offLn + m0, blk);
        Kernels.addRowSumsBlocked(rows, m, d, dhh, ldD, null, 0, 0, grads, offLn + gh + m0, blk);
      }
    }
  }

  /** Σ of squares of the gathered ∂L/∂h over {@code rows} δ parts. */
  final double hiddenGradSquares(int rows, float[] d, int dOff) {
    return columnSquares(rows, d, dOff + dhCol());
  }

  /** Σ of squares of ∂L/∂c over {@code rows} δ parts after {@link #local} (0 without c). */
  final double cellGradSquares(int rows, float[] d, int dOff) {
    return dcCol() < 0 ? 0 : columnSquares(rows, d, dOff + dcCol());
  }

  private double columnSquares(int rows, float[] d, int off) {
    if (ldD == h) {
      return Kernels.sumOfSquares(rows * h, d, off);
    }
    double s = 0;
    for (int r = 0; r < rows; r++) {
      s += Kernels.sumOfSquares(h, d, off + r * ldD);
    }
    return s;
  }

  /** Carried vectors of {@code rows} rows: compact blocks [rows][H] at hOff (and cOff) ↔ slots. */
  final void loadCarry(int rows, float[] src, int hOff, int cOff, float[] st, int slotOff) {
    copyRows(rows, src, hOff, h, st, slotOff + sCol, ldS);
    if (dcCol() >= 0) {
      copyRows(rows, src, cOff, h, st, slotOff + sCol + h, ldS);
    }
  }

  final void storeCarry(int rows, float[] st, int slotOff, float[] dst, int hOff, int cOff) {
    copyRows(rows, st, slotOff + sCol, ldS, dst, hOff, h);
    if (dcCol() >= 0) {
      copyRows(rows, st, slotOff + sCol + h, ldS, dst, cOff, h);
    }
  }

  private void copyRows(
      int rows, float[] src, int sOff, int ldSrc, float[] dst, int dOff, int ldDst) {
    if (ldSrc == h && ldDst == h) {
      System.arraycopy(src, sOff, dst, dOff, rows * h);
      return;
    }
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, sOff + r * ldSrc, dst, dOff + r * ldDst, h);
    }
  }
}
