package dev.fathom.nn;

/** Batch normalization of (N, C) or (N, C, L) inputs. */
public class BatchNorm1d extends BatchNorm {
  public BatchNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1);
  }

  public BatchNorm1d(int numFeatures, double eps, double momentum) {
    super(numFeatures, eps, momentum, true, 2, 3);
  }
}
