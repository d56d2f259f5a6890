package dev.fathom.nn;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * Weight initializers as in {@code torch.nn.init}; each fills a tensor in place from an explicit
 * {@link Rng}. Fans: a 2-D weight (out, in) has fanIn = in, fanOut = out; a conv weight
 * (O, C, kH, kW) has fanIn = C·kH·kW, fanOut = O·kH·kW.
 */
public final class Init {
  private Init() {}

  public static int fanIn(Tensor w) {
    int[] s = w.shape();
    if (s.length < 2) throw new IllegalArgumentException("fan in/out needs at least 2 dims, got " + s.length);
    int rf = 1;
    for (int i = 2; i < s.length; i++) rf *= s[i];
    return s[1] * rf;
  }

  public static int fanOut(Tensor w) {
    int[] s = w.shape();
    if (s.length < 2) throw new IllegalArgumentException("fan in/out needs at least 2 dims, got " + s.length);
    int rf = 1;
    for (int i = 2; i < s.length; i++) rf *= s[i];
    return s[0] * rf;
  }

  /** Gain of leaky_relu with negative slope a: sqrt(2 / (1 + a²)) (a = 0: ReLU). */
  public static double leakyReluGain(double a) {
    return Math.sqrt(2.0 / (1 + a * a));
  }

  /** U(low, high). */
  public static Tensor uniform(Tensor t, double low, double high, Rng rng) {
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = (float) (low + (high - low) * rng.nextDouble());
    return t;
  }

  /** N(mean, std²). */
  public static Tensor normal(Tensor t, double mean, double std, Rng rng) {
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * rng.nextGaussian());
    return t;
  }

  public static Tensor constant(Tensor t, float value) {
    java.util.Arrays.fill(t.data(), value);
    return t;
  }

  public static Tensor zeros(Tensor t) {
    return constant(t, 0f);
  }

  /** Kaiming (He) uniform, mode fan_in: bound = gain·sqrt(3 / fanIn), gain = leakyReluGain(a). */
  public static Tensor kaimingUniform(Tensor t, double a, Rng rng) {
    double bound = leakyReluGain(a) * Math.sqrt(3.0 / fanIn(t));
    return uniform(t, -bound, bound, rng);
  }

  /** Kaiming (He) normal, mode fan_in: std = gain / sqrt(fanIn). */
  public static Tensor kaimingNormal(Tensor t, double a, Rng rng) {
    return normal(t, 0, leakyReluGain(a) / Math.sqrt(fanIn(t)), rng);
  }

  /** Xavier (Glorot) uniform: bound = gain·sqrt(6 / (fanIn + fanOut)). */
  public static Tensor xavierUniform(Tensor t, double gain, Rng rng) {
    double bound = gain * Math.sqrt(6.0 / (fanIn(t) + fanOut(t)));
    return uniform(t, -bound, bound, rng);
  }

  /** Xavier (Glorot) normal: std = gain·sqrt(2 / (fanIn + fanOut)). */
  public static Tensor xavierNormal(Tensor t, double gain, Rng rng) {
    return normal(t, 0, gain * Math.sqrt(2.0 / (fanIn(t) + fanOut(t))), rng);
  }

  /**
   * PyTorch's default for Linear and Conv: kaiming_uniform(a = √5) on the weight, i.e. U(±1/√fanIn),
   * and U(±1/√fanIn) on the bias.
   */
  static void pytorchDefault(Tensor weight, Tensor bias, Rng rng) {
    kaimingUniform(weight, Math.sqrt(5), rng);
    if (bias != null) {
      double bound = 1 / Math.sqrt(fanIn(weight));
      uniform(bias, -bound, bound, rng);
    }
  }
}
