package dev.bptt.verify.fuzz;

import dev.bptt.verify.Gen;
import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Finds the public entry points by reflection and runs mutated calls against them. */
final class FuzzRunner {
  static final String ROOT = "dev.bptt.kernel.";
  static final List<String> PACKAGES =
      List.of("blas", "rnn", "bptt", "clip", "spectral", "training");

  /** One trial's outcome that breaks a promise. */
  record Finding(String entry, String param, String mutation, long seed, String what) {
    String line() {
      return entry
          + " ["
          + param
          + " := "
          + mutation
          + "]: "
          + what
          + " (rerun: -Dprop.seed="
          + seed
          + " -Dfuzz.trials=1)";
    }
  }

  final Registry registry = new Registry();
  final Map<String, Executable> entries = new TreeMap<>();
  final List<String> keys;
  int trials;
  int rejections;
  int accepted;
  final java.util.Set<String> covered = new java.util.TreeSet<>();
  final List<Finding> findings = new ArrayList<>();
  volatile String current = "";

  FuzzRunner() throws Exception {
    discover();
    keys = new ArrayList<>(entries.keySet());
  }

  // ------------------------------------------------------------------ discovery

  private void discover() throws Exception {
    Class<?> anchor = dev.bptt.kernel.blas.Blas.class;
    URI loc = anchor.getProtectionDomain().getCodeSource().getLocation().toURI();
    Path base = Path.of(loc);
    List<String> classNames = new ArrayList<>();
    if (Files.isDirectory(base)) {
      try (Stream<Path> s = Files.walk(base)) {
        s.filter(p -> p.toString().endsWith(".class"))
            .forEach(p -> classNames.add(base.relativize(p).toString()));
      }
    } else {
      try (var fs = FileSystems.newFileSystem(base)) {
        Path r = fs.getPath("/");
        try (Stream<Path> s = Files.walk(r)) {
          s.filter(p -> p.toString().endsWith(".class"))
              .forEach(p -> classNames.add(r.relativize(p).toString()));
        }
      }
    }
    for (String f : classNames) {
      String cn = f.replace(File.separatorChar, '.').replace('/', '.').replace(".class", "");
      if (!cn.startsWith(ROOT) || cn.endsWith("package-info") || cn.endsWith("module-info")) {
        continue;
      }
      String rel = cn.substring(ROOT.length());
      String pkg = rel.substring(0, rel.indexOf('.'));
      if (!PACKAGES.contains(pkg) || rel.indexOf('.') != rel.lastIndexOf('.')) {
        continue;
      }
      Class<?> c = Class.forName(cn, false, anchor.getClassLoader());
      if (!publicAll(c)) {
        continue;
      }
      Set<String> components = new java.util.HashSet<>();
      if (c.isRecord()) {
        for (RecordComponent rc : c.getRecordComponents()) {
          components.add(rc.getName());
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (Modifier.isPublic(k.getModifiers()) && !c.isInterface()) {
          entries.put(key(c, "<init>", k.getParameterTypes()), k);
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        int mod = m.getModifiers();
        if (!Modifier.isPublic(mod) || m.isSynthetic() || m.isBridge()) {
          continue;
        }
        String n = m.getName();
        int pc = m.getParameterCount();
        if ((n.equals("equals") && pc == 1)
            || (n.equals("hashCode") && pc == 0)
            || (n.equals("toString") && pc == 0)) {
          continue;
        }
        if (c.isEnum() && ((n.equals("values") && pc == 0) || n.equals("valueOf"))) {
          continue;
        }
        if (c.isRecord() && pc == 0 && components.contains(n)) {
          continue;
        }
        if (c.isInterface() && Modifier.isAbstract(mod)) {
          continue; // implemented by the public classes (covered there) or by the user
        }
        entries.put(key(c, n, m.getParameterTypes()), m);
      }
    }
  }

  private static boolean publicAll(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass()) {
        return false;
      }
    }
    return true;
  }

