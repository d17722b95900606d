package dev.bptt.bench.remedies;

/**
 * The per-cell budget and model size, the same for every remedy.
 *
 * @param hidden H
 * @param batch B of the training batches
 * @param steps the step budget per run
 * @param wallSeconds a wall-clock cap per run (recorded when it stops a run)
 * @param baseLr γ₀ of the SGD baseline
 * @param evalEvery steps between success checks
 * @param screenCount fresh sequences of the cheap screen (a full check follows a passed screen)
 * @param checkCount fresh sequences of the success check (10,000 as published)
 * @param curveBuckets points kept of each loss and gradient-norm history for the plots
 */
public record Settings(
    int hidden,
    int batch,
    int steps,
    double wallSeconds,
    double baseLr,
    int evalEvery,
    int screenCount,
    int checkCount,
    int curveBuckets) {}
