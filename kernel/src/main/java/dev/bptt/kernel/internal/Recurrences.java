package dev.bptt.kernel.internal;

import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.StackedRnn;

/**
 * The segment kernels of each public network type (resolved once, when a runner or workspace is
 * made).
 */
public final class Recurrences {
  private Recurrences() {}

  /** The {@link Recurrence} that runs {@code net} on the caller's thread. */
  public static Recurrence of(RecurrentNetwork net) {
    return of(net, null);
  }

  /** The {@link Recurrence} that runs {@code net}, its passes split across {@code team}. */
  public static Recurrence of(RecurrentNetwork net, Team team) {
    Checks.notNull("net", net);
    return switch (net) {
      case ElmanRnn e -> StackedRecurrence.elman(e.layout(), e.activation(), team);
      case StackedRnn s -> StackedRecurrence.stack(s.layout(), s.activation(), team);
    };
  }
}
