package dev.fathom.nn;

import static dev.fathom.testing.Golden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import dev.fathom.testing.Inputs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The depthwise causal convolution: forward and all three gradients against the definition
 * written out in double at awkward sizes, finite differences, causality, the identity init, the
 * decoder's one-step form, the module contract and bad shapes. PyTorch itself is in
 * {@link CausalDepthwiseConv1dGoldenTest}.
 */
class CausalDepthwiseConv1dTest {

  private static final int[] BATCH = {1, 2, 3};
  private static final int[] TIME = {1, 2, 7, 33};
  private static final int[] CHANNELS = {1, 7, 16, 17, 31, 1023};
  private static final int[] KERNEL = {1, 2, 3, 4, 7};

  /** Outputs and gradients of the definition in double: y, gx, gw, gb for the upstream gradient gy. */
  private record Reference(double[] y, double[] gx, double[] gw, double[] gb) {
    static Reference of(float[] x, float[] w, float[] bias, float[] gy, int bs, int ts, int c, int k) {
      double[] y = new double[x.length], gx = new double[x.length], gw = new double[c * k], gb = new double[c];
      for (int b = 0; b < bs; b++) {
        for (int t = 0; t < ts; t++) {
          for (int ch = 0; ch < c; ch++) {
            int at = (b * ts + t) * c + ch;
            double s = bias == null ? 0 : bias[ch];
            gb[ch] += gy[at];
            for (int j = 0; j < k; j++) {
              int src = t - (k - 1) + j;  // the input time this tap reads
              if (src < 0) continue;
              int from = (b * ts + src) * c + ch;
              s += (double) w[ch * k + j] * x[from];
              gx[from] += (double) w[ch * k + j] * gy[at];
              gw[ch * k + j] += (double) gy[at] * x[from];
            }
            y[at] = s;
          }
        }
      }
      return new Reference(y, gx, gw, gb);
    }
  }

