package dev.bptt.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Named run sizes of the suite. Each {@link Section} chooses its parameter values per preset; the
 * preset fixes the default timing.
 *
 * <ul>
 *   <li>{@code smoke}: proves that everything runs and the report renders (1 fork, 100 ms
 *       iterations, one small size); its numbers mean nothing.
 *   <li>{@code default}: the published table, ≥ 2 forks with short iterations, a few minutes per
 *       section on a 2-core machine.
 *   <li>{@code full}: more sizes, forks and iterations; for a quiet machine.
 * </ul>
 */
public enum Preset {
  SMOKE(
      new Timing(1, 1, 100, 1, 100),
      "smoke run: 100 ms of warm-up is not steady state, the numbers mean nothing"),
  DEFAULT(new Timing(2, 2, 200, 3, 200), ""),
  FULL(new Timing(3, 3, 500, 5, 500), "");

  private final Timing timing;
  private final String caveat;

  Preset(Timing timing, String caveat) {
    this.timing = timing;
    this.caveat = caveat;
  }

  /** A warning the report prints with results of this preset, or "" for none. */
  public String caveat() {
    return caveat;
  }

  /** The timing that runs use unless a section asks for longer iterations. */
  public Timing timing() {
    return timing;
  }

  /** Lower-case name, as given on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code smoke|default|full}, case-insensitive. */
  public static Preset parse(String s) {
    for (Preset p : values()) {
      if (p.label().equalsIgnoreCase(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "--preset must be one of "
            + Arrays.stream(values()).map(Preset::label).toList()
            + ", got '"
            + s
            + "'");
  }
}
