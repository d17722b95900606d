package dev.bptt.kernel.internal;

/**
 * Cache-blocked GEMM driver shared by both twins (GotoBLAS loop order): for each NC-wide panel of
 * op(B) and each KC-deep slice, op(B) is packed into NR-wide strips (zero padded), then for each
 * MC-tall block op(A) is packed into MR-tall strips, and a register-tiled MR×NR micro-kernel runs
 * over every (strip of A, strip of B) pair. Packing turns both transposes into the same contiguous
 * access, so one micro-kernel serves N/N, N/T, T/N and T/T.
 *
 * <p>Sizes: a KC×NR strip of B (16 KiB at NR = 16) stays in L1 while the MC×KC block of A (96 KiB)
 * streams from L2; the KC×NC panel of B (1 MiB) lives in L2/L3.
 *
 * <p><b>Determinism independent of shape.</b> The micro-kernel loads its C tile into the
 * accumulators and runs one multiply-add chain over p = 0..k−1 in order (α is folded into the
 * packed A), storing and reloading C between KC slices, which rounds nothing. So every element of C
 * is β·c followed by the same chain of k multiply-adds whatever m, n, the blocking or the tile
 * position: a row computed inside a tall GEMM is bitwise the row computed alone, and a K = K₁ + K₂
 * product computed as two calls (K₁ then K₂, β = 1) is bitwise the single call. Checkpointed BPTT
 * relies on both.
 *
 * <p>A negative lda (with transA) or ldb (without transB) walks the K rows of that operand in
 * reverse order, the offset then pointing at the last K row. Only {@link
 * Kernels#addTransposedProductBlocked} passes one (the descending-t weight-gradient sums); the
 * checked facade rejects negative leading dimensions.
 *
 * <p><b>Blocked sums</b> ({@link #blockedSum}, the weight gradients): there the K slices follow the
 * fixed block boundaries of {@link SumBlocks} instead of KC from the call's first row, and per tile
 * the slice's runs of 32 rows are chains from zero ({@link MicroKernel#runChain}) added into a
 * block sum, which is added to C once; open sums at the call's ends go through the carries (held in
 * place there for full tiles). Every element is again the same operations whatever the shape, the
 * tile position and where the call boundaries fall.
 *
 * <p>The panels are per-thread buffers made on a thread's first call, so a warm call allocates
 * nothing.
 */
final class GemmDriver {
  private GemmDriver() {}

  /** The register tile: C[r][c] ← C[r][c] + Σₚ Ap[p][r]·Bp[p][c] as one ordered chain over p. */
  interface MicroKernel {
    int mr();

    int nr();

    /**
     * acc ← C[cIdx + r·ldc + c]; for p = 0..kc−1: acc ← acc + ap[aIdx + p·aStride + r]·bp[bIdx +
     * p·NR + c]; C ← acc, for r &lt; MR, c &lt; NR. aStride is MR for a packed strip, or the
     * leading dimension of a transposed A read in place.
     */
    void tile(
        int kc,
        float[] ap,
        int aIdx,
        int aStride,
        float[] bp,
        int bIdx,
        float[] c,
        int cIdx,
        int ldc);

    /**
     * One level-1 run of a {@link SumBlocks blocked sum}, for the whole MR×NR tile: s ← i + Σₚ
     * Ap[p][r]·Bp[p][c] as one chain over p = 0..kc−1 started from i = init[initIdx + r·ldi + c]
     * (from zero when init is null), then dst[dstIdx + r·ldd + c] ← dst[…] + s when {@code add},
     * else ← s. A run inside a call adds into the block sum (init null, add); a run a later call
     * continues goes to the carried run sum (add false); a run an earlier call opened starts from
     * it. The default runs {@link #tile} on the scratch tile; a vector kernel keeps s in registers.
     */
    default void runChain(
        int kc,
        float[] ap,
        int aIdx,
        int aStride,
        float[] bp,
        int bIdx,
        float[] init,
        int initIdx,
        int ldi,
        float[] dst,
        int dstIdx,
        int ldd,
        boolean add,
        float[] scratch) {
      int mr = mr(), nr = nr();
      if (init == null) {
        java.util.Arrays.fill(scratch, 0, mr * nr, 0f);
      } else {
        loadTile(init, initIdx, ldi, mr, nr, scratch, nr, mr * nr);
      }
      tile(kc, ap, aIdx, aStride, bp, bIdx, scratch, 0, nr);
      if (add) {
        addTile(scratch, 0, nr, dst, dstIdx, ldd);
      } else {
        storeTile(scratch, nr, dst, dstIdx, ldd, mr, nr);
      }
    }

