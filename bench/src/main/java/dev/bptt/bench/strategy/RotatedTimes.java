package dev.bptt.bench.strategy;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Wall time of the three sides of {@link CheckpointBenchmark#rotated} (full, checkpointed, forward
 * only), summed per iteration: JMH reports EVENTS counters as the iteration's total, so the
 * overhead target's difference (checkpointed − full) is taken between passes run next to each
 * other, not between medians of separate forks minutes apart on a VM whose speed drifts. The order
 * rotates from call to call ({@link #first}), so no side always runs on the caches or the clock
 * another left.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class RotatedTimes {
  /** Nanoseconds spent on full BPTT this iteration. */
  public long fullNs;

  /** Nanoseconds spent on checkpointed BPTT this iteration. */
  public long checkpointedNs;

  /** Nanoseconds spent on the forward pass alone this iteration. */
  public long forwardNs;

  /** Calls (each one pass of every side) this iteration. */
  public long calls;

  private int first;

  @Setup(Level.Iteration)
  public void reset() {
    fullNs = checkpointedNs = forwardNs = calls = 0;
  }

  /** The side this call starts with (0 full, 1 checkpointed, 2 forward), rotating. */
  int first() {
    int f = first;
    first = (f + 1) % 3;
    return f;
  }

  /** Adds one side's time: 0 full, 1 checkpointed, 2 forward. */
  void add(int side, long ns) {
    switch (side) {
      case 0 -> fullNs += ns;
      case 1 -> checkpointedNs += ns;
      default -> forwardNs += ns;
    }
  }

  /** Counts one call. */
  void call() {
    calls++;
  }
}
