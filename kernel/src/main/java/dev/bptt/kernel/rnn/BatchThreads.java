package dev.bptt.kernel.rnn;

import dev.bptt.kernel.internal.Team;
import dev.bptt.kernel.internal.Teams;

/**
 * Threads that a workspace's passes split their work across: the batch's sequences for the
 * recursion over the steps, the rows of the input-projection and input-gradient GEMMs, the rows of
 * the weight-gradient GEMMs. Made and closed by the caller ({@code try (var threads =
 * BatchThreads.start(2)) {…}}); the library starts no thread of its own. A workspace made without
 * one runs on the calling thread.
 *
 * <p><b>Bits independent of the thread count.</b> Every value a pass writes is computed by the same
 * sequence of floating-point operations whatever the number of threads: a sequence's recursion runs
 * on one thread, each GEMM row or weight-gradient element is one sequence of operations in a fixed
 * order (the GEMM driver's guarantee; the threads split the gate units, not the sums), and the
 * split only decides which thread computes which rows. So results are bitwise those of one thread,
 * for every cell and strategy.
 *
 * <p>What runs on the team: the forward recursion and the full, checkpointed and streaming backward
 * recursions (per batch shard), every input-projection and input-gradient GEMM and the deferred
 * weight gradients; with one sequence (B = 1), each step's W_hh·h and W_hhᵀ·δ split by rows and by
 * columns once W_hh has at least 2¹⁵ entries (each thread then streams its part of W_hh from its
 * own core's cache; measured here: LSTM H = 256 forward 1.5× and backward 1.2× faster on two
 * threads, Elman H = 1024 2.4× and 1.45×). What stays on the caller: the readout's products, the
 * losses, the truncation chains of {@code truncated(τ)} and a backward pass that records
 * gradient-norm traces (their per-step norms sum over the whole batch). A per-step hand-off needs
 * the workers on a core of their own: on a machine busy with other work it can cost more than it
 * saves.
 *
 * <p>One team may serve several workspaces; their passes then take turns (one phase at a time).
 * After a thread's first pass the team allocates nothing.
 */
public final class BatchThreads implements AutoCloseable {
  static {
    Teams.setAccess(t -> t.team);
  }

  private final Team team;

  private BatchThreads(Team team) {
    this.team = team;
  }

  /**
   * A team of {@code threads} threads: the calling thread and {@code threads − 1} daemon workers,
   * which spin briefly and then park between phases.
   *
   * @param threads 1 to 256 (1 runs everything on the caller)
   * @throws IllegalArgumentException if threads is not in [1, 256]
   */
  public static BatchThreads start(int threads) {
    return new BatchThreads(Team.start(threads));
  }

  /** Threads that run a pass, the caller included. */
  public int threads() {
    return team.threads();
  }

  /** Stops the workers; passes of workspaces made with this team then throw. Idempotent. */
  @Override
  public void close() {
    team.close();
  }

  @Override
  public String toString() {
    return "BatchThreads[" + threads() + (team.isClosed() ? ", closed]" : "]");
  }
}
