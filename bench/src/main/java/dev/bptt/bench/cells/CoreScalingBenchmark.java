package dev.bptt.bench.cells;

import dev.bptt.bench.BenchJvm;
import dev.bptt.bench.Inputs;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How much more work do this machine's two cores do than one, on work that shares nothing? The
 * ceiling of {@link ThreadScalingBenchmark}'s two-thread speed-up, measured in the same run: per
 * call, {@value #REPS} 256³ gemms on the caller alone, then {@value #REPS} on the caller and
 * {@value #REPS} on a second thread at the same time, each thread on its own matrices (order
 * alternating from call to call). The speed-up is 2·(time alone)/(time together): 2× if the two
 * cores are independent, less where they share a core (SMT), a power budget or a hypervisor's time.
 *
 * <p>The second thread parks between calls (it takes no core from the one-thread side) and spins
 * only while a call hands it work; a call's two-thread time starts when it is awake.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms1g", "-Xmx1g"})
public class CoreScalingBenchmark {
  /** Gemms per side and thread: ~1 ms at n = 256, long against a wake-up. */
  static final int REPS = 4;

  static final int N = 256;

  private final float[][] mine = matrices(21);
  private final float[][] theirs = matrices(31);
  private Thread helper;
  private volatile int phase; // 0 idle, 1 asked to wake, 2 awake, 3 go, 4 done
  private volatile boolean stop;

  private static float[][] matrices(int seed) {
    return new float[][] {
      Inputs.uniform(seed, N * N), Inputs.uniform(seed + 1, N * N), new float[N * N]
    };
  }

  private static float gemms(float[][] m) {
    for (int r = 0; r < REPS; r++) {
      Blas.gemm(Transpose.N, Transpose.N, N, N, N, 1f, m[0], 0, N, m[1], 0, N, 0f, m[2], 0, N);
    }
    return m[2][0];
  }

  @Setup(Level.Trial)
  public void setup() {
    helper = new Thread(this::helperLoop, "core-scaling-helper");
    helper.setDaemon(true);
    helper.start();
  }

  private void helperLoop() {
    while (!stop) {
      if (phase != 1) {
        LockSupport.park(this);
        continue;
      }
      phase = 2;
      while (phase != 3 && !stop) {
        Thread.onSpinWait();
      }
      if (stop) {
        return;
      }
      gemms(theirs);
      phase = 4;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    stop = true;
    LockSupport.unpark(helper);
    helper.join();
  }

  @Benchmark
  public float paired(PairedTimes times) {
    boolean twoFirst = times.twoFirst();
    long two = twoFirst ? together() : 0;
    long t0 = System.nanoTime();
    float s = gemms(mine);
    long one = System.nanoTime() - t0;
    times.add(one, twoFirst ? two : together());
    return s;
  }

  /** Wakes the helper, then times both threads' gemms from the go to the later finish. */
  private long together() {
    phase = 1;
    LockSupport.unpark(helper);
    while (phase != 2) {
      Thread.onSpinWait();
    }
    long t0 = System.nanoTime();
    phase = 3;
    gemms(mine);
    while (phase != 4) {
      Thread.onSpinWait();
    }
    long t = System.nanoTime() - t0;
    phase = 0;
    return t;
  }
}
