/**
 * Backpropagation through time under a strategy chosen per call: {@link
 * dev.bptt.kernel.bptt.BpttRunner} runs full, truncated, streaming TBPTT(k1, k2), randomized
 * (ARTBP, with its {@link dev.bptt.kernel.bptt.TruncationSchedule}) and checkpointed BPTT ({@link
 * dev.bptt.kernel.bptt.BpttStrategy}) for any {@link dev.bptt.kernel.rnn.RecurrentNetwork}, in a
 * {@link dev.bptt.kernel.bptt.BpttWorkspace} sized for the strategy.
 */
package dev.bptt.kernel.bptt;