    /** C[cIdx + r·ldc + c] += t[tIdx + r·ldt + c] over the whole MR×NR tile. */
    default void addTile(float[] t, int tIdx, int ldt, float[] c, int cIdx, int ldc) {
      for (int r = 0; r < mr(); r++) {
        for (int j = 0; j < nr(); j++) {
          c[cIdx + r * ldc + j] += t[tIdx + r * ldt + j];
        }
      }
    }

    /** Packs one full NR-wide strip of an untransposed B: bp[d + p·NR + c] = b[s + p·ldb + c]. */
    default void packStrip(int kc, float[] b, int s, int ldb, float[] bp, int d) {
      int nr = nr();
      for (int p = 0; p < kc; p++) {
        System.arraycopy(b, s + p * ldb, bp, d + p * nr, nr);
      }
    }

    /**
     * True when the kernel's full tiles can read an untransposed A in place ({@link #tileInPlace}),
     * so the driver packs only partial strips.
     */
    default boolean readsRowsInPlace() {
      return false;
    }

    /**
     * {@link #tile} for a full MR×NR tile with op(A) = A read in place: element (p, r) at aIdx + p
     * + r·lda (MR rows of A walked side by side), the chain started from init[initIdx + r·ldi + c]
     * (from zero when init is null; init = C itself for the plain C ← C + A·B) and stored to C. The
     * same chain per element as on the packed strip, so the same bits. Called only when {@link
     * #readsRowsInPlace}.
     */
    default void tileInPlace(
        int kc,
        float[] a,
        int aIdx,
        int lda,
        float[] bp,
        int bIdx,
        float[] init,
        int initIdx,
        int ldi,
        float[] c,
        int cIdx,
        int ldc) {
      throw new UnsupportedOperationException();
    }

    /**
     * One whole slice of a {@link SumBlocks blocked sum} for a full MR×NR tile, when the slice
     * neither starts nor leaves an open run or block: s ← 0; for each level-1 run of the slice (run
     * lengths from {@code rowTop}, the slice's first row, down), s ← s + (one chain from zero over
     * the run); then C[cIdx + r·ldc + c] ← C[…] + s. The same operations as {@link #runChain} per
     * run into a zeroed scratch block sum followed by {@link #addTile}, so the same bits; a kernel
     * with the registers keeps s in them. False when the kernel has no such loop.
     */
    default boolean blockSum(
        int kc,
        long rowTop,
        float[] ap,
        int aIdx,
        int aStride,
        float[] bp,
        int bIdx,
        float[] c,
        int cIdx,
        int ldc) {
      return false;
    }

    /**
     * {@link #tile} for the first {@code rows} &lt; MR rows only, full NR columns, the same chain
     * per element: of the panel at bIdx (C from cIdx) and, when bIdx2 ≥ 0, also of the adjacent
     * panel at bIdx2 (C from cIdx + NR). A 1–2-row tile of one panel has too few independent FMA
     * chains to cover the FMA latency; two panels side by side double them. False when the kernel
     * has no such tile (the driver then runs the full tile on a scratch copy).
     */
    default boolean tileRows(
        int rows,
        int kc,
        float[] ap,
        int aIdx,
        int aStride,
        float[] bp,
        int bIdx,
        int bIdx2,
        float[] c,
        int cIdx,
        int ldc) {
      return false;
    }
  }

  static final int KC = 256;
  private static final int MC_TARGET = 96;
  private static final int NC_TARGET = 1024;

  /**
   * Bounds the edge-tile buffers: 8 × 64 holds every kernel's tile (AVX-512: 8 × 32, AVX2: 6 × 16)
   * with room for a 1024-bit species.
   */
  private static final int MAX_TILE = 8 * 64;

  private static final ThreadLocal<float[][]> BUFFERS =
      ThreadLocal.withInitial(
          () ->
              new float[][] {
                new float[(MC_TARGET + 8) * KC],
                new float[KC * (NC_TARGET + 64)],
                new float[MAX_TILE],
                new float[MAX_TILE],
                new float[MAX_TILE]
              });

