package dev.bptt.kernel.bptt;

/**
 * Called by {@link BpttRunner} after each window of a {@link BpttStrategy#streaming(int, int,
 * BpttWindowListener) streaming TBPTT(k1, k2)} run, once the window's gradient has been added to
 * grads. Online training applies its update here and zeroes grads; the runner reads params again
 * for the next window (the states already computed keep the parameters they were computed with, as
 * in any TBPTT).
 */
@FunctionalInterface
public interface BpttWindowListener {

  /** A listener that does nothing. */
  BpttWindowListener NONE = (window, firstStep, lastStep) -> {};

  /**
   * @param window window index, 0-based
   * @param firstStep first step the window backpropagated through, max(1, lastStep − k2 + 1)
   * @param lastStep last step of the window, min((window + 1)·k1, T); its losses are those of steps
   *     window·k1 + 1 .. lastStep (the steps since the previous window: k1 of them, fewer in the
   *     last window when k1 does not divide T)
   */
  void windowDone(int window, int firstStep, int lastStep);
}
