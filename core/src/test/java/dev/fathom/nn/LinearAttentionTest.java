package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.ScalarLinearAttentionKernels;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * Causal linear attention: the O(T) op against the quadratic formula written out in double,
 * gradients against finite differences, and the recurrent state against the op.
 */
class LinearAttentionTest {

  /** out_i = Σ_{j≤i} (φ(q_i)·φ(k_j)) v_j / Σ_{j≤i} φ(q_i)·φ(k_j), in double: the quadratic form. */
  private static double[] quadratic(float[] q, float[] k, float[] v, int b, int h, int hkv, int t, int d, int dv) {
    double[] out = new double[b * h * t * dv];
    int group = h / hkv;
    for (int bh = 0; bh < b * h; bh++) {
      int kvh = (bh / h) * hkv + (bh % h) / group;
      for (int i = 0; i < t; i++) {
        double norm = 0;
        double[] num = new double[dv];
        for (int j = 0; j <= i; j++) {
          double a = 0;
          for (int e = 0; e < d; e++) a += ScalarLinearAttentionKernels.phi(q[(bh * t + i) * d + e]) * ScalarLinearAttentionKernels.phi(k[(kvh * t + j) * d + e]);
          norm += a;
          for (int c = 0; c < dv; c++) num[c] += a * v[(kvh * t + j) * dv + c];
        }
        for (int c = 0; c < dv; c++) out[(bh * t + i) * dv + c] = num[c] / norm;
      }
    }
    return out;
  }

