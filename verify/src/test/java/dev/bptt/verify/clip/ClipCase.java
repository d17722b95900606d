package dev.bptt.verify.clip;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveClip;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded random set of gradient (or weight) views for a clipping property test: k views of
 * edge-favouring shapes, laid out either in one shared flat array (like the RNN's parameter buffer)
 * or one array each, every gap and pad filled with a canary so a write outside the views is caught.
 * Keeps a snapshot of the arrays to compare against after the call.
 */
final class ClipCase {
  /** Fill of every entry outside the views. */
  static final float CANARY = -12345.678f;

  final float[][] arrays;
  final TensorGroup set;
  final int[] rows;
  final int[] cols;
  private final boolean[][] covered;
  private float[][] snapshot;

  private ClipCase(float[][] arrays, TensorGroup set, int[] rows, int[] cols, boolean[][] covered) {
    this.arrays = arrays;
    this.set = set;
    this.rows = rows;
    this.cols = cols;
    this.covered = covered;
    snapshot();
  }

  /** k vectors of length gen.size(maxLen) each, entries scale·U(−1, 1) (some views all zero). */
  static ClipCase vectors(Gen gen, int k, int maxLen, float scale) {
    int[] rows = new int[k];
    int[] cols = new int[k];
    for (int i = 0; i < k; i++) {
      rows[i] = 1;
      cols[i] = gen.size(maxLen);
    }
    return build(gen, rows, cols, new boolean[k], scale);
  }

  /** k matrices gen.size(maxRows)×gen.size(maxCols), a quarter of them exempt from AGC. */
  static ClipCase matrices(Gen gen, int k, int maxRows, int maxCols, float scale) {
    int[] rows = new int[k];
    int[] cols = new int[k];
    boolean[] exempt = new boolean[k];
    for (int i = 0; i < k; i++) {
      rows[i] = gen.size(maxRows);
      cols[i] = gen.size(maxCols);
      exempt[i] = gen.random().nextInt(4) == 0;
    }
    return build(gen, rows, cols, exempt, scale);
  }

  /** New arrays and data with the same view shapes (AGC weights for these gradients). */
  ClipCase sameShapes(Gen gen, float scale) {
    return build(gen, rows, cols, new boolean[rows.length], scale);
  }

  private static ClipCase build(Gen gen, int[] rows, int[] cols, boolean[] exempt, float scale) {
    SplittableRandom rnd = gen.random();
    int k = rows.length;
    boolean shared = rnd.nextBoolean();
    int[] offsets = new int[k];
    int[] arrayOf = new int[k];
    int[] sizes = new int[shared ? 1 : k];
    for (int i = 0; i < k; i++) {
      int len = rows[i] * cols[i];
      int a = shared ? 0 : i;
      offsets[i] = sizes[a] + gen.offset();
      sizes[a] = offsets[i] + len;
      arrayOf[i] = a;
    }
    float[][] arrays = new float[sizes.length][];
    boolean[][] covered = new boolean[sizes.length][];
    for (int a = 0; a < sizes.length; a++) {
      arrays[a] = new float[sizes[a] + gen.offset()];
      covered[a] = new boolean[arrays[a].length];
      Arrays.fill(arrays[a], CANARY);
    }
    TensorView[] views = new TensorView[k];
    for (int i = 0; i < k; i++) {
      float[] arr = arrays[arrayOf[i]];
      TensorView v = TensorView.matrix("v" + i, arr, offsets[i], rows[i], cols[i]);
      views[i] = exempt[i] ? v.withoutAdaptiveClipping() : v;
      int kind = rnd.nextInt(8);
      for (int j = 0; j < v.length(); j++) {
        boolean zeroRow = kind == 1 && (j / Math.max(1, cols[i])) % 2 == 0;
        arr[offsets[i] + j] = kind == 0 || zeroRow ? 0f : scale * gen.unit();
        covered[arrayOf[i]][offsets[i] + j] = true;
      }
    }
    return new ClipCase(arrays, TensorGroup.of(views), rows, cols, covered);
  }

  /**
   * Sets every entry outside the views to v (e.g. NaN, which no clip may read) and re-snapshots.
   */
  void poisonOutside(float v) {
    for (int a = 0; a < arrays.length; a++) {
      for (int i = 0; i < arrays[a].length; i++) {
        if (!covered[a][i]) {
          arrays[a][i] = v;
        }
      }
    }
    snapshot();
  }

  /** Takes a new snapshot of every array (after the test changed entries on purpose). */
  void snapshot() {
    snapshot = new float[arrays.length][];
    for (int a = 0; a < arrays.length; a++) {
      snapshot[a] = arrays[a].clone();
    }
  }

  /** Puts the snapshot back into the arrays. */
  void restore() {
    for (int a = 0; a < arrays.length; a++) {
      System.arraycopy(snapshot[a], 0, arrays[a], 0, arrays[a].length);
    }
  }

  /** The view entries now, as doubles. */
  double[][] now() {
    return NaiveClip.values(set);
  }

  /** The view entries at the snapshot, as doubles. */
  double[][] before() {
    float[][] keep = new float[arrays.length][];
    for (int a = 0; a < arrays.length; a++) {
      keep[a] = arrays[a].clone();
    }
    restore();
    double[][] v = now();
    for (int a = 0; a < arrays.length; a++) {
      System.arraycopy(keep[a], 0, arrays[a], 0, arrays[a].length);
    }
    return v;
  }

  /** Entry j of view v in the snapshot. */
  float before(int v, int j) {
    TensorView view = set.view(v);
    for (int a = 0; a < arrays.length; a++) {
      if (arrays[a] == view.array()) {
        return snapshot[a][view.offset() + j];
      }
    }
    throw new IllegalStateException("view array not in case");
  }

  /** True when every array equals its snapshot bit for bit. */
  boolean unchanged() {
    for (int a = 0; a < arrays.length; a++) {
      for (int i = 0; i < arrays[a].length; i++) {
        if (Float.floatToRawIntBits(arrays[a][i]) != Float.floatToRawIntBits(snapshot[a][i])) {
          return false;
        }
      }
    }
    return true;
  }

  /** Null when no entry outside the views changed, else a message naming the first. */
  String outsideChanged() {
    for (int a = 0; a < arrays.length; a++) {
      for (int i = 0; i < arrays[a].length; i++) {
        if (!covered[a][i]
            && Float.floatToRawIntBits(arrays[a][i]) != Float.floatToRawIntBits(snapshot[a][i])) {
          return "array "
              + a
              + " index "
              + i
              + " outside every view changed from "
              + snapshot[a][i]
              + " to "
              + arrays[a][i];
        }
      }
    }
    return null;
  }

  /** Total number of view entries n. */
  long totalLength() {
    return set.totalLength();
  }

  /** Largest row length over the views (AGC row-norm bound). */
  int maxCols() {
    return Arrays.stream(cols).max().orElse(0);
  }

  /** Shape summary for failure messages. */
  String shapes() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows.length; i++) {
      sb.append(i == 0 ? "" : ",").append(rows[i]).append('x').append(cols[i]);
      sb.append(set.view(i).adaptiveClipping() ? "" : "(exempt)");
    }
    return sb.append(arrays.length == 1 && rows.length > 1 ? " shared" : "").toString();
  }
}
