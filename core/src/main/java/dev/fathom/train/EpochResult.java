package dev.fathom.train;

/**
 * Summary of one epoch. Validation figures are NaN when there is no validation loader.
 *
 * @param epoch 1-based epoch number
 */
public record EpochResult(int epoch, long step, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
    double seconds, double examplesPerSecond, double lr) {}