  static void gemm(
      MicroKernel mk,
      boolean ta,
      boolean tb,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    run(
        mk, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, null, beta, NO_INIT, 0, 0, c, cOff,
        ldc, null);
  }

  /**
   * C += Σ over the k rows of op(A)ᵀ-row ⊗ B-row, summed in the three levels of {@link SumBlocks}
   * at the absolute row boundaries of {@code blk} (p = 0 is absolute row blk.top, p is blk.top −
   * p), carrying open run and block sums through blk's buffers. A is read transposed (A(i, p) =
   * a[aOff + p·lda + i]), B not (B(p, j) = b[bOff + p·ldb + j]); negative leading dimensions walk
   * the rows downwards, as for the weight-gradient sums.
   */
  static void blockedSum(
      MicroKernel mk,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] c,
      int cOff,
      int ldc,
      SumBlocks blk) {
    run(
        mk, true, false, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, null, 1f, NO_INIT, 0, 0, c, cOff,
        ldc, blk);
  }

  /**
   * Floats {@link #packB} writes for a k×n op(B): every (NC panel, KC slice) block of NR-wide
   * strips in the order the driver visits them.
   */
  static int packedSize(MicroKernel mk, int k, int n) {
    int nr = mk.nr();
    return k * ((n + nr - 1) / nr * nr);
  }

  /**
   * Packs the whole k×n op(B) once, for repeated {@link #gemmPacked} calls with the same B (the
   * recurrent weights, multiplied once per time step): the same strips the driver would pack for
   * each call, so results are bitwise those of {@link #gemm}.
   */
  static void packB(
      MicroKernel mk, boolean tb, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
    final int nr = mk.nr();
    final int ncMax = (NC_TARGET + nr - 1) / nr * nr;
    for (int jc = 0; jc < n; jc += ncMax) {
      int nc = Math.min(ncMax, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        packBInto(mk, tb, b, bOff, ldb, pc, kc, jc, nc, nr, dst, blockOffset(jc, pc, k, nc, nr));
      }
    }
  }

  /** C ← β·C + α·op(A)·B with B packed by {@link #packB} (k×n). */
  static void gemmPacked(
      MicroKernel mk,
      boolean ta,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] packedB,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    run(
        mk, ta, false, m, n, k, alpha, a, aOff, lda, null, 0, 0, packedB, beta, NO_INIT, 0, 0, c,
        cOff, ldc, null);
  }

  /**
   * C ← I + A·B (m×n) with B packed by {@link #packB} (k×n): I[i][j] = init[initOff + i·ldInit +
   * j], ldInit = 0 repeating one row (a bias), or zero when init is null. Bitwise the same as
   * copying I into C and calling {@link #gemmPacked} with α = β = 1 (every element is I then the
   * same chain), without that extra pass over C: full tiles start their chains from I.
   */
  static void gemmPackedFrom(
      MicroKernel mk,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] packedB,
      float[] init,
      int initOff,
      int ldInit,
      float[] c,
      int cOff,
      int ldc) {
    run(
        mk, false, false, m, n, k, 1f, a, aOff, lda, null, 0, 0, packedB, 1f, init, initOff, ldInit,
        c, cOff, ldc, null);
  }

  /**
   * The init argument of {@link #run} meaning "none: C ← β·C first"; a null init means zeros (what
   * β = 0 asks for, which run turns into that).
   */
  private static final float[] NO_INIT = new float[0];

  /** C rows r0..r1−1, columns j0..j0+cols−1 ← I (or zero when init is null). */
  private static void initRows(
      int r0,
      int r1,
      int j0,
      int cols,
      float[] init,
      int initOff,
      int ldInit,
      float[] c,
      int cOff,
      int ldc) {
    for (int r = r0; r < r1; r++) {
      int row = cOff + r * ldc + j0;
      if (init == null) {
        java.util.Arrays.fill(c, row, row + cols, 0f);
      } else {
        System.arraycopy(init, initOff + r * ldInit + j0, c, row, cols);
      }
    }
  }

  /** Offset of the (jc, pc) block in a whole packed B: full panels before, then full slices. */
  private static int blockOffset(int jc, int pc, int k, int nc, int nr) {
    return jc * k + pc * ((nc + nr - 1) / nr * nr);
  }

  private static void run(
      MicroKernel mk,
      boolean ta,
      boolean tb,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] packedB,
      float beta,
      float[] init,
      int initOff,
      int ldInit,
      float[] c,
      int cOff,
      int ldc,
      SumBlocks blk) {
    if (m == 0 || n == 0) {
      return;
    }
    // C ← I + α·op(A)·op(B) when an init is given (β = 0: I = 0, C is not read), else C ← β·C
    // first. Full in-place tiles start their chains from I on the first K slice; everything else
    // gets I written into C up front. Either way an element is I then the same chain: same bits.
    if (init == NO_INIT && beta == 0f) {
      init = null;
      initOff = ldInit = 0;
    }
    final boolean fromInit = init != NO_INIT;
    if (!fromInit) {
      scaleC(m, n, beta, c, cOff, ldc);
    }
    if (alpha == 0f || k == 0) {
      if (fromInit) {
        initRows(0, m, 0, n, init, initOff, ldInit, c, cOff, ldc);
      }
      return;
    }
    final int mr = mk.mr(), nr = mk.nr();
    final int mcMax = (MC_TARGET + mr - 1) / mr * mr;
    final int ncMax = (NC_TARGET + nr - 1) / nr * nr;
    float[][] buf = BUFFERS.get();
    float[] ap = buf[0], tmp = buf[2], t2 = buf[3], a1 = buf[4];
    float[] bp = packedB != null ? packedB : buf[1];
    // A transposed with α = 1 (the weight-gradient sums Σ δ·hᵀ): op(A)'s MR values of one p are
    // contiguous in A, so full strips are read in place (stride lda) and only a partial last strip
    // is packed. Packing them cost as much as the multiply-adds when N is small (N = H or D
    // against K = T·B); the values and their order are the same, so results are bitwise equal.
    final boolean direct = ta && alpha == 1f;
    // Every untransposed A with α = 1 and whole NR-wide panels (the per-step products
    // h_{t−1}·W_hhᵀ and δ_t·W_hh, B = 8..64 rows against a pre-packed B, the input projection, the
    // 256³ gemm): full strips read A's rows in place. Packing them was a scalar transpose of every
    // step's rows, 5–7 % of a GRU pass at B = 32 (measured).
    final boolean inPlace = !ta && alpha == 1f && n % nr == 0 && mk.readsRowsInPlace();
    if (fromInit && !inPlace) {
      initRows(0, m, 0, n, init, initOff, ldInit, c, cOff, ldc);
    }
    // Full in-place tiles of the first K slice start from I; rows of partial strips get I first.
    final boolean tilesInit = fromInit && inPlace;
    for (int jc = 0; jc < n; jc += ncMax) {
      int nc = Math.min(ncMax, n - jc);
      for (int pc = 0, kc; pc < k; pc += kc) {
        // A blocked sum slices K at absolute block boundaries, so a slice is one level-2 block.
        kc = blk == null ? Math.min(KC, k - pc) : SumBlocks.runLength(blk.top - pc, KC, k - pc);
        int bBase;
        if (packedB != null) {
          bBase = blockOffset(jc, pc, k, nc, nr);
        } else {
          bBase = 0;
          packBInto(mk, tb, b, bOff, ldb, pc, kc, jc, nc, nr, bp, 0);
        }
        for (int ic = 0; ic < m; ic += mcMax) {
          int mc = Math.min(mcMax, m - ic);
          int partial = mc / mr * mr; // first row of a partial strip (mc if none)
          if (!direct && !inPlace) {
            packA(ta, a, aOff, lda, ic, mc, pc, kc, mr, alpha, ap);
          } else if (partial < mc) {
            packA(ta, a, aOff, lda, ic + partial, mc - partial, pc, kc, mr, alpha, ap);
          }
          final boolean initNow = tilesInit && pc == 0;
          if (initNow && partial < mc) {
            initRows(ic + partial, ic + mc, jc, nc, init, initOff, ldInit, c, cOff, ldc);
          }
          // Set when panel jr's remainder strip ran together with panel jr + nr's.
          boolean pairedAhead = false;
          for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            final boolean remainderDone = pairedAhead;
            pairedAhead = false;
            for (int ir = 0; ir < mc; ir += mr) {
              int rows = Math.min(mr, mc - ir);
              int cIdx = cOff + (ic + ir) * ldc + jc + jr;
              float[] as;
              int aIdx, aStride;
              if (!direct && !inPlace) {
                as = ap;
                aIdx = ir * kc;
                aStride = mr;
              } else if (inPlace && ir < partial) {
                as = a;
                aIdx = aOff + (ic + ir) * lda + pc;
                aStride = lda; // read by tileInPlace as the row stride
              } else if (ir < partial) {
                as = a;
                aIdx = aOff + pc * lda + ic + ir;
                aStride = lda;
              } else {
                as = ap;
                aIdx = 0;
                aStride = mr;
              }
              if (blk != null) {
                blockTile(
                    mk,
                    kc,
                    as,
                    aIdx,
                    aStride,
                    bp,
                    bBase + jr * kc,
                    c,
                    cIdx,
                    ldc,
                    rows,
                    cols,
                    blk,
                    pc,
                    k,
                    t2,
                    a1);
              } else if (rows == mr && cols == nr && inPlace && ir < partial) {
                if (initNow) {
                  int ii = init == null ? 0 : initOff + (ic + ir) * ldInit + jc + jr;
                  mk.tileInPlace(
                      kc, as, aIdx, aStride, bp, bBase + jr * kc, init, ii, ldInit, c, cIdx, ldc);
                } else {
                  mk.tileInPlace(
                      kc, as, aIdx, aStride, bp, bBase + jr * kc, c, cIdx, ldc, c, cIdx, ldc);
                }
              } else if (rows == mr && cols == nr) {
                mk.tile(kc, as, aIdx, aStride, bp, bBase + jr * kc, c, cIdx, ldc);
              } else if (cols == nr && remainderDone) {
                // computed with the previous panel's remainder strip
              } else if (cols == nr
                  && jr + 2 * nr <= nc
                  && mk.tileRows(
                      rows,
                      kc,
                      as,
                      aIdx,
                      aStride,
                      bp,
                      bBase + jr * kc,
                      bBase + (jr + nr) * kc,
                      c,
                      cIdx,
                      ldc)) {
                pairedAhead = true;
              } else if (cols == nr
                  && mk.tileRows(
                      rows, kc, as, aIdx, aStride, bp, bBase + jr * kc, -1, c, cIdx, ldc)) {
                // a remainder strip (e.g. B = 32 = 5·6 + 2 rows per step) without a full tile's
                // work
              } else {
                edgeTile(
                    mk, kc, as, aIdx, aStride, bp, bBase + jr * kc, c, cIdx, ldc, rows, cols, tmp);
              }
            }
          }
        }
      }
    }
  }

  /**
   * One tile of one slice (level-2 block) of a blocked sum: the block sum starts from zero (or from
   * the carry when an earlier call opened the block), each level-1 run of the slice is added to it
   * as one chain from zero (or, for a run an earlier call opened or a later one continues, chained
   * from/into the carried run sum), and the block sum goes to C, unless a later call continues the
   * block. A full tile keeps carried sums in place in the carry buffers (a checkpoint segment or a
   * readout run shorter than a run of {@link SumBlocks#SUB} rows opens and leaves runs on every
   * call, and copying them to scratch tiles cost more than the call's multiply-adds); an edge tile
   * is computed whole on zero-padded scratch tiles. Both do the same operations per element, so the
   * bits are those of one call over all rows.
   */
  private static void blockTile(
      MicroKernel mk,
      int kc,
      float[] as,
      int aIdx,
      int aStride,
      float[] bp,
      int bIdx,
      float[] c,
      int cIdx,
      int ldc,
      int rows,
      int cols,
      SumBlocks blk,
      int pc,
      int k,
      float[] t2,
      float[] a1) {
    final int mr = mk.mr(), nr = mk.nr(), size = mr * nr;
    final boolean first = pc == 0, last = pc + kc == k;
    final boolean full = rows == mr && cols == nr;
    final int ci = cIdx + blk.shift;
    final boolean blockIn = first && blk.opensTop(KC), blockOut = last && blk.leavesOpen(KC, k);
    if (full
        && !blockIn
        && !blockOut
        && mk.blockSum(kc, blk.top - pc, as, aIdx, aStride, bp, bIdx, c, cIdx, ldc)) {
      // no carry in or out (a run never outlives its block), the block sum kept in registers
      return;
    }
    // Where the block sum lives: in place in the carry if it crosses a call boundary (full tiles),
    // else on the scratch tile t2 (ld nr).
    final boolean blockInPlace = full && (blockIn || blockOut);
    final float[] bs = blockInPlace ? blk.l2 : t2;
    final int bsIdx = blockInPlace ? ci : 0, bsLd = blockInPlace ? ldc : nr;
    if (blockInPlace) {
      if (!blockIn) {
        zeroTile(bs, bsIdx, bsLd, mr, nr);
      }
    } else if (blockIn) {
      loadTile(blk.l2, ci, ldc, rows, cols, t2, nr, size);
    } else {
      java.util.Arrays.fill(t2, 0, size, 0f);
    }
    final boolean fromCarry = first && blk.opensTop(SumBlocks.SUB);
    final boolean toCarry = last && blk.leavesOpen(SumBlocks.SUB, k);
    final long rowTop = blk.top - pc;
    for (int q = 0, len; q < kc; q += len) {
      len = SumBlocks.runLength(rowTop - q, SumBlocks.SUB, kc - q);
      boolean from = q == 0 && fromCarry, to = q + len == kc && toCarry;
      int aq = aIdx + q * aStride, bq = bIdx + q * nr;
      if (!from && !to) {
        mk.runChain(len, as, aq, aStride, bp, bq, null, 0, 0, bs, bsIdx, bsLd, true, a1);
      } else if (full) {
        // the run sum in place in l1: continued from it, and left in it or added to the block sum
        float[] init = from ? blk.l1 : null;
        if (to) {
          mk.runChain(len, as, aq, aStride, bp, bq, init, ci, ldc, blk.l1, ci, ldc, false, a1);
        } else {
          mk.runChain(len, as, aq, aStride, bp, bq, init, ci, ldc, bs, bsIdx, bsLd, true, a1);
        }
      } else {
        if (from) {
          loadTile(blk.l1, ci, ldc, rows, cols, a1, nr, size);
        } else {
          java.util.Arrays.fill(a1, 0, size, 0f);
        }
        mk.tile(len, as, aq, aStride, bp, bq, a1, 0, nr);
        if (to) {
          storeTile(a1, nr, blk.l1, ci, ldc, rows, cols);
        } else {
          mk.addTile(a1, 0, nr, t2, 0, nr);
        }
      }
    }
    if (blockOut) {
      if (!blockInPlace) {
        storeTile(t2, nr, blk.l2, ci, ldc, rows, cols);
      }
    } else if (full) {
      mk.addTile(bs, bsIdx, bsLd, c, cIdx, ldc);
    } else {
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
          c[cIdx + r * ldc + j] += t2[r * nr + j];
        }
      }
    }
  }

  private static void zeroTile(float[] t, int idx, int ld, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      java.util.Arrays.fill(t, idx + r * ld, idx + r * ld + cols, 0f);
    }
  }

  /** The valid rows × cols of a tile at idx (ld) into a zero-padded scratch tile (ld nr). */
  private static void loadTile(
      float[] src, int idx, int ld, int rows, int cols, float[] t, int nr, int size) {
    java.util.Arrays.fill(t, 0, size, 0f);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, idx + r * ld, t, r * nr, cols);
    }
  }

  private static void storeTile(
      float[] t, int nr, float[] dst, int idx, int ld, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * nr, dst, idx + r * ld, cols);
    }
  }

  /**
   * Partial tile at the bottom/right edge: the valid part of C goes into a zeroed scratch tile, the
   * same micro-kernel runs on it (same chain per element), and the valid part comes back.
   */
  private static void edgeTile(
      MicroKernel mk,
      int kc,
      float[] ap,
      int aIdx,
      int aStride,
      float[] bp,
      int bIdx,
      float[] c,
      int cIdx,
      int ldc,
      int rows,
      int cols,
      float[] tmp) {
    int nr = mk.nr();
    loadTile(c, cIdx, ldc, rows, cols, tmp, nr, mk.mr() * nr);
    mk.tile(kc, ap, aIdx, aStride, bp, bIdx, tmp, 0, nr);
    storeTile(tmp, nr, c, cIdx, ldc, rows, cols);
  }

  /** C ← β·C; β = 0 writes zeros without reading C (BLAS convention: NaN in C is ignored). */
  private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int row = cOff + i * ldc;
      if (beta == 0f) {
        java.util.Arrays.fill(c, row, row + n, 0f);
      } else {
        for (int j = 0; j < n; j++) {
          c[row + j] *= beta;
        }
      }
    }
  }

  /**
   * Packs α·op(A)[ic..ic+mc, pc..pc+kc) as MR-tall strips: strip s, element (p, r) at s·kc + p·MR +
   * r. Folding α here keeps the micro-kernel a pure multiply-add chain.
   */
  private static void packA(
      boolean ta,
      float[] a,
      int aOff,
      int lda,
      int ic,
      int mc,
      int pc,
      int kc,
      int mr,
      float alpha,
      float[] ap) {
    if (ta) {
      // op(A)(i, p) = A[p·lda + i]: the mc values of one p are contiguous in A, so each stored row
      // is read once, in order, and dealt into the strips (walking strip by strip instead would
      // re-read kc rows lda apart once per strip: the weight-gradient sums' long K made that cost
      // more than the multiply-adds).
      for (int p = 0; p < kc; p++) {
        int src = aOff + (pc + p) * lda + ic;
        for (int ir = 0; ir < mc; ir += mr) {
          int rows = Math.min(mr, mc - ir);
          int dst = ir * kc + p * mr;
          for (int r = 0; r < rows; r++) {
            ap[dst + r] = a[src + ir + r];
          }
        }
      }
    }
    for (int ir = 0; ir < mc; ir += mr) {
      int base = ir * kc;
      int rows = Math.min(mr, mc - ir);
      if (!ta) {
        // op(A)(i, p) = A[i·lda + p]: walk each row contiguously.
        for (int r = 0; r < rows; r++) {
          int src = aOff + (ic + ir + r) * lda + pc;
          for (int p = 0; p < kc; p++) {
            ap[base + p * mr + r] = a[src + p];
          }
        }
      }
      if (alpha != 1f) {
        for (int q = base, end = base + kc * mr; q < end; q++) {
          ap[q] *= alpha;
        }
      }
      if (rows < mr) {
        for (int p = 0; p < kc; p++) {
          for (int r = rows; r < mr; r++) {
            ap[base + p * mr + r] = 0f;
          }
        }
      }
    }
  }

  /**
   * Packs op(B)[pc..pc+kc, jc..jc+nc) as NR-wide strips: strip s, element (p, c) at s·kc + p·NR +
   * c.
   */
  private static void packBInto(
      MicroKernel mk,
      boolean tb,
      float[] b,
      int bOff,
      int ldb,
      int pc,
      int kc,
      int jc,
      int nc,
      int nr,
      float[] bp,
      int bpOff) {
    if (!tb) {
      // op(B)(p, j) = B[p·ldb + j]: full strips by the kernel (an NR-float arraycopy per row cost
      // 6.6 % of an Elman B = 32 pass, in the weight-gradient sums' packing), a partial one here.
      int full = nc / nr * nr;
      for (int jr = 0; jr < full; jr += nr) {
        mk.packStrip(kc, b, bOff + pc * ldb + jc + jr, ldb, bp, bpOff + jr * kc);
      }
      if (full < nc) {
        for (int p = 0; p < kc; p++) {
          System.arraycopy(
              b, bOff + (pc + p) * ldb + jc + full, bp, bpOff + full * kc + p * nr, nc - full);
        }
      }
    }
    for (int jr = 0; jr < nc; jr += nr) {
      int base = bpOff + jr * kc;
      int cols = Math.min(nr, nc - jr);
      if (tb) {
        // op(B)(p, j) = B[j·ldb + p]: walk each stored row of B contiguously.
        for (int cc = 0; cc < cols; cc++) {
          int src = bOff + (jc + jr + cc) * ldb + pc;
          for (int p = 0; p < kc; p++) {
            bp[base + p * nr + cc] = b[src + p];
          }
        }
      }
      if (cols < nr) {
        for (int p = 0; p < kc; p++) {
          java.util.Arrays.fill(bp, base + p * nr + cols, base + (p + 1) * nr, 0f);
        }
      }
    }
  }
}
