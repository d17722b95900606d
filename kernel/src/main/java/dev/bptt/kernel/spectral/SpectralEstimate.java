package dev.bptt.kernel.spectral;

/**
 * What a power iteration of {@link Spectral} found, with its convergence report.
 *
 * <p>Meaning of the fields per method:
 *
 * <table>
 *   <caption>fields of the result of each estimator</caption>
 *   <tr><th>method</th><th>value</th><th>eigenRe + i·eigenIm</th><th>residual</th><th>growthRate</th></tr>
 *   <tr><td>{@link Spectral#symmetricDominant}</td><td>|θ|, θ = vᵀAv</td><td>θ (signed), 0</td>
 *       <td>‖Av − θv‖</td><td>‖A^J x₀‖^{1/J} → |λ₁|</td></tr>
 *   <tr><td>{@link Spectral#sigmaMax}</td><td>σ̂ = ‖Wv‖</td><td>σ̂² (eigenvalue of WᵀW), 0</td>
 *       <td>‖WᵀWv − σ̂²v‖ / σ̂</td><td>‖(WᵀW)^J x₀‖^{1/(2J)} → σ_max</td></tr>
 *   <tr><td>{@link Spectral#spectralRadius}</td><td>|θ|, θ the Ritz value of largest modulus</td><td>θ (complex)</td>
 *       <td>‖Wu − θu‖ for the unit Ritz vector u</td><td>‖W^J x₀‖^{1/J} → ρ(W)</td></tr>
 * </table>
 *
 * <p>For the symmetric and singular-value methods the residual bounds the error in exact
 * arithmetic: some eigenvalue (singular value) lies within {@code residual} of the estimate. For a
 * general W the same holds after multiplying the residual by the condition number κ(V) of its
 * eigenvector matrix (Bauer–Fike; κ = 1 for normal W).
 *
 * @param value the estimate: |λ₁|, σ_max or ρ
 * @param eigenRe real part of the eigenvalue estimate the iteration settled on (see table)
 * @param eigenIm imaginary part (non-zero only for a complex Ritz value of spectralRadius)
 * @param iterations power steps taken (J above), 1 ≤ iterations ≤ maxIter
 * @param residual the residual of the returned vector (see table); NaN if the iteration broke down
 * @param converged whether {@code residual ≤ tol·value} was reached
 * @param growthRate the renormalized log-sum estimate exp((1/J)·Σⱼ log‖A xⱼ‖) over the J unit
 *     iterates xⱼ; it needs no spectral gap but converges only like O(1/J), and is exact at every
 *     step when every singular value is equal (W = ρ·Q)
 */
public record SpectralEstimate(
    double value,
    double eigenRe,
    double eigenIm,
    int iterations,
    double residual,
    boolean converged,
    double growthRate) {}
