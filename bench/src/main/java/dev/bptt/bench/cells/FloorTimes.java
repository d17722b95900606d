package dev.bptt.bench.cells;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Wall time of the two sides of {@link CellFloorBenchmark#paired} (the B = 1 pass, its floor),
 * summed per iteration as {@link PairedTimes} sums the thread sides: the ratio of the sums pairs
 * every pass with the floor run next to it. The sides alternate their order from call to call.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class FloorTimes {
  /** Nanoseconds spent on forward+backward passes this iteration. */
  public long passNs;

  /** Nanoseconds spent on floors (L × T × (gemv + gemvᵀ)) this iteration. */
  public long floorNs;

  /** Calls (pairs) this iteration. */
  public long calls;

  private boolean floorFirst;

  @Setup(Level.Iteration)
  public void reset() {
    passNs = floorNs = calls = 0;
  }

  /** Whether this call runs the floor first (alternates from call to call). */
  boolean floorFirst() {
    boolean f = floorFirst;
    floorFirst = !f;
    return f;
  }

  /** Adds one call's two sides. */
  void add(long pass, long floor) {
    passNs += pass;
    floorNs += floor;
    calls++;
  }
}
