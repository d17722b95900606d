package dev.bptt.kernel.internal;

import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.SequenceBatch;

/**
 * Argument checks shared by every public entry point. Each throws before anything is written, with
 * a message that names the argument and the values.
 */
public final class Checks {
  private Checks() {}

  /** Throws if {@code value < 1}: "name must be >= 1, got value". */
  public static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  /** Throws if the array is null or shorter than {@code n}: "name has length L &lt; what=n". */
  public static void atLeast(String name, float[] array, String what, long n) {
    notNull(name, array);
    if (array.length < n) {
      throw new IllegalArgumentException(
          name + " has length " + array.length + " < " + what + "=" + n);
    }
  }

  /** Throws if {@code value < 0}. */
  public static void nonNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }
  }

  /**
   * Throws if the argument is null. A plain branch, not {@code Objects.requireNonNull} with a
   * message supplier: the capturing lambda was not always scalar-replaced and allocated 16 B per
   * check in hot kernels.
   */
  public static void notNull(String name, Object value) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
  }

  /**
   * Checks that the vector {@code array[off .. off + n)} fits the array.
   *
   * @throws NullPointerException if array is null
   * @throws IndexOutOfBoundsException if it does not fit
   */
  public static void vector(String name, float[] array, int off, long n) {
    vector(name, array, off, null, n);
  }

  /**
   * {@link #vector(String, float[], int, long)} whose length is the size argument {@code size}
   * (e.g. "m"): the message names it, "x: offset 0 + length m=11 does not fit array of length 10".
   */
  public static void vector(String name, float[] array, int off, String size, long n) {
    notNull(name, array);
    if (off < 0 || (long) off + n > array.length) {
      throw new IndexOutOfBoundsException(
          name
              + ": offset "
              + off
              + " + length "
              + (size == null ? "" : size + "=")
              + n
              + " does not fit array of length "
              + array.length);
    }
  }

  /**
   * Checks a row-major rows×cols matrix at {@code off} with leading dimension {@code ld}: {@code ld
   * >= max(1, cols)} and the last element {@code off + (rows-1)·ld + cols - 1} fits.
   */
  public static void matrix(String name, float[] array, int off, int rows, int cols, int ld) {
    matrix(name, array, off, "rows", rows, "cols", cols, ld);
  }

  /**
   * {@link #matrix(String, float[], int, int, int, int)} whose rows and columns are the size
   * arguments {@code rowsName} and {@code colsName} (e.g. "k" and "m" for a transposed A): the
   * messages name them, "A: 3x10 (k x m) matrix at offset …".
   */
  public static void matrix(
      String name,
      float[] array,
      int off,
      String rowsName,
      int rows,
      String colsName,
      int cols,
      int ld) {
    notNull(name, array);
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException(
          "ld" + name + " must be >= max(1, " + colsName + "=" + cols + "), got " + ld);
    }
    if (off < 0) {
      throw new IndexOutOfBoundsException(name + ": offset must be >= 0, got " + off);
    }
    long end = rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
    if (end > array.length) {
      throw new IndexOutOfBoundsException(
          name
              + ": "
              + rows
              + "x"
              + cols
              + " ("
              + rowsName
              + " x "
              + colsName
              + ") matrix at offset "
              + off
              + " with ld "
              + ld
              + " needs "
              + end
              + " elements, array has "
              + array.length);
    }
  }

  /**
   * Throws if the element ranges [aOff, aEnd) of a and [bOff, bEnd) of b share memory (same array,
   * intersecting ranges). Empty ranges never overlap.
   */
  public static void noOverlap(
      String aName, float[] a, int aOff, long aEnd, String bName, float[] b, int bOff, long bEnd) {
    if (a == b && aOff < aEnd && bOff < bEnd && aOff < bEnd && bOff < aEnd) {
      throw new IllegalArgumentException(
          aName
              + " ["
              + aOff
              + ", "
              + aEnd
              + ") and "
              + bName
              + " ["
              + bOff
              + ", "
              + bEnd
              + ") overlap in the same array ("
              + offsetName(aName)
              + " = "
              + aOff
              + ", "
              + offsetName(bName)
              + " = "
              + bOff
              + "); the kernel would read what it has written");
    }
  }

  /** The offset argument of an array argument, by the API's convention: A → aOff, dy → dyOff. */
  private static String offsetName(String arrayName) {
    return Character.toLowerCase(arrayName.charAt(0)) + arrayName.substring(1) + "Off";
  }

  /** Element range end of a row-major rows×cols matrix (exclusive): off + (rows−1)·ld + cols. */
  public static long matrixEnd(int off, int rows, int cols, int ld) {
    return rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
  }

  /** Throws if two vectors of length n partially overlap (exact aliasing is allowed). */
  public static void exactOrNoOverlap(
      String aName, float[] a, int aOff, String bName, float[] b, int bOff, int n) {
    if (a == b && aOff != bOff) {
      noOverlap(aName, a, aOff, (long) aOff + n, bName, b, bOff, (long) bOff + n);
    }
  }

  /**
   * Names of the arrays of one pass over a {@link SequenceBatch}, in the order they are checked.
   */
  private static final String[] PASS_ARRAYS = {
    "grads",
    "initialStateGradient",
    "traceDh",
    "traceDc",
    "traceDelta",
    "upstream",
    "params",
    "input",
    "initialState"
  };

  /**
   * The aliasing rule of a forward and/or backward pass over a batch: no output range may share an
   * entry with another output or with an input, else IllegalArgumentException naming both (before
   * anything is written). Outputs: {@code grads} [0, P) and, in the backward pass, ∂L/∂(initial
   * state) (B·S floats), the traces [0, T), and in the forward pass the upstream blocks when a loss
   * callback writes them; inputs: {@code params} [0, P), the inputs [T][B][D], the initial state
   * and the upstream blocks when they are read. Inputs may overlap each other (read only).
   *
   * @param grads the gradient array, or null for a forward pass alone
   * @param forward whether the pass runs the forward (a loss callback then writes the upstream)
   * @param backward whether the pass runs the backward (writes grads, ∂L/∂(initial state), traces)
   */
  public static void passAliasing(
      RecurrentNetwork net,
      SequenceBatch seq,
      float[] params,
      float[] grads,
      boolean forward,
      boolean backward) {
    boolean upstreamWritten = forward && seq.loss() != null;
    for (int a = 0; a < PASS_ARRAYS.length; a++) {
      float[] arrA = passArray(a, seq, params, grads, backward);
      if (arrA == null) {
        continue;
      }
      boolean outA = a < 5 || a == 5 && upstreamWritten;
      for (int b = a + 1; b < PASS_ARRAYS.length; b++) {
        boolean outB = b < 5 || b == 5 && upstreamWritten;
        float[] arrB = passArray(b, seq, params, grads, backward);
        if (arrB != arrA || !(outA || outB)) {
          continue;
        }
        noOverlap(
            PASS_ARRAYS[a],
            arrA,
            passOffset(a, seq),
            passEnd(a, net, seq),
            PASS_ARRAYS[b],
            arrB,
            passOffset(b, seq),
            passEnd(b, net, seq));
      }
    }
  }

  private static float[] passArray(
      int k, SequenceBatch seq, float[] params, float[] grads, boolean backward) {
    return switch (k) {
      case 0 -> backward ? grads : null;
      case 1 -> backward ? seq.initialStateGradient() : null;
      case 2 -> backward ? seq.traceDh() : null;
      case 3 -> backward ? seq.traceDc() : null;
      case 4 -> backward ? seq.traceDelta() : null;
      case 5 -> seq.upstream();
      case 6 -> params;
      case 7 -> seq.input();
      default -> seq.initialState();
    };
  }

  private static int passOffset(int k, SequenceBatch seq) {
    return switch (k) {
      case 1 -> seq.initialStateGradientOffset();
      case 5 -> seq.upstreamOffset();
      case 7 -> seq.inputOffset();
      case 8 -> seq.initialStateOffset();
      default -> 0;
    };
  }

  private static long passEnd(int k, RecurrentNetwork net, SequenceBatch seq) {
    long steps = seq.shape().steps(), batch = seq.shape().batch();
    return switch (k) {
      case 0, 6 -> net.parameterCount();
      case 1 -> seq.initialStateGradientOffset() + batch * net.stateSize();
      case 2, 3, 4 -> steps;
      case 5 ->
          seq.upstreamOffset()
              + (long) seq.losses().count(seq.shape().steps()) * batch * net.stepOutputSize();
      case 7 -> seq.inputOffset() + steps * batch * net.inputSize();
      default -> seq.initialStateOffset() + batch * net.stateSize();
    };
  }
}
