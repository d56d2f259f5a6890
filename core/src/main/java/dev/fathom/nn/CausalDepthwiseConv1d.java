package dev.fathom.nn;

import dev.fathom.kernel.CausalConv1dKernels;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Depthwise causal convolution over time of a (B, T, C) sequence, one K-tap filter per channel
 * (Primer's multi-dconv-head attention, So et al. 2021, applies it to q, k and v):
 * {@code y[b,t,c] = bias[c] + Σ_{j<K} weight[c,0,j]·x[b, t−(K−1)+j, c]}, x at negative t = 0.
 *
 * <p>Parameters as {@code torch.nn.Conv1d(C, C, K, groups=C, padding=K−1)}: {@code weight}
 * (C, 1, K) and {@code bias} (C), same names and shapes, so state dicts carry over; the output is
 * that module's on {@code x.transpose(1, 2)}, cut to the first T steps. Default init is
 * PyTorch's (U(±1/√K) for weight and bias, fan_in = K); {@link #identity} starts as y = x (last
 * tap 1, the others and the bias 0), so a model with the convolution starts as one without.
 * {@link #step} is the decoder's form: one new time step from a ring of the last K inputs.
 */
public class CausalDepthwiseConv1d extends Module {
  public final int channels, kernelSize;
  public final Tensor weight, bias;

  /**
   * @param channels C, at least 1
   * @param kernelSize K, at least 1
   * @param bias whether to learn a per-channel bias
   * @param rng draws PyTorch's default init
   * @throws IllegalArgumentException when channels or kernelSize is below 1
   */
  public CausalDepthwiseConv1d(int channels, int kernelSize, boolean bias, Rng rng) {
    this(channels, kernelSize, bias);
    Init.pytorchDefault(weight, this.bias, Objects.requireNonNull(rng, "rng"));
  }

  private CausalDepthwiseConv1d(int channels, int kernelSize, boolean bias) {
    if (channels < 1 || kernelSize < 1) {
      throw new IllegalArgumentException("CausalDepthwiseConv1d: expected channels >= 1 and kernelSize >= 1, got channels "
          + channels + ", kernelSize " + kernelSize);
    }
    this.channels = channels;
    this.kernelSize = kernelSize;
    this.weight = param("weight", Tensor.zeros(channels, 1, kernelSize));
    this.bias = bias ? param("bias", Tensor.zeros(channels)) : null;
  }

  /**
   * A convolution initialized to the identity (y = x): weight[c,0,K−1] = 1, the other taps and
   * the bias 0.
   *
   * @throws IllegalArgumentException when channels or kernelSize is below 1
   */
  public static CausalDepthwiseConv1d identity(int channels, int kernelSize, boolean bias) {
    return new CausalDepthwiseConv1d(channels, kernelSize, bias).resetToIdentity();
  }

  /** Sets the parameters in place to the identity (see {@link #identity}) and returns this. */
  public CausalDepthwiseConv1d resetToIdentity() {
    float[] w = weight.data();
    Arrays.fill(w, 0f);
    for (int c = 0; c < channels; c++) w[c * kernelSize + kernelSize - 1] = 1f;
    if (bias != null) Arrays.fill(bias.data(), 0f);
    return this;
  }

  /** @param x (B, T, C) @return (B, T, C) */
  @Override
  public Tensor forward(Tensor x) {
    if (x.dim() != 3 || x.size(2) != channels) {
      throw new ShapeException("CausalDepthwiseConv1d(" + channels + "): expected input [B, T, " + channels + "], got "
          + Shape.str(x.shape()));
    }
    return F.causalDepthwiseConv1d(x, weight, bias);
  }

  /**
   * One time step of a decoder with this module's current parameters; see
   * {@link #step(float[], float[], int, int, float[], int, int, int, int, float[], int)}.
   */
  public void step(float[] ring, int ringOff, int time, int c0, int c1, float[] out, int outOff) {
    step(weight.data(), bias == null ? null : bias.data(), channels, kernelSize, ring, ringOff, time, c0, c1, out, outOff);
  }

  /**
   * One time step without autograd, for a decoder: {@code out[outOff + c] = y[time, c]} for c in
   * [c0, c1), bitwise equal to the whole-sequence forward at that step.
   *
   * <p>Ring layout: a (K, C) block at {@code ringOff}; {@code ring[ringOff + (τ mod K)·C + c]}
   * holds x at time τ for the last K steps τ = time − K + 1 .. time. Per step the caller writes
   * the new input x_time into slot {@code time mod K} (K·C floats per sequence and convolution,
   * nothing shifted), then calls this. Slots of negative times are never read.
   *
   * <pre>{@code
   * float[] ring = new float[K * C];
   * for (int t = 0; t < T; t++) {
   *   System.arraycopy(xt, 0, ring, (t % K) * C, C);
   *   CausalDepthwiseConv1d.step(w, b, C, K, ring, 0, t, 0, C, yt, 0);
   * }
   * }</pre>
   *
   * @param weight (C, 1, K) flat
   * @param biasOrNull (C) or null
   * @param time the step, at least 0
   * @param c0 first channel computed
   * @param c1 end (exclusive) of the channels computed
   * @param out written at {@code outOff + c}; must not be ring
   * @throws IllegalArgumentException on bad sizes, channel range, offsets or short arrays
   */
  public static void step(float[] weight, float[] biasOrNull, int channels, int kernelSize, float[] ring, int ringOff,
      int time, int c0, int c1, float[] out, int outOff) {
    CausalConv1dKernels.step(weight, biasOrNull, channels, kernelSize, ring, ringOff, time, c0, c1, out, outOff);
  }

  @Override
  protected String extraRepr() {
    return channels + ", kernelSize=" + kernelSize + ", bias=" + (bias != null);
  }
}
