package dev.fathom.xai;

import dev.fathom.tensor.Tensor;
import java.util.Arrays;

/**
 * The reference input x' of path methods (integrated gradients) and of occlusion: what "feature
 * absent" means. Black (0) suits images on a black background such as Fashion-MNIST; the
 * training mean suits standardized tabular data (0 after standardization).
 */
public final class Baseline {
  private final float constant;
  private final Tensor tensor;

  private Baseline(float constant, Tensor tensor) {
    this.constant = constant;
    this.tensor = tensor;
  }

  /** Every feature set to {@code value}. */
  public static Baseline constant(float value) {
    return new Baseline(value, null);
  }

  /** All zeros. */
  public static Baseline zeros() {
    return constant(0f);
  }

  /** One reference example, shaped like one input (inputShape...), used for every example. */
  public static Baseline of(Tensor example) {
    return new Baseline(0f, example);
  }

  /** The baseline as a flat array of the model's {@code features} values. */
  public float[] row(GradientModel m) {
    float[] b = new float[m.features()];
    if (tensor == null) {
      Arrays.fill(b, constant);
      return b;
    }
    if (!Arrays.equals(tensor.shape(), m.inputShape()) && tensor.numel() != m.features()) {
      throw new IllegalArgumentException("baseline: expected one example shaped " + Arrays.toString(m.inputShape()) + ", got "
          + Arrays.toString(tensor.shape()));
    }
    System.arraycopy(tensor.data(), 0, b, 0, b.length);
    return b;
  }

  /** The baseline repeated for a batch of n examples. */
  public Tensor batch(GradientModel m, int n) {
    float[] r = row(m);
    float[] all = new float[n * r.length];
    for (int i = 0; i < n; i++) System.arraycopy(r, 0, all, i * r.length, r.length);
    return Tensor.of(all, m.batchShape(n));
  }

  @Override
  public String toString() {
    return tensor == null ? "constant(" + constant + ")" : "example" + Arrays.toString(tensor.shape());
  }
}
