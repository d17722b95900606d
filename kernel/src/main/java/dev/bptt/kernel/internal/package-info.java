/**
 * Not exported: the implementation behind the public packages. The {@link
 * dev.bptt.kernel.internal.VectorizationProvider} with its scalar ({@code Default…}) and Vector API
 * ({@code Panama…}) twins, the GEMM driver, the float math, the unchecked {@link
 * dev.bptt.kernel.internal.Kernels} and {@link dev.bptt.kernel.internal.Checks}, the cell contract
 * {@link dev.bptt.kernel.internal.Recurrence} with the Elman cell's segment kernels, and the
 * cell-independent BPTT engines. Nothing here checks its arguments: the public entry points do.
 */
package dev.bptt.kernel.internal;
