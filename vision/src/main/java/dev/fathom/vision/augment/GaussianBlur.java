package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * Blurs with a Gaussian kernel whose σ is drawn from U(sigmaMin, sigmaMax) per image
 * (torchvision's {@code GaussianBlur}). The kernel k_i ∝ exp(−i²/2σ²), i = −r..r with
 * r = (kernelSize − 1)/2, is normalized to sum 1 and applied separably (rows, then columns), with
 * reflect padding as torchvision; so a constant image stays constant.
 *
 * @param kernelSize odd, >= 1
 * @param sigmaMin smallest σ, > 0
 * @param sigmaMax largest σ, >= sigmaMin
 */
public record GaussianBlur(int kernelSize, double sigmaMin, double sigmaMax) implements Augmentation {
  public GaussianBlur {
    if (kernelSize < 1 || kernelSize % 2 == 0) throw new IllegalArgumentException("GaussianBlur: expected an odd kernelSize >= 1, got " + kernelSize);
    Augmentation.checkRange("GaussianBlur sigma", sigmaMin, sigmaMax, Double.MIN_VALUE, Double.MAX_VALUE);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    return blur(image, Augmentation.uniform(rng, sigmaMin, sigmaMax));
  }

  /** The normalized 1-D kernel for σ. */
  public double[] kernel(double sigma) {
    int r = kernelSize / 2;
    double[] k = new double[kernelSize];
    double sum = 0;
    for (int i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(double) i * i / (2 * sigma * sigma));
    for (int i = 0; i < kernelSize; i++) k[i] /= sum;
    return k;
  }

  /** The blur with a given σ. */
  public Image blur(Image image, double sigma) {
    double[] k = kernel(sigma);
    int r = kernelSize / 2, c = image.channels(), h = image.height(), w = image.width();
    float[] src = image.data(), tmp = new float[src.length], out = new float[src.length];
    for (int ch = 0; ch < c; ch++) {
      int base = ch * h * w;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double acc = 0;
          for (int t = -r; t <= r; t++) acc += k[t + r] * src[base + y * w + reflect(x + t, w)];
          tmp[base + y * w + x] = (float) acc;
        }
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double acc = 0;
          for (int t = -r; t <= r; t++) acc += k[t + r] * tmp[base + reflect(y + t, h) * w + x];
          out[base + y * w + x] = (float) acc;
        }
      }
    }
    return new Image(out, c, h, w);
  }

  /** Reflect padding without repeating the edge (−1 → 1, n → n − 2), folded until inside. */
  static int reflect(int i, int n) {
    if (n == 1) return 0;
    int period = 2 * (n - 1);
    i = Math.floorMod(i, period);
    return i < n ? i : period - i;
  }
}
