package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.training.Checkpoint;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.kernel.training.Sgd;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The safetensors header as RFC 8259 JSON, driven through {@link Checkpoint#load} and {@link
 * Checkpoint#describe} on hand-made files: every JSON form (empty and nested arrays and objects,
 * literals, numbers with sign, fraction and exponent, string escapes including \\uXXXX,
 * insignificant whitespace) is accepted and read back as written, every malformed one is rejected
 * with a message that says what and where (the character position), and the checkpoint's own checks
 * (header length bounds, entry order, step metadata, optimizer state layout) hold at their
 * boundaries.
 */
class CheckpointHeaderTest {
  @TempDir Path dir;

  private static byte[] file(String header, byte[] buffer) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + buffer.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(buffer);
    return b.array();
  }

  private static byte[] withLength(long n, int size) {
    byte[] f = new byte[size];
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
    return f;
  }

  private static String rejection(byte[] file) {
    return assertThrows(IllegalArgumentException.class, () -> Checkpoint.describe(file))
        .getMessage();
  }

  private static void rejected(String header, String message) {
    String got = rejection(file(header, new byte[0]));
    assertTrue(got.contains(message), "'" + got + "' should contain '" + message + "'");
  }

  /** The metadata of a tensor-less file with {@code "__metadata__": {metadataBody}}. */
  private static Map<String, String> metadata(String metadataBody) {
    return Checkpoint.empty().load(file("{\"__metadata__\":{" + metadataBody + "}}", new byte[0]));
  }

  // ---- strings ----

  @Test
  void stringEscapesAreDecoded() {
    Map<String, String> m =
        metadata(
            "\"k\\u00e9y\":\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\","
                + "\"u\":\"\\u0041\\u00E9\\u20ac\\u0000\\uFFFF\","
                + "\"plain\":\"caf\u00e9 \u20ac\"");
    assertEquals(
        Map.of(
            "k\u00e9y",
            "q\"b\\s/b\bf\fn\nr\rt\t",
            "u",
            "A\u00e9\u20ac\u0000\uffff",
            "plain",
            "caf\u00e9 \u20ac"),
        m);
    assertEquals("", metadata("\"\":\"\"").get(""));
  }

  @Test
  void savedStringsEscapeOnlyQuotesBackslashesAndControlCharacters() {
    String value = "a b\u001f\"\\/~\u00e9";
    byte[] bytes = Checkpoint.empty().withMetadata("k y", value).toBytes();
    String header = new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8);
    assertTrue(header.contains("\"k y\":\"a b\\u001f\\\"\\\\/~\u00e9\""), header);
    assertEquals(value, Checkpoint.empty().load(bytes).get("k y"));
  }

  @Test
  void badStringsAreRejectedAtTheirPosition() {
    // {"__metadata__":{"k":"a  — the string's content starts at character 22.
    rejected("{\"__metadata__\":{\"k\":\"a\tb\"}}", "control character in string at character 23");
    rejected("{\"__metadata__\":{\"k\":\"a\\xb\"}}", "bad escape '\\x' at character 24");
    rejected("{\"__metadata__\":{\"k\":\"\\u00G0\"}}", "bad hex digit");
    rejected("{\"__metadata__\":{\"k\":\"\\u00", "short \\u escape");
    rejected("{\"__metadata__\":{\"k\":\"ab", "unterminated string");
    rejected("{\"__metadata__\":{\"k\":\"ab\\", "unterminated escape");
  }

  // ---- values other than strings ----

  /**
   * A header whose first tensor's shape overflows after two dimensions, so that the message shows
   * the parsed shape list, whose third element is value.
   */
  private static String parsedAsThirdDimension(String value) {
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,"
            + value
            + "],\"data_offsets\":[0,0]}}";
    String msg = rejection(file(header, new byte[0]));
    String head = "shape [Num[text=4294967296], Num[text=4294967296], ";
    int at = msg.indexOf(head);
    assertTrue(at >= 0 && msg.contains("] x 4 bytes overflows"), msg);
    return msg.substring(at + head.length(), msg.indexOf("] x 4 bytes overflows"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "true | true",
        "false | false",
        "null | null",
        "0 | Num[text=0]",
        "-0 | Num[text=-0]",
        "-12 | Num[text=-12]",
        "3.25 | Num[text=3.25]",
        "-0.5e-3 | Num[text=-0.5e-3]",
        "1e5 | Num[text=1e5]",
        "1E+5 | Num[text=1E+5]",
        "2e-07 | Num[text=2e-07]",
        "10.0E2 | Num[text=10.0E2]",
        "[] | []",
        "[ ] | []",
        "[ 1 , [ true , null ] ] | [Num[text=1], [true, null]]",
        "{} | {}",
        "{ } | {}",
        "{\"k\" : [false] , \"j\":{\"i\":\"v\"}} | {k=[false], j={i=v}}",
        "\"s\" | s",
      })
  void everyJsonFormIsReadAsWritten(String json, String shown) {
    assertEquals(shown, parsedAsThirdDimension(json));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "trux | bad literal",
        "fals | bad literal",
        "nul | bad literal",
        "02 | leading zero",
        "-01 | leading zero",
        "1. | bad fraction",
        "1.e5 | bad fraction",
        "1e | bad exponent",
        "1e+ | bad exponent",
        "1E- | bad exponent",
        "- | bad number",
        "+1 | unexpected character '+'",
        ".5 | unexpected character '.'",
      })
  void malformedValuesAreRejected(String json, String message) {
    rejected("{\"a\":[" + json + "]}", "header JSON: " + message);
  }

  @Test
  void malformedStructureIsRejectedAtItsPosition() {
    rejected("{\"a\":1 \"b\":2}", "header JSON: expected ',' or '}' at character 7");
    rejected("{\"a\":[1 2]}", "header JSON: expected ',' or ']' at character 8");
    rejected("{\"a\":[1", "header JSON: unterminated array at character 7");
    rejected("{\"a\":[1 ", "header JSON: unterminated array at character 8");
    rejected("{\"a\":1", "header JSON: unterminated object at character 6");
    rejected("{\"a\":1,", "header JSON: expected a string key at character 7");
    rejected("{\"a\":1, ", "header JSON: expected a string key at character 8");
    rejected("{\"a\":1,}", "header JSON: expected a string key at character 7");
    rejected("{\"a\"", "header JSON: expected ':' at character 4");
    rejected("{\"a\" 1}", "header JSON: expected ':' at character 5");
    rejected("{\"a\":", "header JSON: unexpected end at character 5");
    rejected("{\"a\":[1e", "header JSON: bad exponent at character 8");
    rejected("{\"a\":[1e+", "header JSON: bad exponent at character 9");
    rejected("{\"a\":[1.", "header JSON: bad fraction at character 8");
    rejected("{} x", "header JSON: unexpected content after the JSON value at character 3");
    // Text that ends right after an opening bracket, brace or \\u escape.
    rejected("{\"a\":[", "header JSON: unexpected end at character 6");
    rejected("{\"a\":{", "header JSON: expected a string key at character 6");
    rejected("{\"__metadata__\":{\"k\":\"\\u0041", "header JSON: unterminated string");
  }

  @Test
  void nestingIsLimitedTo64LevelsOfArraysOrObjects() {
    // The root object is level 0; "a"'s value is level 1.
    String arrays64 = "{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}";
    assertTrue(rejection(file(arrays64, new byte[0])).contains("'a': entry is not an object"));
    String arrays65 = "{\"a\":" + "[".repeat(65) + "]".repeat(65) + "}";
    assertTrue(rejection(file(arrays65, new byte[0])).contains("nested deeper than 64 levels"));
    String objects64 = "{\"a\":" + "{\"k\":".repeat(63) + "{}" + "}".repeat(63) + "}";
    assertTrue(rejection(file(objects64, new byte[0])).contains("'a': unknown field 'k'"));
    String objects65 = "{\"a\":" + "{\"k\":".repeat(64) + "{}" + "}".repeat(64) + "}";
    assertTrue(rejection(file(objects65, new byte[0])).contains("nested deeper than 64 levels"));
  }

  @Test
  void whitespaceIsAllowedBetweenTokens() {
    String header =
        " {\n\t\"a\" :\r{ \"dtype\" : \"F32\" , \"shape\" : [ 2 , 1 ] ,"
            + " \"data_offsets\" : [ 0 , 8 ] } ,\n\"s\":{\"dtype\":\"F32\",\"shape\":[ ],"
            + "\"data_offsets\":[8,12]} } ";
    // describe needs the header to start with '{'.
    assertTrue(rejection(file(header, new byte[12])).contains("start with '{'"));
    Map<String, String> d = Checkpoint.describe(file(header.substring(1), new byte[12]));
    assertEquals(Map.of("a", "F32[2, 1]", "s", "F32[]"), d);
  }

  // ---- numbers as sizes ----

  @Test
  void offsetsUpToTwoToThe63AreNumbers() {
    String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,%s]}}";
    assertTrue(
        rejection(file(String.format(h, "9223372036854775807"), new byte[4]))
            .contains("go beyond the buffer"));
    assertTrue(
        rejection(file(String.format(h, "9223372036854775808"), new byte[4]))
            .contains("does not fit a long"));
    assertTrue(
        rejection(file(String.format(h, "10000000000000000000"), new byte[4]))
            .contains("must be a non-negative integer below 2^63"));
    assertTrue(rejection(file(String.format(h, "04"), new byte[4])).contains("leading zero"));
  }

  // ---- the checkpoint's own checks ----

  @Test
  void headerLengthBoundaries() {
    String zero = rejection(withLength(0, 16));
    assertTrue(zero.contains("header length 0 is too small"), zero);
    String one = rejection(withLength(1, 16));
    assertTrue(one.contains("header length 1 is too small"), one);
    String max = rejection(withLength(Checkpoint.MAX_HEADER, 16));
    assertTrue(max.contains("exceeds the file size"), max);
    String over = rejection(withLength(Checkpoint.MAX_HEADER + 1, 16));
    assertTrue(over.contains("exceeds the limit of 100000000 bytes"), over);
    // An 8-byte file is long enough to hold the length (and then too short for the header).
    String eight = rejection(withLength(2, 8));
    assertTrue(eight.contains("header length 2 exceeds the file size 8"), eight);
    // The smallest header: "{}" and no buffer.
    assertEquals(Map.of(), Checkpoint.describe(file("{}", new byte[0])));
  }

  @Test
  void entriesMayBeListedInAnyOrder() {
    float[] target = new float[6];
    ByteBuffer buf = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) {
      buf.putFloat(i + 1);
    }
    String header =
        "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,16]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
    Checkpoint.of(
            TensorGroup.of(
                TensorView.matrix("a", target, 0, 2, 2), TensorView.vector("b", target, 4, 2)))
        .withStrict(false)
        .load(file(header, buf.array()));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, target);
  }

  @Test
  void aSizeMismatchReportsTheBytesHeld() {
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,24]}}";
    String msg = rejection(file(header, new byte[24]));
    assertTrue(msg.contains("data_offsets [16, 24) hold 8 bytes but F32[3] needs 12"), msg);
  }

  @Test
  void nullFilesAreNamed() {
    assertEquals(
        "file must not be null",
        assertThrows(NullPointerException.class, () -> Checkpoint.describe(null)).getMessage());
    assertEquals(
        "file must not be null",
        assertThrows(NullPointerException.class, () -> Checkpoint.empty().load((byte[]) null))
            .getMessage());
  }

  @Test
  void saveNamesANullPath() {
    assertEquals(
        "path must not be null",
        assertThrows(NullPointerException.class, () -> Checkpoint.empty().save(null)).getMessage());
  }

  @Test
  void checkpointArgumentsAreNamed() throws IOException {
    Checkpoint e = Checkpoint.empty();
    TensorView v = TensorView.vector("w", new float[2], 0, 2);
    assertEquals(
        "key must not be null",
        assertThrows(NullPointerException.class, () -> e.withMetadata(null, "v")).getMessage());
    assertEquals(
        "value must not be null",
        assertThrows(NullPointerException.class, () -> e.withMetadata("k", null)).getMessage());
    assertEquals(
        "prefix must not be null",
        assertThrows(NullPointerException.class, () -> e.withTensors(null, v)).getMessage());
    assertEquals(
        "tensors must not be null",
        assertThrows(NullPointerException.class, () -> e.withTensors("p.", null)).getMessage());
    assertEquals(
        "path must not be null",
        assertThrows(NullPointerException.class, () -> e.load((Path) null)).getMessage());
    for (String[] bad : new String[][] {{"", ""}, {"__meta", "data__"}, {"", "__metadata__"}}) {
      IllegalArgumentException x =
          assertThrows(
              IllegalArgumentException.class,
              () -> e.withTensors(bad[0], TensorView.vector(bad[1], new float[1], 0, 1)));
      assertEquals("invalid tensor name '" + bad[0] + bad[1] + "'", x.getMessage());
    }
  }

  @Test
  void anEmptyCheckpointIsTheEmptyObject() {
    byte[] bytes = Checkpoint.empty().toBytes();
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(8 + n, bytes.length);
    assertEquals("{}", new String(bytes, 8, (int) n, StandardCharsets.UTF_8).strip());
    assertEquals(Map.of(), Checkpoint.describe(bytes));
  }

  @Test
  void stepCountsMustBeNonNegativeIntegers() {
    OptimizerState s = Sgd.of(1).newState(3);
    s.setStep(9);
    Checkpoint c = Checkpoint.empty().withOptimizerState("o.", LAYOUT, s);
    for (String[] bad :
        new String[][] {
          {"-1", "is negative"}, {"x", "is not a step count"}, {"1.5", "step count"}
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  c.load(file("{\"__metadata__\":{\"o.step\":\"" + bad[0] + "\"}}", new byte[0])));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
      assertEquals(9, s.step());
    }
    c.load(file("{\"__metadata__\":{\"o.step\":\"0\"}}", new byte[0]));
    assertEquals(0, s.step());
  }

  @Test
  void filesOf2GiBAreRefusedBeforeReading() throws IOException {
    Path big = dir.resolve("big.safetensors");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(Integer.MAX_VALUE - 7L); // sparse: no data is written
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.empty().load(big));
    assertTrue(e.getMessage().contains("2 GiB"), e.getMessage());
  }

  // ---- optimizer state ----

  private static final TensorGroup LAYOUT =
      TensorGroup.of(TensorView.vector("w", new float[3], 0, 3));

  @ParameterizedTest
  @ValueSource(strings = {"", "\"other\":\"1\""})
  void aMissingStepCountIsReportedAsMissing(String meta) {
    OptimizerState s = Sgd.of(1).newState(3);
    s.setStep(7);
    Checkpoint c = Checkpoint.empty().withOptimizerState("optim.", LAYOUT, s);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> c.load(file("{\"__metadata__\":{" + meta + "}}", new byte[0])));
    assertTrue(e.getMessage().contains("metadata 'optim.step' is missing"), e.getMessage());
    assertEquals(7, s.step());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> c.load(file("{}", new byte[0])))
            .getMessage()
            .contains("is missing"));
    assertEquals(
        "4",
        c.load(file("{\"__metadata__\":{\"optim.step\":\"4\"}}", new byte[0])).get("optim.step"));
    assertEquals(4, s.step());
  }

  @Test
  void optimizerStateArgumentsAreChecked() {
    OptimizerState s = Sgd.of(1).withMomentum(0.9).newState(4);
    Checkpoint e = Checkpoint.empty();
    assertEquals(
        "prefix must not be null",
        assertThrows(NullPointerException.class, () -> e.withOptimizerState(null, LAYOUT, s))
            .getMessage());
    assertEquals(
        "layout must not be null",
        assertThrows(NullPointerException.class, () -> e.withOptimizerState("o.", null, s))
            .getMessage());
    assertEquals(
        "state must not be null",
        assertThrows(NullPointerException.class, () -> e.withOptimizerState("o.", LAYOUT, null))
            .getMessage());
    TensorGroup late = TensorGroup.of(TensorView.vector("w", new float[8], 2, 3));
    String msg =
        assertThrows(IllegalArgumentException.class, () -> e.withOptimizerState("o.", late, s))
            .getMessage();
    assertTrue(msg.contains("state holds 4 floats"), msg);
    assertTrue(msg.contains("view 'w' of the layout ends at 5"), msg);
    Checkpoint once = e.withOptimizerState("o.", LAYOUT, s);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> once.withOptimizerState("o.", LAYOUT, Sgd.of(1).newState(4)))
            .getMessage()
            .contains("prefix 'o.' used twice"));
    assertEquals(
        java.util.List.of("o.momentum_buffer.w", "p.momentum_buffer.w"),
        once.withOptimizerState("p.", LAYOUT, Sgd.of(1).withMomentum(0.5).newState(3)).names());
  }

  @Test
  void toStringShowsTheNamesAndStrictness() {
    Checkpoint c = Checkpoint.of("rnn.", TensorView.vector("bias", new float[2], 0, 2));
    assertEquals("Checkpoint[rnn.bias]", c.toString());
    assertEquals("Checkpoint[rnn.bias] (not strict)", c.withStrict(false).toString());
    assertFalse(c.withStrict(false).withStrict(true).toString().contains("not strict"));
  }
}
