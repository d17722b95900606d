package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Checkpoint;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.verify.Gen;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * safetensors checkpoints: PyTorch state_dict names and shapes, bitwise round trips of parameters
 * (NaN payloads, −0, ±∞, subnormals) and optimizer state, and rejection of corrupt or mismatched
 * files with the target arrays left exactly as they were.
 */
class CheckpointTest {
  @TempDir Path dir;

  private static final StackLayout LSTM = new StackLayout(CellType.LSTM, 3, 5, 2, 1);

  private static float[] params(StackLayout layout, long seed) {
    float[] p = new Gen(seed).array(layout.size(), 1f);
    p[0] = Float.intBitsToFloat(0x7fc12345); // a NaN with a payload
    p[1] = -0f;
    p[2] = Float.POSITIVE_INFINITY;
    p[3] = Float.MIN_VALUE;
    return p;
  }

  private static int[] bits(float[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = Float.floatToRawIntBits(a[i]);
    }
    return r;
  }

  @Test
  void roundTripIsBitwiseWithPyTorchNamesAndShapes() throws IOException {
    float[] p = params(LSTM, 1);
    Path file = dir.resolve("model.safetensors");
    Checkpoint.of("rnn.", LSTM.tensors(p)).withMetadata("format", "pt").save(file);
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, (8 + n) % 8, "the buffer starts 8-byte aligned");
    assertEquals('{', bytes[8]);
    Map<String, String> d = Checkpoint.describe(bytes);
    assertEquals(
        List.of(
            "rnn.weight_ih_l0",
            "rnn.weight_hh_l0",
            "rnn.bias_ih_l0",
            "rnn.bias_hh_l0",
            "rnn.weight_ih_l1",
            "rnn.weight_hh_l1",
            "rnn.bias_ih_l1",
            "rnn.bias_hh_l1",
            "rnn.fc.weight",
            "rnn.fc.bias"),
        List.copyOf(d.keySet()));
    assertEquals("F32[20, 3]", d.get("rnn.weight_ih_l0"));
    assertEquals("F32[20, 5]", d.get("rnn.weight_hh_l1"));
    assertEquals("F32[20]", d.get("rnn.bias_hh_l0"));
    assertEquals("F32[1, 5]", d.get("rnn.fc.weight")); // nn.Linear(5, 1).weight
    assertEquals("F32[1]", d.get("rnn.fc.bias"));