  @Test
  void matchesTheQuadraticFormAtAwkwardSizes() {
    int[][] cases = {{1, 1, 1, 1, 1, 1}, {2, 4, 2, 7, 8, 5}, {1, 2, 1, 130, 16, 16}, {1, 3, 3, 65, 9, 31}};  // B H Hkv T D Dv
    long seed = 1;
    for (int[] c : cases) {
      Rng rng = new Rng(seed++);
      Tensor q = Tensor.randn(rng, c[0], c[1], c[3], c[4]), k = Tensor.randn(rng, c[0], c[2], c[3], c[4]);
      Tensor v = Tensor.randn(rng, c[0], c[2], c[3], c[5]);
      float[] got = LinearAttentionOps.causal(q, k, v).toFloatArray();
      double[] want = quadratic(q.data(), k.data(), v.data(), c[0], c[1], c[2], c[3], c[4], c[5]);
      for (int i = 0; i < got.length; i++) {
        assertThat((double) got[i]).as("case %s element %d", java.util.Arrays.toString(c), i).isCloseTo(want[i],
            org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(want[i]))));
      }
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = new Rng(7);
    Tensor q = Tensor.randn(rng, 1, 2, 6, 4).requiresGrad(true);
    Tensor k = Tensor.randn(rng, 1, 1, 6, 4).requiresGrad(true);
    Tensor v = Tensor.randn(rng, 1, 1, 6, 3).requiresGrad(true);
    GradCheck.check("linear attention", in -> LinearAttentionOps.causal(in.get(0), in.get(1), in.get(2)), q, k, v);
  }

  @Test
  void gradientsOfALongSequenceMatchTheQuadraticComposition() {
    // The same math as Tensor ops (materializing T × T): φ(q)φ(k)ᵀ masked, normalized, times v.
    Rng rng = new Rng(9);
    int t = 200;
    Tensor q = Tensor.randn(rng, 1, 2, t, 8).requiresGrad(true), k = Tensor.randn(rng, 1, 2, t, 8).requiresGrad(true);
    Tensor v = Tensor.randn(rng, 1, 2, t, 8).requiresGrad(true), g = Tensor.randn(rng, 1, 2, t, 8);
    float[] mask = new float[t * t];
    for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) mask[i * t + j] = j <= i ? 1f : 0f;
    Tensor m = Tensor.of(mask, t, t);
    Tensor qf = q.relu().add(q.sub(q.relu()).exp()), kf = k.relu().add(k.sub(k.relu()).exp());  // elu(x) + 1 = relu(x) + e^min(x, 0)
    Tensor a = qf.matmul(kf.transpose(2, 3)).mul(m);
    Tensor ref = a.matmul(v).div(a.sum(-1, true));
    Tensor fast = F.linearAttention(q, k, v);
    assertThat(AttentionOpsTest.maxAbsDiff(fast, ref)).isLessThanOrEqualTo(1e-4);
    Tensor[] gf = Autograd.grad(fast, g, q, k, v), gr = Autograd.grad(ref, g, q, k, v);
    for (int i = 0; i < 3; i++) {
      assertThat(AttentionOpsTest.maxAbsDiff(gf[i], gr[i])).as("grad %d", i).isLessThanOrEqualTo(1e-3 * Math.max(1, AttentionOpsTest.maxAbs(gr[i])));
    }
  }

  @Test
  void theRecurrentStateGivesTheOpsOutputsTokenByToken() {
    Rng rng = new Rng(3);
    int h = 4, hkv = 2, t = 50, d = 8, dv = 6;
    Tensor q = Tensor.randn(rng, 1, h, t, d), k = Tensor.randn(rng, 1, hkv, t, d), v = Tensor.randn(rng, 1, hkv, t, dv);
    float[] all = LinearAttentionOps.causal(q, k, v).toFloatArray();
    var state = new LinearAttentionState(h, hkv, d, dv);
    float[] qs = new float[h * d], ks = new float[hkv * d], vs = new float[hkv * dv], out = new float[h * dv];
    for (int i = 0; i < t; i++) {
      for (int hh = 0; hh < h; hh++) System.arraycopy(q.data(), (hh * t + i) * d, qs, hh * d, d);
      for (int g = 0; g < hkv; g++) {
        System.arraycopy(k.data(), (g * t + i) * d, ks, g * d, d);
        System.arraycopy(v.data(), (g * t + i) * dv, vs, g * dv, dv);
      }
      state.step(qs, ks, vs, out);
      for (int hh = 0; hh < h; hh++) {
        for (int c = 0; c < dv; c++) assertThat(out[hh * dv + c]).as("token %d head %d", i, hh).isEqualTo(all[(hh * t + i) * dv + c]);
      }
    }
    assertThat(state.length()).isEqualTo(t);
    assertThatThrownBy(() -> state.step(new float[3], ks, vs, out)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q 32");
  }

  /** Feeds t tokens of head-major rows (q: t × h·d, k: t × hkv·d, v: t × hkv·dv) with whole-token steps. */
  private static float[] feed(LinearAttentionState state, float[] q, float[] k, float[] v, int t, int h, int hkv, int d, int dv) {
    float[] out = new float[t * h * dv];
    for (int i = 0; i < t; i++) {
      float[] o = new float[h * dv];
      state.step(java.util.Arrays.copyOfRange(q, i * h * d, (i + 1) * h * d), java.util.Arrays.copyOfRange(k, i * hkv * d, (i + 1) * hkv * d),
          java.util.Arrays.copyOfRange(v, i * hkv * dv, (i + 1) * hkv * dv), o);
      System.arraycopy(o, 0, out, i * h * dv, h * dv);
    }
    return out;
  }

  @Test
  void perGroupStepsAtOffsetsFromTwoThreadsMatchWholeTokenSteps() throws Exception {
    int h = 6, hkv = 3, t = 30, d = 16, dv = 7;
    Rng rng = new Rng(21);
    float[] q = Tensor.randn(rng, t, h * d).toFloatArray(), k = Tensor.randn(rng, t, hkv * d).toFloatArray();
    float[] v = Tensor.randn(rng, t, hkv * dv).toFloatArray();
    float[] want = feed(new LinearAttentionState(h, hkv, d, dv), q, k, v, t, h, hkv, d, dv);
    var state = new LinearAttentionState(h, hkv, d, dv);
    float[] got = new float[t * h * dv];
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < t; i++) {
        int row = i;
        var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
        for (int g = 0; g < hkv; g++) {
          int gg = g;
          futures.add(pool.submit(() -> state.step(gg, q, row * h * d, k, row * hkv * d, v, row * hkv * dv, got, row * h * dv)));
        }
        for (var f : futures) f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(got).containsExactly(want);
    assertThat(state.length()).isEqualTo(t);
    assertThat(state.length(2)).isEqualTo(t);
    assertThatThrownBy(() -> state.step(3, q, 0, k, 0, v, 0, got, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("group 3 out of range [0, 3)");
    assertThatThrownBy(() -> state.step(0, q, q.length - 1, k, 0, v, 0, got, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("q 96");
  }

  @Test
  void aCopiedStateContinuesLikeTheOriginal() {
    int h = 2, hkv = 1, d = 8, dv = 8, t = 12;
    Rng rng = new Rng(22);
    float[] q = Tensor.randn(rng, t, h * d).toFloatArray(), k = Tensor.randn(rng, t, hkv * d).toFloatArray();
    float[] v = Tensor.randn(rng, t, hkv * dv).toFloatArray();
    var a = new LinearAttentionState(h, hkv, d, dv);
    feed(a, q, k, v, 5, h, hkv, d, dv);
    var snapshot = a.copy();
    float[] tail = java.util.Arrays.copyOfRange(q, 5 * h * d, t * h * d), kt = java.util.Arrays.copyOfRange(k, 5 * hkv * d, t * hkv * d);
    float[] vt = java.util.Arrays.copyOfRange(v, 5 * hkv * dv, t * hkv * dv);
    float[] first = feed(a, tail, kt, vt, t - 5, h, hkv, d, dv);
    assertThat(a.length()).isEqualTo(t);
    a.copyFrom(snapshot);  // restore, then replay: the same outputs
    assertThat(a.length()).isEqualTo(5);
    assertThat(feed(a, tail, kt, vt, t - 5, h, hkv, d, dv)).containsExactly(first);
    assertThatThrownBy(() -> a.copyFrom(new LinearAttentionState(2, 2, d, dv))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected H=2, Hkv=1");
  }

  @Test
  void badShapesAreReported() {
    Rng rng = new Rng(4);
    Tensor q = Tensor.randn(rng, 1, 3, 4, 8), k = Tensor.randn(rng, 1, 2, 4, 8);
    assertThatThrownBy(() -> LinearAttentionOps.causal(q, k, k)).isInstanceOf(ShapeException.class).hasMessageContaining("divisible");
  }
}
