/**
 * The training layer over flat buffers, usable piece by piece from a hand-written loop: fused
 * optimizers with PyTorch's formulas ({@link dev.bptt.kernel.training.Sgd}, {@link
 * dev.bptt.kernel.training.Adam} and AdamW, {@link dev.bptt.kernel.training.RmsProp}; L2, L1 and
 * decoupled decay with a per-view opt-out) and their caller-owned {@link
 * dev.bptt.kernel.training.OptimizerState}; learning-rate schedules ({@link
 * dev.bptt.kernel.training.LrSchedule}, the closed forms of {@code torch.optim.lr_scheduler});
 * losses that return their value and fill the upstream gradient ({@link
 * dev.bptt.kernel.training.MseLoss}, {@link dev.bptt.kernel.training.CrossEntropyLoss}, also as a
 * {@link dev.bptt.kernel.rnn.StepLoss}); and safetensors checkpoints under PyTorch's {@code
 * state_dict} names ({@link dev.bptt.kernel.training.Checkpoint}).
 *
 * <p>A step of a typical loop: forward and backward with a loss, clip ({@link
 * dev.bptt.kernel.clip.GradientClipper}), then {@code optimizer.step(params, grads, state,
 * schedule.lr(epoch))}. {@link dev.bptt.kernel.training.Trainer} is that loop, optional, with
 * gradient scaling, masking, an explosion monitor and per-step histories.
 */
package dev.bptt.kernel.training;
