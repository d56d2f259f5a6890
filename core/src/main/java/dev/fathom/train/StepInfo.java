package dev.fathom.train;

/**
 * What one training batch did.
 *
 * @param epoch 0-based epoch
 * @param batch 0-based batch within the epoch
 * @param batches batches per epoch
 * @param step optimizer steps taken so far (over the whole run)
 * @param loss this batch's loss
 * @param lr learning rate used
 * @param examplesPerSecond throughput over the epoch so far
 */
public record StepInfo(int epoch, int batch, int batches, long step, double loss, double lr, double examplesPerSecond) {}
