package dev.fathom.vision.probe;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.Encoder;

/** Frozen features of an encoder, computed in eval mode without a graph. */
public final class Features {
  private Features() {}

  /**
   * @param images N·C·H·W values
   * @return N·D features, row-major (D = encoder.featureDim())
   */
  public static float[] extract(Encoder encoder, float[] images, int c, int h, int w, int batch) {
    int px = c * h * w;
    if (px <= 0 || images.length % px != 0) {
      throw new IllegalArgumentException("features: expected N images of " + c + "x" + h + "x" + w + ", got " + images.length + " values");
    }
    int n = images.length / px, d = encoder.featureDim();
    float[] out = new float[n * d];
    boolean training = encoder.isTraining();
    encoder.eval();
    try (var g = Grad.disabled()) {
      for (int s = 0; s < n; s += batch) {
        int m = Math.min(batch, n - s);
        float[] x = new float[m * px];
        System.arraycopy(images, s * px, x, 0, m * px);
        float[] f = encoder.call(Tensor.of(x, m, c, h, w)).data();  // (m, D)
        System.arraycopy(f, 0, out, s * d, m * d);
      }
    } finally {
      if (training) encoder.train();
    }
    return out;
  }

  /** The rows {@code idx} of an N×D matrix. */
  public static float[] rows(float[] x, int d, int[] idx) {
    float[] out = new float[idx.length * d];
    for (int i = 0; i < idx.length; i++) System.arraycopy(x, idx[i] * d, out, i * d, d);
    return out;
  }

  /** Fraction of predictions equal to the labels. */
  public static double accuracy(int[] predicted, int[] labels) {
    if (predicted.length != labels.length) throw new IllegalArgumentException("accuracy: " + predicted.length + " predictions for " + labels.length + " labels");
    int ok = 0;
    for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) ok++;
    return labels.length == 0 ? Double.NaN : (double) ok / labels.length;
  }
}
