package dev.fathom.data;

import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Examples held in memory: features as one row-major float array (N × prod(exampleShape)) and
 * integer class targets (N), as {@code torch.utils.data.TensorDataset}.
 */
public final class TensorDataset implements Dataset {
  private final float[] features;
  private final int[] exampleShape;
  private final int width;
  private final long[] targets;

  /**
   * @param features N·prod(exampleShape) values, example-major
   * @param exampleShape shape of one example, e.g. {1, 28, 28}
   * @param targets N class indices
   */
  public TensorDataset(float[] features, int[] exampleShape, long[] targets) {
    this.exampleShape = exampleShape.clone();
    this.width = Shape.numel(exampleShape);
    if (width == 0 || features.length % width != 0 || features.length / width != targets.length) {
      throw new ShapeException("TensorDataset: " + features.length + " feature values with example shape " + Shape.str(exampleShape)
          + " do not make " + targets.length + " examples");
    }
    this.features = features;
    this.targets = targets;
  }

  /** Convenience for int labels. */
  public static TensorDataset of(float[] features, int[] exampleShape, int[] labels) {
    long[] t = new long[labels.length];
    for (int i = 0; i < t.length; i++) t[i] = labels[i];
    return new TensorDataset(features, exampleShape, t);
  }

  @Override
  public int size() {
    return targets.length;
  }

  public int[] exampleShape() {
    return exampleShape.clone();
  }

  /** The target of example i. */
  public long target(int i) {
    return targets[i];
  }

  /** A view of the examples at {@code indices} as a new dataset (copied). */
  public TensorDataset subset(int[] indices) {
    float[] f = new float[indices.length * width];
    long[] t = new long[indices.length];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(features, indices[i] * width, f, i * width, width);
      t[i] = targets[indices[i]];
    }
    return new TensorDataset(f, exampleShape, t);
  }

  @Override
  public Batch batch(int[] indices) {
    int n = indices.length;
    float[] x = new float[n * width];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      int j = indices[i];
      if (j < 0 || j >= targets.length) throw new IndexOutOfBoundsException("TensorDataset: index " + j + " outside [0, " + targets.length + ")");
      System.arraycopy(features, j * width, x, i * width, width);
      y[i] = targets[j];
    }
    int[] shape = new int[exampleShape.length + 1];
    shape[0] = n;
    System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
    return new Batch(Tensor.of(x, shape), Tensor.ofLongs(y, n));
  }
}