    float[] q = new float[LSTM.size()];
    Map<String, String> meta = Checkpoint.of("rnn.", LSTM.tensors(q)).load(file);
    assertArrayEquals(bits(p), bits(q));
    assertEquals("pt", meta.get("format"));
  }

  @Test
  void optimizerStateRoundTripsWithItsStepCount() throws IOException {
    StackLayout layout = new StackLayout(CellType.GRU, 2, 4, 1, 2);
    float[] p = params(layout, 2), g = new Gen(3).array(layout.size(), 1f);
    p[0] = p[2] = 0.5f;
    Adam adam = Adam.of().withAmsgrad(true);
    OptimizerState s = adam.newState(layout.size());
    for (int i = 0; i < 3; i++) {
      adam.step(p, g, s);
    }
    TensorGroup views = layout.tensors(p);
    Path file = dir.resolve("opt.safetensors");
    Checkpoint.empty().withOptimizerState("optim.", views, s).save(file);
    OptimizerState t = adam.newState(layout.size());
    Map<String, String> meta = Checkpoint.empty().withOptimizerState("optim.", views, t).load(file);
    assertEquals("3", meta.get("optim.step"));
    assertEquals(3, t.step());
    for (int b = 0; b < s.bufferCount(); b++) {
      assertArrayEquals(bits(s.buffer(b)), bits(t.buffer(b)), s.bufferName(b));
    }
    assertTrue(
        Checkpoint.describe(Files.readAllBytes(file)).containsKey("optim.exp_avg_sq.weight_hh_l0"));
  }

  // ---- hostile files ----

  private static byte[] file(String header, byte[] buffer) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + buffer.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(buffer);
    return b.array();
  }

  private static final float[] SENTINEL = {7f, 7f, 7f, 7f, 7f, 7f};

  /** Loads into a fresh sentinel array [a: 2x2 at 0][b: 2 at 4] and expects a rejection. */
  private static void rejected(byte[] bytes, String word) {
    float[] target = SENTINEL.clone();
    Checkpoint c =
        Checkpoint.of(
            TensorGroup.of(
                TensorView.matrix("a", target, 0, 2, 2), TensorView.vector("b", target, 4, 2)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> c.load(bytes), "expected: " + word);
    assertTrue(
        e.getMessage().toLowerCase().contains(word.toLowerCase()),
        "message '" + e.getMessage() + "' should mention '" + word + "'");
    assertArrayEquals(bits(SENTINEL), bits(target), "nothing may be written: " + e.getMessage());
  }

  private static final String GOOD =
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
          + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";

  @Test
  void theHandWrittenGoodFileLoads() {
    float[] target = new float[6];
    ByteBuffer buf = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) {
      buf.putFloat(i + 1);
    }
    Checkpoint.of(
            TensorGroup.of(
                TensorView.matrix("a", target, 0, 2, 2), TensorView.vector("b", target, 4, 2)))
        .load(file(GOOD, buf.array()));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, target);
  }

  @Test
  void corruptFilesAreRejectedAndNothingIsWritten() {
    byte[] data = new byte[24];
    Arrays.fill(data, (byte) 0x3f);
    byte[] good = file(GOOD, data);
    // Truncated: at every cut the file is rejected.
    for (int cut = 0; cut < good.length; cut += 3) {
      rejected(
          Arrays.copyOf(good, cut),
          cut < 8 ? "truncated" : cut < 8 + GOOD.length() ? "header length" : "buffer");
    }
    // Header length beyond the file, absurd, negative as signed.
    byte[] wrongLen = good.clone();
    ByteBuffer.wrap(wrongLen).order(ByteOrder.LITTLE_ENDIAN).putLong(0, GOOD.length() + 100);
    rejected(wrongLen, "exceeds the file size");
    ByteBuffer.wrap(wrongLen).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 200_000_000L);
    rejected(wrongLen, "limit");
    ByteBuffer.wrap(wrongLen).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
    rejected(wrongLen, "limit");
    // Header length shorter than the JSON: the JSON is cut.
    ByteBuffer.wrap(wrongLen).order(ByteOrder.LITTLE_ENDIAN).putLong(0, GOOD.length() - 5);
    rejected(wrongLen, "header JSON");
    // Bad JSON.
    rejected(file(GOOD.replace("},\"b\"", "}\"b\""), data), "header JSON");
    rejected(file(GOOD.replace("[2,2]", "[2,2"), data), "header JSON");
    rejected(file(GOOD.substring(0, GOOD.length() - 1), data), "header JSON");
    rejected(file("[1,2]", data), "start with");
    rejected(file("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}", data), "nested");
    rejected(file(GOOD.replace("\"b\"", "\"a\""), data), "duplicate");
    byte[] badUtf8 = file(GOOD.replace("\"b\"", "\"X\""), data);
    badUtf8[8 + GOOD.indexOf("\"b\"") + 1] = (byte) 0xff;
    rejected(badUtf8, "UTF-8");
    // Wrong dtype (same size: passes the structural checks), unknown dtype.
    rejected(
        file(GOOD.replace("\"F32\",\"shape\":[2]", "\"I32\",\"shape\":[2]"), data), "dtype I32");
    rejected(
        file(GOOD.replace("\"F32\",\"shape\":[2]", "\"F99\",\"shape\":[2]"), data),
        "unknown dtype");
    // Shape mismatch (consistent with the offsets, not with the view), dtype x shape mismatch.
    rejected(file(GOOD.replace("[2,2]", "[4,1]"), data), "shape");
    rejected(file(GOOD.replace("[2,2]", "[2,3]"), data), "needs");
    rejected(file(GOOD.replace("[2,2]", "[4294967296,4294967296]"), data), "overflows");
    rejected(file(GOOD.replace("[2,2]", "[-2,-2]"), data), "non-negative");
    rejected(file(GOOD.replace("[2,2]", "[2.0,2]"), data), "non-negative integer");
    // Overlapping offsets, a hole, trailing bytes, beyond the buffer, end before begin.
    rejected(file(GOOD.replace("[16,24]", "[8,16]"), Arrays.copyOf(data, 16)), "overlap");
    rejected(
        file(
            GOOD.replace("[2,2],\"data_offsets\":[0,16]", "[2,2],\"data_offsets\":[0,16]")
                .replace("[16,24]", "[16,24]"),
            Arrays.copyOf(data, 28)),
        "cover");
    rejected(
        file(
            GOOD.replace("[0,16]", "[4,20]").replace("[16,24]", "[20,28]"),
            Arrays.copyOf(data, 28)),
        "hole");
    rejected(file(GOOD.replace("[16,24]", "[16,32]"), data), "beyond the buffer");
    rejected(file(GOOD.replace("[16,24]", "[24,16]"), data), "end before begin");
    rejected(file(GOOD.replace("[16,24]", "[16]"), data), "data_offsets");
    // Names: missing, unexpected (strict).
    rejected(file(GOOD.replace("\"b\"", "\"c\""), data), "missing");
    rejected(
        file(
            GOOD.replace(
                "}}", "},\"c\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[24,24]}}"),
            data),
        "unexpected");
    rejected(file(GOOD.replace("\"dtype\"", "\"kind\":1,\"dtype\""), data), "unknown field");
    rejected(file(GOOD.replace("}}", "},\"__metadata__\":{\"k\":1}}"), data), "__metadata__");
  }

  @Test
  void nonStrictLoadIgnoresExtraTensorsAfterCheckingThem() {
    byte[] data = new byte[24];
    String extra =
        GOOD.replace("}}", "},\"c\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[24,24]}}");
    float[] target = SENTINEL.clone();
    Checkpoint c =
        Checkpoint.of(
                TensorGroup.of(
                    TensorView.matrix("a", target, 0, 2, 2), TensorView.vector("b", target, 4, 2)))
            .withStrict(false);
    c.load(file(extra, data));
    assertArrayEquals(new float[6], target);
  }

  @Test
  void badCheckpointArgumentsAreRejected() {
    float[] a = new float[10];
    TensorView v = TensorView.vector("x", a, 0, 5);
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.of(v).withTensors("", TensorView.vector("x", new float[5], 0, 5)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.of(v).withTensors("p.", TensorView.vector("y", a, 4, 3)));
    assertThrows(NullPointerException.class, () -> Checkpoint.of(null));
  }
}