  static String key(Class<?> c, String name, Class<?>[] params) {
    StringBuilder b =
        new StringBuilder(c.getName().substring(ROOT.length()))
            .append('#')
            .append(name)
            .append('(');
    for (int i = 0; i < params.length; i++) {
      b.append(i > 0 ? "," : "").append(params[i].getSimpleName());
    }
    return b.append(')').toString();
  }

  // ------------------------------------------------------------------ trials

  /** The entry a seed selects (so a seed alone reruns a trial). */
  String entryOf(long seed) {
    return keys.get((int) Math.floorMod(seed, (long) keys.size()));
  }

  void trial(long seed) {
    String key = entryOf(seed);
    Registry.Spec spec = registry.specs.get(key);
    if (spec == null) {
      return; // reported by the coverage assertion
    }
    Executable ex = entries.get(key);
    Gen g = new Gen(seed);
    current = key + " seed " + seed;
    FuzzCall c;
    try {
      c = spec.gen().apply(g);
    } catch (RuntimeException e) {
      findings.add(
          new Finding(key, "-", "none", seed, "generator failed (valid call refused?): " + e));
      return;
    }
    c.names = spec.names();
    if (c.args.length != ex.getParameterCount()) {
      findings.add(
          new Finding(key, "-", "none", seed, "generator gives " + c.args.length + " args"));
      return;
    }
    trials++;
    covered.add(key);
    Mutation m;
    try {
      m = mutate(g, c, ex);
    } catch (RuntimeException e) {
      findings.add(new Finding(key, "-", "?", seed, "building the mutated argument failed: " + e));
      return;
    }
    Map<String, Object> arrays = arrays(c);
    Map<String, Object> snaps = new LinkedHashMap<>();
    arrays.forEach((n, a) -> snaps.put(n, copy(a)));
    Function<Object, String> post = null;
    boolean huge = false;
    for (Object a : c.args) {
      huge |= a instanceof Integer v && (v > (1 << 20) || v < 0);
      huge |= a instanceof Float v && Float.isInfinite(v); // ∞·0 and ∞−∞ depend on the order
    }
    if (c.reference != null && !huge) {
      try {
        post = c.reference.apply(c);
      } catch (RuntimeException e) {
        post = null; // the reference cannot evaluate these arguments
      }
    }
    current = key + " seed " + seed + " " + m;
    Object result;
    try {
      result = invoke(ex, c);
    } catch (Throwable t) {
      rejected(key, seed, m, c, t, arrays, snaps);
      return;
    }
    accepted++;
    String param = m.param;
    for (Map.Entry<String, Object> e : arrays.entrySet()) {
      if (!c.outputs.contains(e.getKey()) && !same(e.getValue(), snaps.get(e.getKey()))) {
        findings.add(
            new Finding(
                key,
                param,
                m.kind,
                seed,
                "accepted call changed " + e.getKey() + ", which is not a documented output"));
        return;
      }
    }
    if (post != null) {
      String msg;
      try {
        msg = post.apply(result);
      } catch (RuntimeException e) {
        msg = "reference check threw " + e;
      }
      if (msg != null) {
        findings.add(new Finding(key, param, m.kind, seed, "accepted, but " + msg));
      }
    }
  }

