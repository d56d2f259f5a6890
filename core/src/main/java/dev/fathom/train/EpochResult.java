package dev.fathom.train;

/**
 * Summary of one epoch. Validation figures are NaN when there is no validation loader.
 *
 * @param epoch 1-based epoch number
 * @param seconds wall-clock seconds of the training part of the epoch
 * @param gcSeconds of those, the time the JVM's collectors reported (pauses and collector work)
 */
public record EpochResult(int epoch, long step, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
    double seconds, double examplesPerSecond, double lr, double gcSeconds) {}
