package dev.bptt.kernel.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed team of threads that runs the tasks 0..n−1 of one phase of a pass: the calling thread and
 * {@code threads − 1} daemon workers claim task indices from one counter until none is left, and
 * {@link #run} returns when every task has finished.
 *
 * <p>Why not an {@code ExecutorService}: a pass has a few phases per layer (projection, recursion,
 * weight gradients), each a few hundred microseconds to milliseconds; submitting to a pool
 * allocates futures and queue nodes per phase, and the project's passes allocate nothing after the
 * first call. Here a phase is published by volatile writes, workers spin briefly and then park, and
 * the caller parks until the last worker unparks it: no allocation, no pool started behind the
 * user's back (the team is made and closed by its owner).
 *
 * <p>Determinism: a task's result must not depend on which thread runs it or in which order the
 * tasks run (the kernels give every task its own output rows or columns); the team only decides
 * which thread computes them.
 */
public final class Team implements AutoCloseable {
  /** One phase's work: task {@code index} of the phase's n tasks. */
  public interface Task {
    void run(int index);
  }

  /**
   * Spin iterations (each a {@link Thread#onSpinWait}) before a waiting thread parks: about half a
   * millisecond on Zen 5. A pass has about two phases per chunk of 8 steps at B = 32 (one forward,
   * one backward, each pipelined with the next chunk's work; ~5 when this was measured), and a
   * thread that finished its share more than the old 2¹² spins (~70 µs) early parked and woke late
   * for the next phase: two-thread B = 32 H = 256 passes took 0.90× (GRU) and 0.96× (LSTM) the time
   * with 2¹⁵ (A/B, two rounds).
   */
  private static final int SPINS = 1 << 15;

  private final Thread[] workers;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private Task task;
  private int count;
  private volatile Thread caller;
  private volatile int generation;
  private volatile boolean closed;
  private volatile Throwable failure;

  private Team(int threads) {
    this.workers = new Thread[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      Thread w = new Thread(this::workLoop, "bptt-batch-" + (i + 1));
      w.setDaemon(true);
      workers[i] = w;
    }
    for (Thread w : workers) {
      w.start();
    }
  }

  /** Most threads a team may have: far past the batch shards any pass can use. */
  public static final int MAX_THREADS = 256;

  /**
   * A team of {@code threads} threads: the caller and {@code threads − 1} new daemon workers.
   *
   * @throws IllegalArgumentException if threads is not in [1, {@value #MAX_THREADS}]
   */
  public static Team start(int threads) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads must be in [1, " + MAX_THREADS + "], got " + threads);
    }
    return new Team(threads);
  }

  /** Threads that run a phase, the caller included. */
  public int threads() {
    return workers.length + 1;
  }

  /**
   * Runs tasks 0..n−1 and returns when all have finished. One phase at a time: a second caller
   * waits for the first. A task's exception is rethrown here (wrapped unless unchecked) after every
   * thread has stopped working on the phase.
   *
   * @throws IllegalStateException if the team was closed
   */
  public void run(int n, Task t) {
    if (n <= 0) {
      return;
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the BatchThreads team was closed");
      }
      if (workers.length == 0 || n == 1) {
        for (int i = 0; i < n; i++) {
          t.run(i);
        }
        return;
      }
      task = t;
      count = n;
      next.set(0);
      failure = null;
      caller = Thread.currentThread();
      pending.set(workers.length);
      generation++; // volatile write: publishes task, count and the tasks' own fields
      for (Thread w : workers) {
        LockSupport.unpark(w);
      }
      work(t, n);
      int spins = 0;
      while (pending.get() != 0) {
        if (spins < SPINS) {
          Thread.onSpinWait();
          spins++;
        } else {
          LockSupport.park(this);
        }
      }
      task = null;
      Throwable f = failure;
      if (f != null) {
        failure = null;
        if (f instanceof RuntimeException e) {
          throw e;
        }
        if (f instanceof Error e) {
          throw e;
        }
        throw new IllegalStateException("a BatchThreads task failed", f);
      }
    } finally {
      lock.unlock();
    }
  }

  private void work(Task t, int n) {
    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
      try {
        t.run(i);
      } catch (Throwable e) {
        failure = e;
        next.set(n); // the others stop claiming
        return;
      }
    }
  }

  private void workLoop() {
    int seen = 0;
    while (true) {
      int spins = 0;
      int g;
      while ((g = generation) == seen && !closed) {
        if (spins < SPINS) {
          Thread.onSpinWait();
          spins++;
        } else {
          LockSupport.park(this);
        }
      }
      if (closed) {
        return;
      }
      seen = g;
      work(task, count);
      if (pending.decrementAndGet() == 0) {
        LockSupport.unpark(caller);
      }
    }
  }

  /** Stops the workers (after the phase in progress, if any); later {@link #run}s throw. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
  }

  /** True once {@link #close} was called. */
  public boolean isClosed() {
    return closed;
  }
}
