package dev.bptt.kernel.internal;

import dev.bptt.kernel.rnn.BatchThreads;
import java.util.function.Function;

/** Reaches the {@link Team} inside the public {@link BatchThreads} (which registers the access). */
public final class Teams {
  private static volatile Function<BatchThreads, Team> access;

  private Teams() {}

  /** Called once, by {@link BatchThreads}'s class initializer. */
  public static void setAccess(Function<BatchThreads, Team> f) {
    if (access != null) {
      throw new IllegalStateException("access already set");
    }
    access = f;
  }

  /** The team of {@code threads}, or null for null (the caller's thread alone). */
  public static Team of(BatchThreads threads) {
    // An instance exists, so its class (and the access it registers) is initialized.
    return threads == null ? null : access.apply(threads);
  }
}