  private void rejected(
      String key,
      long seed,
      Mutation m,
      FuzzCall c,
      Throwable t,
      Map<String, Object> arrays,
      Map<String, Object> snaps) {
    String type = t.getClass().getSimpleName();
    boolean allowed =
        (t instanceof IllegalArgumentException
            || t instanceof NullPointerException
            || (t instanceof IndexOutOfBoundsException
                && !(t instanceof ArrayIndexOutOfBoundsException)
                && !(t instanceof StringIndexOutOfBoundsException))
            || (t instanceof IllegalStateException && c.stateRejection));
    if (!allowed) {
      findings.add(
          new Finding(key, m.param, m.kind, seed, "threw " + type + ": " + t.getMessage()));
      return;
    }
    if (m.index < 0) {
      findings.add(
          new Finding(
              key, "-", "none", seed, "valid call rejected: " + type + ": " + t.getMessage()));
      return;
    }
    rejections++;
    for (Map.Entry<String, Object> e : arrays.entrySet()) {
      if (!same(e.getValue(), snaps.get(e.getKey()))) {
        findings.add(
            new Finding(
                key, m.param, m.kind, seed, "rejected (" + type + ") after writing " + e.getKey()));
        return;
      }
    }
    String msg = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    String v = m.index >= 0 && c.args[m.index] instanceof Integer i ? String.valueOf(i) : null;
    boolean byValue =
        v != null
            && (v.length() >= 3 && msg.contains(v)
                || (m.param.matches("rows|m") && msg.contains(v + "x"))
                || (m.param.matches("cols|n") && msg.contains("x" + v)));
    if (!byValue && !names(msg, m.param) && !(m.other != null && names(msg, m.other))) {
      findings.add(
          new Finding(
              key,
              m.param,
              m.kind,
              seed,
              type + " message does not name '" + m.param + "': " + t.getMessage()));
    }
  }

  /**
   * The names a message may use for a parameter: its javadoc names, and the project's conventions:
   * an offset {@code xOff} as "x: offset …", a leading dimension as "ld", sizes by their symbol
   * (D=, H=, O=, T=, B=, rows/cols for m/n).
   */
  static String aliases(String p) {
    StringBuilder b = new StringBuilder(p);
    for (String a : p.split("\\|")) {
      if (a.endsWith("Off") && a.length() > 3) {
        b.append('|').append(a, 0, a.length() - 3).append(": offset|at offset");
      }
      switch (a) {
        case "off", "offset" -> b.append("|offset");
        case "lda", "ldb", "ldc", "ld" -> b.append("|ld ");
        case "m" -> b.append("|rows");
        case "n" -> b.append("|cols|rows|length|order|n=");
        case "inputSize" -> b.append("|d=");
        case "hiddenSize" -> b.append("|h=");
        case "outputSize" -> b.append("|o=");
        case "layers" -> b.append("|layers=");
        case "steps", "T" -> b.append("|t=|step|length");
        case "meanLength" -> b.append("|l0");
        case "sinceLast" -> b.append("|since the last");
        case "capacity" -> b.append("|need");
        case "strategy" -> b.append("|cannot run");
        case "length" -> b.append("|cols of view");
        case "batch" -> b.append("|b=");
        case "s0" -> b.append("|initialState");
        case "dh0" -> b.append("|initialStateGradient");
        case "expected" -> b.append("|made for");
        default -> {}
      }
    }
    return b.toString();
  }

