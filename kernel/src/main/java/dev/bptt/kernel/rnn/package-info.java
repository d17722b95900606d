/**
 * Recurrent cells and what one pass over a batch of sequences needs: the Elman cell ({@link
 * dev.bptt.kernel.rnn.ElmanRnn}) with its flat parameter layout ({@link
 * dev.bptt.kernel.rnn.RnnLayout}), the named sequence shape ({@link
 * dev.bptt.kernel.rnn.SequenceShape}), the caller-owned per-call holder ({@link
 * dev.bptt.kernel.rnn.SequenceBatch}: inputs, initial state, {@link dev.bptt.kernel.rnn.LossSteps
 * loss steps} with compact upstream gradients or a {@link dev.bptt.kernel.rnn.StepLoss}, ∂L/∂h_0
 * and traces), the forward/backward workspace ({@link dev.bptt.kernel.rnn.RnnWorkspace}) and the
 * O(B·H) streaming inference state ({@link dev.bptt.kernel.rnn.RnnStreamState}).
 */
package dev.bptt.kernel.rnn;
