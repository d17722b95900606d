package dev.bptt.kernel.training;

import dev.bptt.kernel.clip.TensorSet;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.internal.Checks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parameters (and optimizer state) saved and loaded in the <a
 * href="https://github.com/huggingface/safetensors">safetensors</a> format, under PyTorch's {@code
 * state_dict} names, so that {@code safetensors.torch.load_file} + {@code load_state_dict} reads a
 * model trained here and a model trained in PyTorch loads here.
 *
 * <p><b>Format.</b> Bytes 0–7: the header length N, unsigned 64-bit little-endian; then N bytes of
 * UTF-8 JSON, one object {@code {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
 * …, "__metadata__": {"k": "v"}}}; then the byte buffer, offsets relative to its start, each tensor
 * little-endian and row-major. Written here: tensors in the order they were added, back to back,
 * F32; the header padded with spaces so the buffer starts at a multiple of 8; the file written to a
 * temporary sibling and moved into place.
 *
 * <p><b>Names and shapes.</b> A tensor is named prefix + {@link TensorView#name()} (e.g. {@code
 * "rnn." + "weight_ih_l0"}). A view of rows×cols is saved with shape [rows, cols], except a one-row
 * view whose name (after its last '.') does not contain {@code weight}, which is saved 1-D as
 * [cols] (PyTorch's biases; {@code fc.weight} with one output stays [1, H]), and a one-row view of
 * a layer normalization (the part before the last '.' starts with {@code ln_}, e.g. {@code
 * ln_hh_l0.weight} of {@link dev.bptt.kernel.rnn.StackLayout}), saved 1-D as {@code nn.LayerNorm}'s
 * weight and bias are. On load, a one-row view accepts either [cols] or [1, cols].
 *
 * <p><b>Loading treats the file as hostile</b> and writes nothing into the caller's arrays (or
 * optimizer state) until everything has been checked: N against the file size (and the 100 MB limit
 * of the reference implementation), strict UTF-8 and JSON (no duplicate keys), every entry's dtype,
 * shape and {@code data_offsets} in long arithmetic (end − begin = elements × dtype size, overflow
 * rejected), the buffer covered exactly (no overlap, no hole, no trailing bytes), and then every
 * requested tensor present as F32 with its view's shape; in strict mode (the default, as {@code
 * load_state_dict(strict=True)}) a tensor that is not requested is an error too. Every failure is
 * an {@link IllegalArgumentException} naming the problem (an {@link IOException} only for I/O).
 * Files must be smaller than 2 GiB (one Java array).
 *
 * <p>Optimizer state ({@link #withOptimizerState}) goes under its own names ({@code
 * <prefix><buffer>.<view>}, e.g. {@code optim.exp_avg.weight_ih_l0}) with the step count in the
 * metadata; PyTorch's {@code load_state_dict(strict=True)} would refuse those extra keys, so save
 * it to a file of its own when the model file is for PyTorch.
 *
 * <p>A checkpoint is an immutable description (names → views, metadata); it holds the arrays by
 * reference, so {@link #save} writes their current contents and {@link #load} fills them.
 */
public final class Checkpoint {
  /** The largest header the reference implementation accepts: 100,000,000 bytes. */
  public static final long MAX_HEADER = 100_000_000L;

  private static final Map<String, Integer> DTYPE_SIZES = dtypeSizes();

  private final List<String> names;
  private final List<TensorView> views;
  private final Map<String, String> metadata;
  private final List<StepEntry> steps;
  private final boolean strict;

  /** An optimizer state whose step count is stored in the metadata under key. */
  private record StepEntry(String key, OptimizerState state) {}

  private Checkpoint(
      List<String> names,
      List<TensorView> views,
      Map<String, String> metadata,
      List<StepEntry> steps,
      boolean strict) {
    this.names = names;
    this.views = views;
    this.metadata = metadata;
    this.steps = steps;
    this.strict = strict;
  }

  /** An empty checkpoint (add tensors with {@link #withTensors}). */
  public static Checkpoint empty() {
    return new Checkpoint(List.of(), List.of(), Map.of(), List.of(), true);
  }

  /**
   * A checkpoint of the given views under their own names, e.g. {@code
   * Checkpoint.of(layout.tensors(params))}.
   */
  public static Checkpoint of(TensorSet tensors) {
    return empty().withTensors("", tensors);
  }

  /**
   * A checkpoint of the given views named prefix + view name, e.g. {@code Checkpoint.of("rnn.",
   * layout.tensors(params))} for a module attribute {@code rnn}.
   */
  public static Checkpoint of(String prefix, TensorSet tensors) {
    return empty().withTensors(prefix, tensors);
  }

  /**
   * This checkpoint with more tensors, named prefix + view name.
   *
   * @throws IllegalArgumentException if a name is already taken or a view shares an entry with a
   *     view already in the checkpoint (loading would write it twice)
   */
  public Checkpoint withTensors(String prefix, TensorSet tensors) {
    Checks.notNull("prefix", prefix);
    Checks.notNull("tensors", tensors);
    List<String> n = new ArrayList<>(names);
    List<TensorView> v = new ArrayList<>(views);
    for (int i = 0; i < tensors.viewCount(); i++) {
      TensorView view = tensors.view(i);
      String name = prefix + view.name();
      if (name.isEmpty() || name.equals("__metadata__")) {
        throw new IllegalArgumentException("invalid tensor name '" + name + "'");
      }
      encodable("tensor name", name);
      if (n.contains(name)) {
        throw new IllegalArgumentException("tensor name '" + name + "' is used twice");
      }
      for (int j = 0; j < v.size(); j++) {
        if (v.get(j).overlaps(view)) {
          throw new IllegalArgumentException(
              "tensor '" + name + "' shares entries with '" + n.get(j) + "'");
        }
      }
      n.add(name);
      v.add(view);
    }
    return new Checkpoint(List.copyOf(n), List.copyOf(v), metadata, steps, strict);
  }

  /**
   * This checkpoint with an optimizer's state: for each buffer b of the state, the given layout
   * views placed on b and named prefix + b's name + "." + view name (e.g. {@code
   * optim.exp_avg.weight_hh_l0}), and the step count t in the metadata under prefix + "step".
   * Loading restores the buffers and t.
   *
   * @param prefix e.g. {@code "optim."}
   * @param layout the parameter views (e.g. {@code layout.tensors(params)}); only their names,
   *     offsets and shapes are used
   * @param state the state; its buffers must hold every view
   */
  public Checkpoint withOptimizerState(String prefix, TensorSet layout, OptimizerState state) {
    Checks.notNull("prefix", prefix);
    Checks.notNull("layout", layout);
    Checks.notNull("state", state);
    for (int i = 0; i < layout.viewCount(); i++) {
      TensorView v = layout.view(i);
      if ((long) v.offset() + v.length() > state.size()) {
        throw new IllegalArgumentException(
            "state holds "
                + state.size()
                + " floats per buffer, but view '"
                + v.name()
                + "' of the layout ends at "
                + ((long) v.offset() + v.length()));
      }
    }
    String key = prefix + "step";
    for (StepEntry s : steps) {
      if (s.key.equals(key)) {
        throw new IllegalArgumentException("optimizer state prefix '" + prefix + "' used twice");
      }
    }
    Checkpoint c = this;
    for (int b = 0; b < state.bufferCount(); b++) {
      float[] buf = state.buffer(b);
      List<TensorView> mapped = new ArrayList<>();
      for (int i = 0; i < layout.viewCount(); i++) {
        mapped.add(layout.view(i).on(buf));
      }
      c = c.withTensors(prefix + state.bufferName(b) + ".", group(mapped));
    }
    List<StepEntry> s = new ArrayList<>(steps);
    s.add(new StepEntry(key, state));
    return new Checkpoint(c.names, c.views, metadata, List.copyOf(s), strict);
  }

  private static TensorSet group(List<TensorView> views) {
    return dev.bptt.kernel.clip.TensorGroup.of(views);
  }

  /**
   * This checkpoint with a metadata entry (string → string, saved in {@code __metadata__}).
   *
   * @throws IllegalArgumentException if key or value holds an unpaired UTF-16 surrogate (the header
   *     is UTF-8)
   */
  public Checkpoint withMetadata(String key, String value) {
    Checks.notNull("key", key);
    Checks.notNull("value", value);
    encodable("key", key);
    encodable("value", value);
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.put(key, value);
    return new Checkpoint(names, views, Collections.unmodifiableMap(m), steps, strict);
  }

  /**
   * This checkpoint strict or not on load: strict (default) refuses a file holding a tensor that is
   * not in the checkpoint; not strict ignores such tensors (after checking them like the others). A
   * missing tensor is always an error.
   */
  public Checkpoint withStrict(boolean on) {
    return new Checkpoint(names, views, metadata, steps, on);
  }

  /**
   * Refuses a string the file could not hold: the header is UTF-8, and an unpaired UTF-16 surrogate
   * has no UTF-8 form (it would be saved as '?' and not read back).
   */
  private static void encodable(String what, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            what
                + " '"
                + s
                + "' has an unpaired UTF-16 surrogate at index "
                + i
                + " (no UTF-8 form: the safetensors header could not hold it)");
      }
    }
  }

  /** The tensor names, in order. */
  public List<String> names() {
    return names;
  }

  /** The shape a view is saved with: [cols] or [rows, cols] (see the class comment). */
  static long[] savedShape(String name, TensorView v) {
    int dot = name.lastIndexOf('.');
    String local = name.substring(dot + 1).toLowerCase(Locale.ROOT);
    boolean layerNorm =
        dot > 0 && name.substring(name.lastIndexOf('.', dot - 1) + 1).startsWith("ln_");
    return v.rows() == 1 && (!local.contains("weight") || layerNorm)
        ? new long[] {v.cols()}
        : new long[] {v.rows(), v.cols()};
  }

  // ---- save ----

  /**
   * The file's bytes: header length, header, tensors (the current contents of the arrays).
   *
   * @throws IllegalStateException if the file would exceed 2 GiB
   */
  public byte[] toBytes() {
    StringBuilder h = new StringBuilder("{");
    long offset = 0;
    for (int i = 0; i < names.size(); i++) {
      TensorView v = views.get(i);
      long bytes = 4L * v.length();
      Json.quote(h, names.get(i));
      h.append(":{\"dtype\":\"F32\",\"shape\":[");
      long[] shape = savedShape(names.get(i), v);
      for (int d = 0; d < shape.length; d++) {
        h.append(d > 0 ? "," : "").append(shape[d]);
      }
      h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes);
      h.append("]},");
      offset += bytes;
    }
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    for (StepEntry s : steps) {
      meta.put(s.key, Long.toString(s.state.step()));
    }
    if (!meta.isEmpty()) {
      h.append("\"__metadata__\":{");
      boolean first = true;
      for (Map.Entry<String, String> e : meta.entrySet()) {
        h.append(first ? "" : ",");
        Json.quote(h, e.getKey());
        h.append(':');
        Json.quote(h, e.getValue());
        first = false;
      }
      h.append("},");
    }
    if (h.length() > 1) {
      h.setLength(h.length() - 1); // the last ','
    }
    h.append('}');
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    int pad = (int) ((8 - (8 + header.length) % 8) % 8);
    long total = 8L + header.length + pad + offset;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("checkpoint of " + total + " bytes exceeds 2 GiB");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(header.length + pad);
    out.put(header);
    for (int i = 0; i < pad; i++) {
      out.put((byte) ' ');
    }
    for (TensorView v : views) {
      float[] a = v.array();
      for (int j = v.offset(), end = v.offset() + v.length(); j < end; j++) {
        out.putInt(Float.floatToRawIntBits(a[j]));
      }
    }
    return out.array();
  }

  /**
   * Writes the file (to a temporary sibling, then moved over {@code path}).
   *
   * @throws IOException if writing fails
   */
  public void save(Path path) throws IOException {
    Checks.notNull("path", path);
    byte[] bytes = toBytes();
    Path abs = path.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    try {
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ---- load ----

  /**
   * Loads the file into the checkpoint's arrays (and optimizer step counts) after checking all of
   * it; see the class comment.
   *
   * @return the file's {@code __metadata__} (empty when none)
   * @throws IOException if reading fails
   * @throws IllegalArgumentException if the file is not a valid safetensors file or does not match
   *     the checkpoint; nothing is written then
   */
  public Map<String, String> load(Path path) throws IOException {
    Checks.notNull("path", path);
    long size = Files.size(path);
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "file " + path + " has " + size + " bytes; files of 2 GiB or more are not supported");
    }
    return load(Files.readAllBytes(path));
  }

  /** {@link #load(Path)} from the file's bytes. */
  public Map<String, String> load(byte[] file) {
    Checks.notNull("file", file);
    Parsed p = parse(file);
    // Match every requested tensor before writing anything.
    long[] begins = new long[names.size()];
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Entry e = p.entries.get(name);
      if (e == null) {
        throw new IllegalArgumentException("tensor '" + name + "' is missing from the file");
      }
      if (!e.dtype.equals("F32")) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' has dtype " + e.dtype + ", expected F32");
      }
      TensorView v = views.get(i);
      boolean ok =
          Arrays.equals(e.shape, new long[] {v.rows(), v.cols()})
              || (v.rows() == 1 && Arrays.equals(e.shape, new long[] {v.cols()}));
      if (!ok) {
        throw new IllegalArgumentException(
            "tensor '"
                + name
                + "' has shape "
                + Arrays.toString(e.shape)
                + ", expected "
                + Arrays.toString(savedShape(name, v)));
      }
      begins[i] = e.begin;
    }
    if (strict) {
      for (String name : p.entries.keySet()) {
        if (!names.contains(name)) {
          throw new IllegalArgumentException(
              "unexpected tensor '" + name + "' in the file (strict load)");
        }
      }
    }
    long[] stepValues = new long[steps.size()];
    for (int i = 0; i < steps.size(); i++) {
      String key = steps.get(i).key;
      String value = p.metadata.get(key);
      if (value == null) {
        throw new IllegalArgumentException(
            "header metadata '" + key + "' is missing from the file");
      }
      try {
        stepValues[i] = Long.parseLong(value);
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            "header metadata '" + key + "' = '" + value + "' is not a step count", ex);
      }
      if (stepValues[i] < 0) {
        throw new IllegalArgumentException(
            "header metadata '" + key + "' = " + value + " is negative");
      }
    }
    // Everything checked: now write.
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < names.size(); i++) {
      TensorView v = views.get(i);
      float[] a = v.array();
      int at = (int) (p.bufferStart + begins[i]);
      for (int j = 0, len = v.length(); j < len; j++) {
        a[v.offset() + j] = Float.intBitsToFloat(in.getInt(at + 4 * j));
      }
    }
    for (int i = 0; i < steps.size(); i++) {
      steps.get(i).state.setStep(stepValues[i]);
    }
    return p.metadata;
  }

  /** One checked header entry. */
  private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

  /** A checked file: entries by name, metadata, where the buffer starts. */
  private record Parsed(
      Map<String, Entry> entries, Map<String, String> metadata, long bufferStart) {}

  /**
   * The names, dtypes and shapes of a safetensors file's tensors after the same checks as {@link
   * #load(byte[])} (but none against a checkpoint): name → "F32[3, 4]".
   *
   * @throws IllegalArgumentException if the file is not valid
   */
  public static Map<String, String> describe(byte[] file) {
    Checks.notNull("file", file);
    Map<String, String> out = new LinkedHashMap<>();
    for (Entry e : parse(file).entries.values()) {
      out.put(e.name, e.dtype + Arrays.toString(e.shape));
    }
    return Collections.unmodifiableMap(out);
  }

  private static Parsed parse(byte[] file) {
    long size = file.length;
    if (size < 8) {
      throw new IllegalArgumentException(
          "truncated file: " + size + " bytes, less than the 8-byte header length");
    }
    long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 0 || n > MAX_HEADER) {
      throw new IllegalArgumentException(
          "header length "
              + Long.toUnsignedString(n)
              + " exceeds the limit of "
              + MAX_HEADER
              + " bytes");
    }
    if (n < 2) {
      throw new IllegalArgumentException("header length " + n + " is too small for a JSON object");
    }
    if (8 + n > size) {
      throw new IllegalArgumentException(
          "header length " + n + " exceeds the file size " + size + " - 8 (truncated file?)");
    }
    String header;
    try {
      header =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(file, 8, (int) n))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("header is not valid UTF-8", e);
    }
    if (header.charAt(0) != '{') {
      throw new IllegalArgumentException("header does not start with '{'");
    }
    if (!(Json.parse(header) instanceof Map<?, ?> root)) {
      throw new IllegalArgumentException("header is not a JSON object");
    }
    long bufferLen = size - 8 - n;
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<?, ?> kv : root.entrySet()) {
      String name = (String) kv.getKey();
      if (name.equals("__metadata__")) {
        if (!(kv.getValue() instanceof Map<?, ?> meta)) {
          throw new IllegalArgumentException("__metadata__ is not an object");
        }
        for (Map.Entry<?, ?> m : meta.entrySet()) {
          if (!(m.getValue() instanceof String value)) {
            throw new IllegalArgumentException(
                "__metadata__ value of '" + m.getKey() + "' is not a string");
          }
          metadata.put((String) m.getKey(), value);
        }
        continue;
      }
      entries.put(name, entry(name, kv.getValue(), bufferLen));
    }
    // The buffer must be covered exactly: sort by (begin, end) and walk.
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(
        (a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
    long expected = 0;
    for (Entry e : sorted) {
      if (e.begin < expected) {
        throw new IllegalArgumentException(
            "tensor '"
                + e.name
                + "' data_offsets ["
                + e.begin
                + ", "
                + e.end
                + ") overlap the previous tensor, which ends at "
                + expected);
      }
      if (e.begin > expected) {
        throw new IllegalArgumentException(
            "hole in the buffer: bytes [" + expected + ", " + e.begin + ") belong to no tensor");
      }
      expected = e.end;
    }
    if (expected != bufferLen) {
      throw new IllegalArgumentException(
          "the tensors cover " + expected + " bytes but the buffer has " + bufferLen);
    }
    return new Parsed(
        Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata), 8 + n);
  }

  private static Entry entry(String name, Object value, long bufferLen) {
    if (!(value instanceof Map<?, ?> info)) {
      throw new IllegalArgumentException("tensor '" + name + "': entry is not an object");
    }
    for (Object k : info.keySet()) {
      if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
        throw new IllegalArgumentException("tensor '" + name + "': unknown field '" + k + "'");
      }
    }
    if (!(info.get("dtype") instanceof String dtype)) {
      throw new IllegalArgumentException("tensor '" + name + "': dtype missing or not a string");
    }
    Integer dsize = DTYPE_SIZES.get(dtype);
    if (dsize == null) {
      throw new IllegalArgumentException("tensor '" + name + "': unknown dtype '" + dtype + "'");
    }
    if (!(info.get("shape") instanceof List<?> shapeList)) {
      throw new IllegalArgumentException("tensor '" + name + "': shape missing or not an array");
    }
    long[] shape = new long[shapeList.size()];
    long bytes = dsize;
    try {
      for (int d = 0; d < shape.length; d++) {
        if (!(shapeList.get(d) instanceof Json.Num num)) {
          throw new IllegalArgumentException(
              "tensor '" + name + "': shape[" + d + "] is not a number");
        }
        shape[d] = num.nonNegativeLong("tensor '" + name + "': shape[" + d + "]");
        bytes = Math.multiplyExact(bytes, shape[d]);
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': shape " + shapeList + " x " + dsize + " bytes overflows", e);
    }
    if (!(info.get("data_offsets") instanceof List<?> offs)
        || offs.size() != 2
        || !(offs.get(0) instanceof Json.Num b)
        || !(offs.get(1) instanceof Json.Num e)) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': data_offsets must be an array of two integers");
    }
    long begin = b.nonNegativeLong("tensor '" + name + "': data_offsets[0]");
    long end = e.nonNegativeLong("tensor '" + name + "': data_offsets[1]");
    if (end < begin) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': data_offsets [" + begin + ", " + end + ") end before begin");
    }
    if (end > bufferLen) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': data_offsets ["
              + begin
              + ", "
              + end
              + ") go beyond the buffer of "
              + bufferLen
              + " bytes (truncated file?)");
    }
    if (end - begin != bytes) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': data_offsets ["
              + begin
              + ", "
              + end
              + ") hold "
              + (end - begin)
              + " bytes but "
              + dtype
              + Arrays.toString(shape)
              + " needs "
              + bytes);
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static Map<String, Integer> dtypeSizes() {
    Map<String, Integer> m = new HashMap<>();
    m.put("F64", 8);
    m.put("I64", 8);
    m.put("U64", 8);
    m.put("F32", 4);
    m.put("I32", 4);
    m.put("U32", 4);
    m.put("F16", 2);
    m.put("BF16", 2);
    m.put("I16", 2);
    m.put("U16", 2);
    m.put("I8", 1);
    m.put("U8", 1);
    m.put("BOOL", 1);
    m.put("F8_E4M3", 1);
    m.put("F8_E5M2", 1);
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "Checkpoint" + names + (strict ? "" : " (not strict)");
  }
}