  private static boolean names(String msg, String alternatives) {
    for (String a : aliases(alternatives).split("\\|")) {
      if (msg.contains(a.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  static Object invoke(Executable ex, FuzzCall c) throws Throwable {
    try {
      if (ex instanceof Constructor<?> k) {
        return k.newInstance(c.args);
      }
      return ((Method) ex).invoke(c.receiver, c.args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  // ------------------------------------------------------------------ mutations

  static final class Mutation {
    int index = -1;
    String param = "-";
    String kind = "none";
    String other;

    @Override
    public String toString() {
      return param + " := " + kind;
    }
  }

  private static final long SMALL = 1L << 26;

  Mutation mutate(Gen g, FuzzCall c, Executable ex) {
    Mutation m = new Mutation();
    Class<?>[] types = ex.getParameterTypes();
    if (types.length == 0 || g.random().nextInt(16) == 0) {
      return m; // the valid call itself
    }
    for (int attempt = 0; attempt < 12; attempt++) {
      int i = g.random().nextInt(types.length);
      Object old = c.args[i];
      Object v = value(g, c, i, types[i], m);
      if (v == NO) {
        continue;
      }
      c.args[i] = v;
      if (c.allocation != null) {
        long a = c.allocation.applyAsLong(c.args);
        if (a >= SMALL && a <= Integer.MAX_VALUE) {
          c.args[i] = old; // valid and huge: would allocate gigabytes
          m.other = null;
          continue;
        }
      }
      if (v == null && c.nullable.contains(i)) {
        m.kind = "null (documented as none)";
      }
      m.index = i;
      m.param = i < c.names.length ? c.names[i] : "arg" + i;
      return m;
    }
    m.kind = "none";
    return m;
  }

  private static final Object NO = new Object();

  private Object value(Gen g, FuzzCall c, int i, Class<?> t, Mutation m) {
    var r = g.random();
    Object old = c.args[i];
    if (t == int.class) {
      int v = (Integer) old;
      boolean bounded = c.bounded.contains(i);
      int[] opts =
          bounded
              ? new int[] {-1, 0, Integer.MIN_VALUE, v + 1, v - 1, -v}
              : new int[] {
                -1,
                0,
                Integer.MIN_VALUE,
                Integer.MAX_VALUE,
                1 << 30,
                46341,
                65536,
                v + 1,
                v - 1,
                -v,
                Integer.MAX_VALUE - v
              };
      int k = r.nextInt(opts.length);
      m.kind = "int " + opts[k];
      return opts[k];
    }
    if (t == long.class) {
      long[] opts = {-1, 0, Long.MAX_VALUE, Long.MIN_VALUE};
      long v = opts[r.nextInt(opts.length)];
      m.kind = "long " + v;
      return v;
    }
    if (t == float.class || t == double.class) {
      double v = ((Number) old).doubleValue();
      double[] opts = {
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        -0.0,
        -Math.abs(v) - 1,
        0.0,
        t == float.class ? Float.MAX_VALUE : Double.MAX_VALUE,
        t == float.class ? Float.MIN_VALUE : Double.MIN_VALUE,
        1e30,
        1e-30
      };
      double d = opts[r.nextInt(opts.length)];
      m.kind = (t == float.class ? "float " : "double ") + d;
      return t == float.class ? (Object) (float) d : (Object) d;
    }
    if (t == boolean.class) {
      m.kind = "flip";
      return !(Boolean) old;
    }
    if (t == float[].class) {
      float[] a = (float[]) old;
      List<Supplier<Object>> alias = new ArrayList<>();
      for (Map.Entry<Integer, Supplier<Object>> e : c.foreign) {
        if (e.getKey() == i) {
          alias.add(e.getValue());
        }
      }
      if (!alias.isEmpty() && r.nextInt(5) == 0) {
        m.kind = "foreign";
        return alias.get(r.nextInt(alias.size())).get();
      }
      List<Integer> others = new ArrayList<>();
      for (int j = 0; j < c.args.length; j++) {
        if (j != i && c.args[j] instanceof float[] && c.args[j] != old) {
          others.add(j);
        }
      }
      int k = r.nextInt(others.isEmpty() ? 4 : 5);
      switch (k) {
        case 0 -> {
          m.kind = "null";
          return null;
        }
        case 1 -> {
          if (a == null || a.length == 0) {
            return NO;
          }
          m.kind = "short by one (length " + (a.length - 1) + ")";
          return Arrays.copyOf(a, a.length - 1);
        }
        case 2 -> {
          m.kind = "length 0";
          return new float[0];
        }
        case 3 -> {
          if (a == null) {
            return NO;
          }
          float[] s = a.clone();
          for (int j = 0; j < s.length; j++) {
            s[j] *= 1e-40f; // subnormal or zero entries
          }
          m.kind = "subnormal copy";
          return s;
        }
        default -> {
          int j = others.get(r.nextInt(others.size()));
          m.kind = "alias of " + c.names[j];
          m.other = c.names[j];
          return c.args[j];
        }
      }
    }
    if (t == double[].class) {
      double[] a = (double[]) old;
      switch (r.nextInt(4)) {
        case 0 -> {
          m.kind = "null";
          return null;
        }
        case 1 -> {
          m.kind = "length 0";
          return new double[0];
        }
        case 2 -> {
          if (a.length == 0) {
            return NO;
          }
          m.kind = "short by one";
          return Arrays.copyOf(a, a.length - 1);
        }
        default -> {
          double[] s = a.clone();
          if (s.length == 0) {
            return NO;
          }
          s[r.nextInt(s.length)] = r.nextBoolean() ? Double.NaN : -1;
          m.kind = "an entry NaN or −1";
          return s;
        }
      }
    }
    if (t == int[].class) {
      int[] a = (int[]) old;
      switch (r.nextInt(4)) {
        case 0 -> {
          m.kind = "null";
          return null;
        }
        case 1 -> {
          m.kind = "length 0";
          return new int[0];
        }
        case 2 -> {
          if (a.length == 0) {
            return NO;
          }
          int[] s = a.clone();
          s[0] = r.nextBoolean() ? -1 : 0;
          m.kind = "an entry " + s[0];
          return s;
        }
        default -> {
          if (a.length == 0) {
            return NO;
          }
          int[] s = a.clone();
          s[s.length - 1] = s[0];
          m.kind = "duplicate entry";
          return s;
        }
      }
    }
    if (t.isPrimitive()) {
      return NO;
    }
    List<Supplier<Object>> bad = new ArrayList<>();
    for (Map.Entry<Integer, Supplier<Object>> e : c.foreign) {
      if (e.getKey() == i) {
        bad.add(e.getValue());
      }
    }
    if (!bad.isEmpty() && r.nextBoolean()) {
      m.kind = "foreign";
      return bad.get(r.nextInt(bad.size())).get();
    }
    m.kind = "null";
    return null;
  }

  // ------------------------------------------------------------------ snapshots

  private static Map<String, Object> arrays(FuzzCall c) {
    Map<String, Object> out = new LinkedHashMap<>();
    IdentityHashMap<Object, String> seen = new IdentityHashMap<>();
    for (int i = 0; i < c.args.length; i++) {
      Object a = c.args[i];
      if (a != null && a.getClass().isArray() && a.getClass().getComponentType().isPrimitive()) {
        String n = i < c.names.length ? c.names[i] : "arg" + i;
        if (seen.containsKey(a)) {
          // aliased: the array is an output if either name is
          String first = seen.get(a);
          if (c.outputs.contains(n)) {
            c.outputs.add(first);
          }
          continue;
        }
        seen.put(a, n);
        out.put(n, a);
      }
    }
    for (Map.Entry<String, Object> e : c.reachable.entrySet()) {
      if (!seen.containsKey(e.getValue())) {
        seen.put(e.getValue(), e.getKey());
        out.put(e.getKey(), e.getValue());
      } else if (c.outputs.contains(e.getKey())) {
        c.outputs.add(seen.get(e.getValue()));
      }
    }
    return out;
  }

  private static Object copy(Object a) {
    if (a instanceof float[] f) {
      return f.clone();
    }
    if (a instanceof double[] d) {
      return d.clone();
    }
    if (a instanceof byte[] b) {
      return b.clone();
    }
    return ((int[]) a).clone();
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof float[] f) {
      float[] s = (float[]) b;
      if (f.length != s.length) {
        return false;
      }
      for (int i = 0; i < f.length; i++) {
        if (Float.floatToRawIntBits(f[i]) != Float.floatToRawIntBits(s[i])) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof double[] d) {
      double[] s = (double[]) b;
      for (int i = 0; i < d.length; i++) {
        if (Double.doubleToRawLongBits(d[i]) != Double.doubleToRawLongBits(s[i])) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof byte[] x) {
      return Arrays.equals(x, (byte[]) b);
    }
    return Arrays.equals((int[]) a, (int[]) b);
  }
}
