/**
 * Gradient clipping over views of flat buffers: {@link dev.bptt.kernel.clip.GradientClipper}
 * (global-norm with PyTorch or strict rules, per-view, value and adaptive clipping, loss scale),
 * its caller-owned {@link dev.bptt.kernel.clip.ClipResult}, the {@link
 * dev.bptt.kernel.clip.NonFinitePolicy} applied before any write, the tensor views ({@link
 * dev.bptt.kernel.clip.TensorView}, {@link dev.bptt.kernel.clip.TensorGroup}) and the {@link
 * dev.bptt.kernel.clip.ExplosionMonitor}.
 */
package dev.bptt.kernel.clip;
