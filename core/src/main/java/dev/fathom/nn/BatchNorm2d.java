package dev.fathom.nn;

/** Batch normalization of (N, C, H, W) inputs. */
public class BatchNorm2d extends BatchNorm {
  public BatchNorm2d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1);
  }

  public BatchNorm2d(int numFeatures, double eps, double momentum) {
    super(numFeatures, eps, momentum, true, 4);
  }
}
