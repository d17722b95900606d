package dev.bptt.kernel.internal;

/**
 * Where a blocked weight-gradient sum stands: the absolute row of the call's first term, and the
 * partial sums carried across calls that cut a block.
 *
 * <p><b>The summation.</b> A weight- or bias-gradient element is a sum of K = T·B terms, one per
 * (step, sequence) row, taken in descending row order: row (t − t₀)·B + b, counted from the first
 * step t₀ of the sum (step 1 for a whole sequence, a window's first step for truncated windows, so
 * that a window sums like a sequence of its own), the readout's rows being those of its loss steps.
 * One ordered chain over all K terms has a worst-case error of (K − 1)·u and, with random rounding,
 * about u·√(K/2) relative to a sum of random-sign terms; a pairwise sum has about u·√(log₂ K). Here
 * the terms are summed in three levels at fixed row boundaries: runs of {@link #SUB} rows (starting
 * at multiples of SUB) are one chain from zero in registers, the runs of a block of {@link #BLOCK}
 * rows are added into a block sum, and the block sums are added to the gradient in order. The error
 * is then about u·√(SUB/2 + BLOCK/(2·SUB) + K/(2·BLOCK)) (≈ 6.2 u at K = 9600 against pairwise's
 * 3.6 u; one chain: 69 u), at the cost of one extra add per SUB terms in the GEMM's registers.
 *
 * <p><b>Bitwise equal across calls.</b> Because the boundaries are fixed rows, a sum cut into
 * several calls at arbitrary rows (the segments of checkpointed BPTT, the runs of loss steps of the
 * readout) gives the bits of one call, provided each call that ends inside a block hands the open
 * run sum and block sum to the next: {@link #suspend} stores them into {@link #l1}/{@link #l2}
 * (same layout as the gradient, at the gradient's index + {@link #shift}), {@link #resume1} and
 * {@link #resume2} read them back. A call with no flag starts from zero and adds whatever it summed
 * to the gradient at its end. Rows that are not summed (steps without a loss, for the readout)
 * count as zero terms: skipping them gives the bits of adding their zeros.
 */
public final class SumBlocks {
  /** Rows per level-1 run: one FMA chain from zero per element, kept in registers. */
  public static final int SUB = 32;

  /**
   * Rows per level-2 block (the GEMM driver's K slice, so that a block is one packed slice): its
   * runs are added into a block sum that goes to the gradient once.
   */
  public static final int BLOCK = GemmDriver.KC;

  /** Absolute index of the call's first (highest) row. */
  public long top;

  /** An earlier call summed the rows above this call's (the caller sets it). */
  public boolean resume;

  /** The call's first row continues a run (level 1) an earlier call left open in {@link #l1}. */
  public boolean resume1;

  /** The call's first row continues a block (level 2) an earlier call left open in {@link #l2}. */
  public boolean resume2;

  /** A later call continues the block (and run) of this call's last row (the caller sets it). */
  public boolean suspend;

  /**
   * Set by the chunked full backward ({@link Backprop#full}): the weight-gradient call may be held
   * and run beside the next chunk's δ recursion ({@link Recurrence#weightGrads}).
   */
  public boolean beside;

  /** Carried run sums and block sums, indexed like the gradient plus {@link #shift}. */
  public final float[] l1;

  public final float[] l2;
  public int shift;

  /** A holder with carry buffers of {@code floats} floats each (0: calls never carry). */
  public SumBlocks(int floats) {
    this.l1 = new float[floats];
    this.l2 = new float[floats];
  }

  /**
   * Places a call over contiguous rows from {@code top} down: with {@link #resume}, the rows above
   * top were summed by an earlier call, so the run and block of top continue unless top ends them.
   */
  public SumBlocks at(long top, int shift) {
    this.top = top;
    this.resume1 = resume && continuesBelow(top + 1, SUB);
    this.resume2 = resume && continuesBelow(top + 1, BLOCK);
    this.shift = shift;
    return this;
  }

  /**
   * Rows from {@code row} down to the start of its run (or block) of {@code size}, at most left.
   */
  static int runLength(long row, int size, int left) {
    return (int) Math.min(left, Math.floorMod(row, (long) size) + 1);
  }

  /** The run (size SUB) or block (size BLOCK) of the call's first row was opened earlier. */
  boolean opensTop(int size) {
    return size == SUB ? resume1 : resume2;
  }

  /** The run or block of the call's last row (top − k + 1) is continued by a later call. */
  boolean leavesOpen(int size, int k) {
    return suspend && continuesBelow(top - k + 1, size);
  }

  /**
   * The run (size SUB) or block (size BLOCK) holding {@code row} goes on below it (row is not the
   * last, lowest row of its run or block, those being the multiples of size).
   */
  static boolean continuesBelow(long row, int size) {
    return Math.floorMod(row, (long) size) != 0;
  }

  /** Rows a and b lie in the same run (size SUB) or block (size BLOCK). */
  static boolean sameGroup(long a, long b, int size) {
    return Math.floorDiv(a, (long) size) == Math.floorDiv(b, (long) size);
  }
}
