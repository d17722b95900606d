/**
 * Spectral tools that explain exploding and vanishing gradients: power-iteration estimators of the
 * dominant eigenvalue, σ_max and the spectral radius ({@link dev.bptt.kernel.spectral.Spectral},
 * and {@link dev.bptt.kernel.spectral.SpectralEstimator} which holds their scratch and stopping
 * rule), their result ({@link dev.bptt.kernel.spectral.SpectralEstimate}) and spectrum-controlled
 * initializers ({@link dev.bptt.kernel.spectral.SpectralInit}).
 */
package dev.bptt.kernel.spectral;