  private static Tensor tensor(double[] v, int... shape) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return Tensor.of(f, shape);
  }

  @Test
  void forwardAndGradientsMatchTheDefinitionAtAwkwardSizes() {
    long seed = 1;
    for (int b : BATCH) {
      for (int t : TIME) {
        for (int c : CHANNELS) {
          for (int k : KERNEL) {
            boolean withBias = (b + t + c + k) % 2 == 1;
            referenceCase(seed++, b, t, c, k, withBias);
          }
        }
      }
    }
  }

  private static void referenceCase(long seed, int b, int t, int c, int k, boolean withBias) {
    String at = "B" + b + " T" + t + " C" + c + " K" + k + (withBias ? " bias" : "");
    Tensor x = Inputs.randn(seed, b, t, c), w = Inputs.randn(seed + 1000, c, 1, k);
    Tensor bias = withBias ? Inputs.randn(seed + 2000, c) : null;
    Tensor gy = Tensor.randn(new Rng(seed + 3000), b, t, c);
    Reference ref = Reference.of(x.data(), w.data(), withBias ? bias.data() : null, gy.data(), b, t, c, k);
    Tensor y = F.causalDepthwiseConv1d(x, w, bias);
    assertClose(at + " y", y, tensor(ref.y(), b, t, c), 1e-5);
    y.backward(gy);
    assertClose(at + " gx", x.grad(), tensor(ref.gx(), b, t, c), 1e-5);
    assertClose(at + " gw", w.grad(), tensor(ref.gw(), c, 1, k), 1e-5);
    if (withBias) assertClose(at + " gb", bias.grad(), tensor(ref.gb(), c), 1e-5);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    int[][] sizes = {{2, 5, 3, 3}, {1, 2, 17, 4}, {1, 7, 16, 1}, {3, 4, 5, 7}};
    for (int[] s : sizes) {
      Tensor x = Inputs.randn(s[0] + s[1], s[0], s[1], s[2]), w = Inputs.randn(s[3], s[2], 1, s[3]);
      Tensor bias = Inputs.randn(s[2], s[2]);
      GradCheck.check("causalDepthwiseConv1d " + java.util.Arrays.toString(s),
          in -> F.causalDepthwiseConv1d(in.get(0), in.get(1), in.get(2)), x, w, bias);
      GradCheck.check("causalDepthwiseConv1d no bias " + java.util.Arrays.toString(s),
          in -> F.causalDepthwiseConv1d(in.get(0), in.get(1), null), x, w);
    }
    GradCheck.checkModule("CausalDepthwiseConv1d", new CausalDepthwiseConv1d(6, 3, true, new Rng(4)), Inputs.randn(9, 2, 5, 6));
  }

  @Test
  void changingTheInputAtTimeTNeverChangesEarlierOutputs() {
    int b = 2, t = 9, c = 17, k = 4;
    CausalDepthwiseConv1d conv = new CausalDepthwiseConv1d(c, k, true, new Rng(3));
    float[] x = Tensor.randn(new Rng(8), b, t, c).data();
    float[] y0 = conv.call(Tensor.of(x.clone(), b, t, c)).toFloatArray();
    for (int t0 = 0; t0 < t; t0++) {
      float[] xp = x.clone();
      for (int bb = 0; bb < b; bb++) {
        for (int ch = 0; ch < c; ch++) xp[(bb * t + t0) * c + ch] += 1f + ch;
      }
      float[] y = conv.call(Tensor.of(xp, b, t, c)).toFloatArray();
      for (int bb = 0; bb < b; bb++) {
        for (int tt = 0; tt < t; tt++) {
          for (int ch = 0; ch < c; ch++) {
            int at = (bb * t + tt) * c + ch;
            if (tt < t0) {
              assertThat(y[at]).as("y[%d,%d,%d] after changing x at t=%d", bb, tt, ch, t0).isEqualTo(y0[at]);
            } else if (tt == t0) {
              assertThat(y[at]).as("y[%d,%d,%d] sees x at its own time", bb, tt, ch).isNotEqualTo(y0[at]);
            }
          }
        }
      }
    }
  }

  @Test
  void identityInitGivesYEqualToX() {
    Tensor x = Tensor.randn(new Rng(2), 3, 7, 31);
    for (int k : KERNEL) {
      assertArrayEquals(x.data(), CausalDepthwiseConv1d.identity(31, k, true).call(x).toFloatArray(), "identity K" + k);
      assertArrayEquals(x.data(), CausalDepthwiseConv1d.identity(31, k, false).call(x).toFloatArray(), "identity K" + k + " no bias");
      CausalDepthwiseConv1d random = new CausalDepthwiseConv1d(31, k, true, new Rng(k));
      assertThat(random.call(x).toFloatArray()).as("random init is not the identity").isNotEqualTo(x.data());
      assertArrayEquals(x.data(), random.resetToIdentity().call(x).toFloatArray(), "resetToIdentity K" + k);
    }
    float[] w = CausalDepthwiseConv1d.identity(2, 3, true).weight.data();
    assertArrayEquals(new float[] {0, 0, 1, 0, 0, 1}, w, "identity weight (C, 1, K): last tap 1");
  }

  @Test
  void stepReproducesTheSequenceAtEveryTime() {
    int b = 2, t = 10, c = 23, k = 4;
    for (boolean withBias : new boolean[] {true, false}) {
      CausalDepthwiseConv1d conv = new CausalDepthwiseConv1d(c, k, withBias, new Rng(6));
      float[] x = Tensor.randn(new Rng(7), b, t, c).data();
      float[] y = conv.call(Tensor.of(x, b, t, c)).toFloatArray();
      for (int bb = 0; bb < b; bb++) {
        float[] ring = new float[k * c], out = new float[c];
        for (int time = 0; time < t; time++) {
          System.arraycopy(x, (bb * t + time) * c, ring, (time % k) * c, c);
          conv.step(ring, 0, time, 0, 8, out, 0);
          CausalDepthwiseConv1d.step(conv.weight.data(), withBias ? conv.bias.data() : null, c, k, ring, 0, time, 8, c, out, 0);
          float[] expected = java.util.Arrays.copyOfRange(y, (bb * t + time) * c, (bb * t + time + 1) * c);
          assertArrayEquals(expected, out, "b" + bb + " t" + time + (withBias ? " bias" : ""));
        }
      }
    }
  }

  @Test
  void moduleHasPyTorchsParametersAndDefaultInit() {
    int c = 64, k = 3;
    CausalDepthwiseConv1d conv = new CausalDepthwiseConv1d(c, k, true, new Rng(1));
    assertThat(conv.namedParameters().keySet()).containsExactly("weight", "bias");
    assertThat(conv.weight.shape()).containsExactly(c, 1, k);
    assertThat(conv.bias.shape()).containsExactly(c);
    assertThat(conv.numParameters()).isEqualTo((long) c * k + c);
    assertThat(new CausalDepthwiseConv1d(c, k, false, new Rng(1)).namedParameters().keySet()).containsExactly("weight");
    double bound = 1 / Math.sqrt(k);  // kaiming_uniform(a=√5) with fan_in = K, and the bias's U(±1/√fan_in)
    for (Tensor p : List.of(conv.weight, conv.bias)) {
      double max = 0;
      for (float v : p.data()) max = Math.max(max, Math.abs(v));
      assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.8 * bound);
    }
    CausalDepthwiseConv1d copy = new CausalDepthwiseConv1d(c, k, true, new Rng(2));
    copy.loadStateDict(conv.stateDict(), true);
    Tensor x = Tensor.randn(new Rng(3), 2, 5, c);
    assertArrayEquals(conv.call(x).toFloatArray(), copy.call(x).toFloatArray(), "state-dict round trip");
  }

  @Test
  void badShapesNameExpectedAndGot() {
    Tensor w = Tensor.zeros(4, 1, 3);
    assertThatThrownBy(() -> F.causalDepthwiseConv1d(Tensor.zeros(5, 4), w, null)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("expected x [B, T, C], got [5, 4]");
    assertThatThrownBy(() -> F.causalDepthwiseConv1d(Tensor.zeros(2, 5, 4), Tensor.zeros(5, 1, 3), null))
        .isInstanceOf(ShapeException.class).hasMessageContaining("expected weight [4, 1, K]").hasMessageContaining("got [5, 1, 3]");
    assertThatThrownBy(() -> F.causalDepthwiseConv1d(Tensor.zeros(2, 5, 4), Tensor.zeros(4, 2, 3), null))
        .isInstanceOf(ShapeException.class).hasMessageContaining("got [4, 2, 3]");
    assertThatThrownBy(() -> F.causalDepthwiseConv1d(Tensor.zeros(2, 5, 4), Tensor.zeros(4, 1, 0), null))
        .isInstanceOf(ShapeException.class).hasMessageContaining("expected kernel size K >= 1, got weight [4, 1, 0]");
    assertThatThrownBy(() -> F.causalDepthwiseConv1d(Tensor.zeros(2, 5, 4), w, Tensor.zeros(3)))
        .isInstanceOf(ShapeException.class).hasMessageContaining("expected bias [4], got [3]");
    assertThatThrownBy(() -> new CausalDepthwiseConv1d(4, 3, true, new Rng(1)).call(Tensor.zeros(2, 5, 5)))
        .isInstanceOf(ShapeException.class).hasMessageContaining("expected input [B, T, 4], got [2, 5, 5]");
    assertThatThrownBy(() -> new CausalDepthwiseConv1d(4, 0, true, new Rng(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected channels >= 1 and kernelSize >= 1, got channels 4, kernelSize 0");
    assertThatThrownBy(() -> CausalDepthwiseConv1d.identity(0, 3, false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got channels 0");
  }
}
