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
 * Kernels#addTransposedProductDescending} passes one (the descending-t weight-gradient sums); the
 * checked facade rejects negative leading dimensions.
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
     * {@link #tile} for the first {@code rows} &lt; MR rows only, full NR columns, the same chain
     * per element; false when the kernel has no such tile (the driver then runs the full tile on a
     * scratch copy).
     */
    default boolean tileRows(
        int rows,
        int kc,
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
  }

  static final int KC = 256;
  private static final int MC_TARGET = 96;
  private static final int NC_TARGET = 1024;

  /** Largest tile any kernel uses (AVX-512: 6 × 32), bounds the edge-tile buffer. */
  private static final int MAX_TILE = 8 * 64;

  private static final ThreadLocal<float[][]> BUFFERS =
      ThreadLocal.withInitial(
          () ->
              new float[][] {
                new float[(MC_TARGET + 8) * KC],
                new float[KC * (NC_TARGET + 64)],
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
    run(mk, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, null, beta, c, cOff, ldc);
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
        packBInto(tb, b, bOff, ldb, pc, kc, jc, nc, nr, dst, blockOffset(jc, pc, k, nc, nr));
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
    run(mk, ta, false, m, n, k, alpha, a, aOff, lda, null, 0, 0, packedB, beta, c, cOff, ldc);
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
      float[] c,
      int cOff,
      int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    scaleC(m, n, beta, c, cOff, ldc);
    if (alpha == 0f || k == 0) {
      return;
    }
    final int mr = mk.mr(), nr = mk.nr();
    final int mcMax = (MC_TARGET + mr - 1) / mr * mr;
    final int ncMax = (NC_TARGET + nr - 1) / nr * nr;
    float[][] buf = BUFFERS.get();
    float[] ap = buf[0], tmp = buf[2];
    float[] bp = packedB != null ? packedB : buf[1];
    // A transposed with α = 1 (the weight-gradient sums Σ δ·hᵀ): op(A)'s MR values of one p are
    // contiguous in A, so full strips are read in place (stride lda) and only a partial last strip
    // is packed. Packing them cost as much as the multiply-adds when N is small (N = H or D
    // against K = T·B); the values and their order are the same, so results are bitwise equal.
    final boolean direct = ta && alpha == 1f;
    for (int jc = 0; jc < n; jc += ncMax) {
      int nc = Math.min(ncMax, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        int bBase;
        if (packedB != null) {
          bBase = blockOffset(jc, pc, k, nc, nr);
        } else {
          bBase = 0;
          packBInto(tb, b, bOff, ldb, pc, kc, jc, nc, nr, bp, 0);
        }
        for (int ic = 0; ic < m; ic += mcMax) {
          int mc = Math.min(mcMax, m - ic);
          int partial = mc / mr * mr; // first row of a partial strip (mc if none)
          if (!direct) {
            packA(ta, a, aOff, lda, ic, mc, pc, kc, mr, alpha, ap);
          } else if (partial < mc) {
            packA(ta, a, aOff, lda, ic + partial, mc - partial, pc, kc, mr, alpha, ap);
          }
          for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            for (int ir = 0; ir < mc; ir += mr) {
              int rows = Math.min(mr, mc - ir);
              int cIdx = cOff + (ic + ir) * ldc + jc + jr;
              float[] as;
              int aIdx, aStride;
              if (!direct) {
                as = ap;
                aIdx = ir * kc;
                aStride = mr;
              } else if (ir < partial) {
                as = a;
                aIdx = aOff + pc * lda + ic + ir;
                aStride = lda;
              } else {
                as = ap;
                aIdx = 0;
                aStride = mr;
              }
              if (rows == mr && cols == nr) {
                mk.tile(kc, as, aIdx, aStride, bp, bBase + jr * kc, c, cIdx, ldc);
              } else if (cols == nr
                  && mk.tileRows(rows, kc, as, aIdx, aStride, bp, bBase + jr * kc, c, cIdx, ldc)) {
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
    java.util.Arrays.fill(tmp, 0, mk.mr() * nr, 0f);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(c, cIdx + r * ldc, tmp, r * nr, cols);
    }
    mk.tile(kc, ap, aIdx, aStride, bp, bIdx, tmp, 0, nr);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tmp, r * nr, c, cIdx + r * ldc, cols);
    }
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
      // op(B)(p, j) = B[p·ldb + j]: each stored row read once, in order, dealt into the strips.
      for (int p = 0; p < kc; p++) {
        int src = bOff + (pc + p) * ldb + jc;
        for (int jr = 0; jr < nc; jr += nr) {
          System.arraycopy(b, src + jr, bp, bpOff + jr * kc + p * nr, Math.min(nr, nc - jr));
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
