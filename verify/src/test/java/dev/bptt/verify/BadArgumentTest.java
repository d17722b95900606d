package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point rejects bad arguments before it writes anything: null arrays or enums,
 * negative sizes, offsets or leading dimensions that do not fit, and outputs that partially overlap
 * an input. The exception must be of the documented type, its message must name the argument (as a
 * word) and the offending value, and every array passed in must come back with the same bits.
 */
class BadArgumentTest {

  /** One rejected call: the arrays it receives, the call, what the exception must say. */
  record Bad(
      String label,
      Class<? extends RuntimeException> type,
      List<String> names,
      String value,
      float[][] arrays,
      Runnable call) {
    @Override
    public String toString() {
      return label;
    }
  }

  private static final Class<NullPointerException> NPE = NullPointerException.class;
  private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
  private static final Class<IndexOutOfBoundsException> OOB = IndexOutOfBoundsException.class;

  private static float[] arr(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = i + 0.5f;
    }
    return a;
  }

  static Stream<Bad> cases() {
    List<Bad> c = new ArrayList<>();
    level1(c);
    level2(c);
    gemm(c);
    activations(c);
    return c.stream();
  }

  private static Bad bad(
      String label,
      Class<? extends RuntimeException> type,
      String names,
      String value,
      float[][] arrays,
      Runnable call) {
    return new Bad(label, type, List.of(names.split(",")), value, arrays, call);
  }

  private static void level1(List<Bad> c) {
    float[] x = arr(8), y = arr(8);
    float[][] xy = {x, y};
    c.add(bad("dot n<0", IAE, "n", "-1", xy, () -> Blas.dot(-1, x, 0, y, 0)));
    c.add(bad("dot x null", NPE, "x", "", xy, () -> Blas.dot(2, null, 0, y, 0)));
    c.add(bad("dot y null", NPE, "y", "", xy, () -> Blas.dot(2, x, 0, null, 0)));
    c.add(bad("dot xOff<0", OOB, "x", "-3", xy, () -> Blas.dot(2, x, -3, y, 0)));
    c.add(bad("dot y too short", OOB, "y", "7", xy, () -> Blas.dot(2, x, 0, y, 7)));
    c.add(bad("axpy n<0", IAE, "n", "-2", xy, () -> Blas.axpy(-2, 1f, x, 0, y, 0)));
    c.add(bad("axpy y null", NPE, "y", "", xy, () -> Blas.axpy(2, 1f, x, 0, null, 0)));
    c.add(bad("axpy x too short", OOB, "x", "9", xy, () -> Blas.axpy(9, 1f, x, 0, y, 0)));
    c.add(bad("axpy partial overlap", IAE, "x,y", "", xy, () -> Blas.axpy(4, 1f, x, 0, x, 2)));
    c.add(bad("scale n<0", IAE, "n", "-1", xy, () -> Blas.scale(-1, 2f, x, 0)));
    c.add(bad("scale x null", NPE, "x", "", xy, () -> Blas.scale(1, 2f, null, 0)));
    c.add(bad("scale off+n beyond", OOB, "x", "6", xy, () -> Blas.scale(3, 2f, x, 6)));
    c.add(bad("sumOfSquares n<0", IAE, "n", "-5", xy, () -> Blas.sumOfSquares(-5, x, 0)));
    c.add(bad("sumOfSquares x null", NPE, "x", "", xy, () -> Blas.sumOfSquares(1, null, 0)));
    c.add(bad("norm2 off<0", OOB, "x", "-1", xy, () -> Blas.norm2(1, x, -1)));
    c.add(bad("norm1 too long", OOB, "x", "12", xy, () -> Blas.norm1(12, x, 0)));
    c.add(bad("normInf n<0", IAE, "n", "-4", xy, () -> Blas.normInf(-4, x, 0)));
  }

  private static void level2(List<Bad> c) {
    float[] a = arr(3 * 4), x = arr(4), y = arr(3), big = arr(40);
    float[][] all = {a, x, y, big};
    c.add(
        bad("gemv m<0", IAE, "m", "-1", all, () -> Blas.gemv(-1, 4, 1f, a, 0, 4, x, 0, 0f, y, 0)));
    c.add(
        bad("gemv n<0", IAE, "n", "-7", all, () -> Blas.gemv(3, -7, 1f, a, 0, 4, x, 0, 0f, y, 0)));
    c.add(
        bad(
            "gemv A null",
            NPE,
            "A",
            "",
            all,
            () -> Blas.gemv(3, 4, 1f, null, 0, 4, x, 0, 0f, y, 0)));
    c.add(
        bad(
            "gemv lda<n",
            IAE,
            "lda",
            "3",
            all,
            () -> Blas.gemv(3, 4, 1f, a, 0, 3, x, 0, 0f, y, 0)));
    c.add(
        bad(
            "gemv A does not fit",
            OOB,
            "A",
            "1",
            all,
            () -> Blas.gemv(3, 4, 1f, a, 1, 4, x, 0, 0f, y, 0)));
    c.add(
        bad(
            "gemv lda too large",
            OOB,
            "A",
            "5",
            all,
            () -> Blas.gemv(3, 4, 1f, a, 0, 5, x, 0, 0f, y, 0)));
    c.add(
        bad(
            "gemv x shorter than n",
            OOB,
            "x",
            "4",
            all,
            () -> Blas.gemv(3, 4, 1f, a, 0, 4, x, 1, 0f, y, 0)));
    c.add(
        bad(
            "gemv y null",
            NPE,
            "y",
            "",
            all,
            () -> Blas.gemv(3, 4, 1f, a, 0, 4, x, 0, 0f, null, 0)));
    c.add(
        bad(
            "gemv y overlaps A",
            IAE,
            "y,A",
            "",
            all,
            () -> Blas.gemv(3, 4, 1f, big, 0, 4, x, 0, 0f, big, 10)));
    c.add(
        bad(
            "gemv y overlaps x",
            IAE,
            "y,x",
            "",
            all,
            () -> Blas.gemv(3, 4, 1f, a, 0, 4, big, 0, 0f, big, 2)));
    c.add(
        bad(
            "gemvT x shorter than m",
            OOB,
            "x",
            "3",
            all,
            () -> Blas.gemvT(3, 4, 1f, a, 0, 4, y, 1, 0f, x, 0)));
    c.add(
        bad(
            "gemvT y shorter than n",
            OOB,
            "y",
            "4",
            all,
            () -> Blas.gemvT(3, 4, 1f, a, 0, 4, y, 0, 0f, y, 0)));
    c.add(
        bad(
            "gemvT lda<n",
            IAE,
            "lda",
            "2",
            all,
            () -> Blas.gemvT(3, 4, 1f, a, 0, 2, y, 0, 0f, x, 0)));
    c.add(
        bad(
            "gemvT y overlaps A",
            IAE,
            "y,A",
            "",
            all,
            () -> Blas.gemvT(3, 4, 1f, big, 20, 4, y, 0, 0f, big, 30)));
    c.add(
        bad(
            "gemvT y overlaps x",
            IAE,
            "y,x",
            "",
            all,
            () -> Blas.gemvT(3, 4, 1f, a, 0, 4, big, 0, 0f, big, 1)));
    c.add(bad("ger m<0", IAE, "m", "-2", all, () -> Blas.ger(-2, 4, 1f, y, 0, x, 0, a, 0, 4)));
    c.add(bad("ger x null", NPE, "x", "", all, () -> Blas.ger(3, 4, 1f, null, 0, x, 0, a, 0, 4)));
    c.add(bad("ger lda<n", IAE, "lda", "1", all, () -> Blas.ger(3, 4, 1f, y, 0, x, 0, a, 0, 1)));
    c.add(
        bad(
            "ger A does not fit",
            OOB,
            "A",
            "2",
            all,
            () -> Blas.ger(3, 4, 1f, y, 0, x, 0, a, 2, 4)));
    c.add(
        bad(
            "ger A overlaps x",
            IAE,
            "A,x",
            "",
            all,
            () -> Blas.ger(3, 4, 1f, big, 5, x, 0, big, 0, 4)));
    c.add(
        bad(
            "ger A overlaps y",
            IAE,
            "A,y",
            "",
            all,
            () -> Blas.ger(3, 4, 1f, y, 0, big, 11, big, 0, 4)));
  }

  private static void gemm(List<Bad> c) {
    Transpose n = Transpose.N, t = Transpose.T;
    float[] a = arr(2 * 3), b = arr(3 * 4), cc = arr(2 * 4), big = arr(64);
    float[][] all = {a, b, cc, big};
    c.add(
        bad(
            "gemm transA null",
            NPE,
            "transA",
            "",
            all,
            () -> Blas.gemm(null, n, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm transB null",
            NPE,
            "transB",
            "",
            all,
            () -> Blas.gemm(n, null, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm m<0",
            IAE,
            "m",
            "-1",
            all,
            () -> Blas.gemm(n, n, -1, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm n<0",
            IAE,
            "n",
            "-4",
            all,
            () -> Blas.gemm(n, n, 2, -4, 3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm k<0",
            IAE,
            "k",
            "-3",
            all,
            () -> Blas.gemm(n, n, 2, 4, -3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm B null",
            NPE,
            "B",
            "",
            all,
            () -> Blas.gemm(n, n, 2, 4, 3, 1f, a, 0, 3, null, 0, 4, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm lda<k (N)",
            IAE,
            "lda",
            "2",
            all,
            () -> Blas.gemm(n, n, 2, 4, 3, 1f, a, 0, 2, b, 0, 4, 0f, cc, 0, 4)));
    // Aᵀ stored k×m = 3×2 needs lda ≥ 2 and 6 elements: with lda 3 it needs 8.
    c.add(
        bad(
            "gemm A^T does not fit",
            OOB,
            "A",
            "3",
            all,
            () -> Blas.gemm(t, n, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm ldb<k (T)",
            IAE,
            "ldb",
            "2",
            all,
            () -> Blas.gemm(n, t, 2, 4, 3, 1f, a, 0, 3, b, 0, 2, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm B^T does not fit",
            OOB,
            "B",
            "1",
            all,
            () -> Blas.gemm(n, t, 2, 4, 3, 1f, a, 0, 3, b, 1, 3, 0f, cc, 0, 4)));
    c.add(
        bad(
            "gemm ldc<n",
            IAE,
            "ldc",
            "3",
            all,
            () -> Blas.gemm(n, n, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 0, 3)));
    c.add(
        bad(
            "gemm C does not fit",
            OOB,
            "C",
            "1",
            all,
            () -> Blas.gemm(n, n, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, cc, 1, 4)));
    c.add(
        bad(
            "gemm C overlaps A",
            IAE,
            "C,A",
            "",
            all,
            () -> Blas.gemm(n, n, 2, 4, 3, 1f, big, 0, 3, b, 0, 4, 0f, big, 5, 4)));
    c.add(
        bad(
            "gemm C overlaps B",
            IAE,
            "C,B",
            "",
            all,
            () -> Blas.gemm(n, n, 2, 4, 3, 1f, a, 0, 3, big, 20, 4, 0f, big, 18, 4)));
  }

  private static void activations(List<Bad> c) {
    float[] x = arr(8), y = arr(8), g = arr(8);
    float[][] all = {x, y, g};
    Activation f = Activation.TANH;
    c.add(bad("activate f null", NPE, "f", "", all, () -> Blas.activate(null, 2, x, 0, y, 0)));
    c.add(bad("activate n<0", IAE, "n", "-1", all, () -> Blas.activate(f, -1, x, 0, y, 0)));
    c.add(bad("activate x null", NPE, "x", "", all, () -> Blas.activate(f, 2, null, 0, y, 0)));
    c.add(bad("activate y too short", OOB, "y", "5", all, () -> Blas.activate(f, 4, x, 0, y, 5)));
    c.add(
        bad(
            "activate partial overlap",
            IAE,
            "x,y",
            "",
            all,
            () -> Blas.activate(f, 4, x, 1, x, 0)));
    c.add(
        bad(
            "activationGrad f null",
            NPE,
            "f",
            "",
            all,
            () -> Blas.activationGrad(null, 2, x, 0, g, 0, y, 0)));
    c.add(
        bad(
            "activationGrad n<0",
            IAE,
            "n",
            "-9",
            all,
            () -> Blas.activationGrad(f, -9, x, 0, g, 0, y, 0)));
    c.add(
        bad(
            "activationGrad h null",
            NPE,
            "h",
            "",
            all,
            () -> Blas.activationGrad(f, 2, null, 0, g, 0, y, 0)));
    c.add(
        bad(
            "activationGrad g too short",
            OOB,
            "g",
            "6",
            all,
            () -> Blas.activationGrad(f, 3, x, 0, g, 6, y, 0)));
    c.add(
        bad(
            "activationGrad out null",
            NPE,
            "out",
            "",
            all,
            () -> Blas.activationGrad(f, 2, x, 0, g, 0, null, 0)));
    c.add(
        bad(
            "activationGrad out overlaps h",
            IAE,
            "h,out",
            "",
            all,
            () -> Blas.activationGrad(f, 4, x, 0, g, 0, x, 3)));
    c.add(
        bad(
            "activationGrad out overlaps g",
            IAE,
            "g,out",
            "",
            all,
            () -> Blas.activationGrad(f, 4, x, 0, g, 2, g, 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejectsBeforeWritingAndNamesTheArgument(Bad bad) {
    float[][] before = Arrays.stream(bad.arrays()).map(float[]::clone).toArray(float[][]::new);
    RuntimeException e = assertThrows(bad.type(), bad.call()::run, bad.label());
    String msg = String.valueOf(e.getMessage());
    for (String name : bad.names()) {
      // The name as a word (case-insensitively for ld names, which read ldA/lda).
      Pattern word =
          Pattern.compile(
              "(?<![A-Za-z])" + Pattern.quote(name) + "(?![A-Za-z])",
              name.startsWith("ld") ? Pattern.CASE_INSENSITIVE : 0);
      assertTrue(
          word.matcher(msg).find(), bad.label() + ": message does not name '" + name + "': " + msg);
    }
    assertTrue(
        msg.contains(bad.value()),
        bad.label() + ": message does not show the value " + bad.value() + ": " + msg);
    for (int i = 0; i < before.length; i++) {
      assertNull(
          Padded.unchanged("array #" + i, before[i], bad.arrays()[i]),
          bad.label() + ": wrote before rejecting");
    }
  }
}
