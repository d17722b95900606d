package dev.bptt.bench.cells;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Wall time of the two sides of a paired benchmark call (one thread, two threads), summed per
 * iteration: JMH reports EVENTS counters as the iteration's total, and the ratio of the sums pairs
 * every one-thread run with the two-thread run next to it, so a VM whose speed drifts over seconds
 * moves both alike. The sides alternate their order from call to call ({@link #twoFirst}), so
 * neither always runs on the caches or the clock the other left.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class PairedTimes {
  /** Nanoseconds spent on the one-thread side this iteration. */
  public long oneThreadNs;

  /** Nanoseconds spent on the two-thread side this iteration. */
  public long twoThreadsNs;

  /** Calls (pairs) this iteration. */
  public long pairs;

  private boolean twoFirst;

  @Setup(Level.Iteration)
  public void reset() {
    oneThreadNs = twoThreadsNs = pairs = 0;
  }

  /** Whether this call runs the two-thread side first (alternates from call to call). */
  boolean twoFirst() {
    boolean t = twoFirst;
    twoFirst = !t;
    return t;
  }

  /** Adds one call's two sides. */
  void add(long oneNs, long twoNs) {
    oneThreadNs += oneNs;
    twoThreadsNs += twoNs;
    pairs++;
  }
}
