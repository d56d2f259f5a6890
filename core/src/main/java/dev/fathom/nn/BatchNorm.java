package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/**
 * Batch normalization over channel dim 1 with running statistics (buffers {@code running_mean},
 * {@code running_var}, {@code num_batches_tracked} as in PyTorch state dicts). Subclassed by
 * {@link BatchNorm1d} and {@link BatchNorm2d}, which check the input rank.
 */
public abstract class BatchNorm extends Module {
  public final int numFeatures;
  public final double eps, momentum;
  public final Tensor weight, bias, runningMean, runningVar, numBatchesTracked;
  private final int[] ranks;

  protected BatchNorm(int numFeatures, double eps, double momentum, boolean affine, int... ranks) {
    if (numFeatures <= 0 || eps <= 0 || momentum < 0 || momentum > 1) {
      throw new IllegalArgumentException("BatchNorm: need numFeatures > 0, eps > 0, momentum in [0, 1], got "
          + numFeatures + ", " + eps + ", " + momentum);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.ranks = ranks;
    this.weight = affine ? param("weight", Tensor.ones(numFeatures)) : null;
    this.bias = affine ? param("bias", Tensor.zeros(numFeatures)) : null;
    this.runningMean = buffer("running_mean", Tensor.zeros(numFeatures));
    this.runningVar = buffer("running_var", Tensor.ones(numFeatures));
    this.numBatchesTracked = buffer("num_batches_tracked", Tensor.ofLongs(new long[1]));
  }

  @Override
  public Tensor forward(Tensor x) {
    if (java.util.Arrays.stream(ranks).noneMatch(r -> r == x.dim()) || x.size(1) != numFeatures) {
      throw new dev.fathom.tensor.ShapeException(getClass().getSimpleName() + "(" + numFeatures + "): expected input of rank "
          + java.util.Arrays.toString(ranks) + " with " + numFeatures + " channels in dim 1, got " + dev.fathom.tensor.Shape.str(x.shape()));
    }
    if (isTraining()) numBatchesTracked.longData()[0]++;
    return F.batchNorm(x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
  }

  @Override
  protected String extraRepr() {
    return numFeatures + ", eps=" + eps + ", momentum=" + momentum;
  }
}
