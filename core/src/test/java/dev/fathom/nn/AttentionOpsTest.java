package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** The fused tiled attention against the composition of Tensor ops, F.scaledDotProductAttentionComposed. */
class AttentionOpsTest {

  static double maxAbsDiff(Tensor a, Tensor b) {
    assertThat(a.shape()).containsExactly(b.shape());
    float[] x = a.toFloatArray(), y = b.toFloatArray();
    double m = 0;
    for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs((double) x[i] - y[i]));
    return m;
  }

  static double maxAbs(Tensor a) {
    double m = 0;
    for (float x : a.toFloatArray()) m = Math.max(m, Math.abs(x));
    return m;
  }

  private static void compare(int b, int h, int hkv, int t, int s, int d, int dv, boolean causal, long seed) {
    Rng rng = new Rng(seed);
    Tensor q = Tensor.randn(rng, b, h, t, d).requiresGrad(true);
    Tensor k = Tensor.randn(rng, b, hkv, s, d).requiresGrad(true);
    Tensor v = Tensor.randn(rng, b, hkv, s, dv).requiresGrad(true);
    Tensor g = Tensor.randn(rng, b, h, t, dv);
    String what = String.format("B=%d H=%d Hkv=%d T=%d S=%d D=%d Dv=%d causal=%b", b, h, hkv, t, s, d, dv, causal);

    Tensor fast = AttentionOps.attention(q, k, v, causal);
    Tensor ref = F.scaledDotProductAttentionComposed(q, k, v, causal, null);
    assertThat(maxAbsDiff(fast, ref)).as("forward " + what).isLessThanOrEqualTo(1e-5);

    Tensor[] gf = Autograd.grad(fast, g, q, k, v);
    Tensor[] gr = Autograd.grad(ref, g, q, k, v);
    String[] names = {"gq", "gk", "gv"};
    for (int i = 0; i < 3; i++) {
      double tol = 1e-4 * Math.max(1, maxAbs(gr[i]));
      assertThat(maxAbsDiff(gf[i], gr[i])).as(names[i] + " " + what).isLessThanOrEqualTo(tol);
    }
  }

  @Test
  void matchesNaiveAttentionCausal() {
    compare(1, 2, 2, 256, 256, 32, 32, true, 1);
    compare(2, 4, 2, 65, 65, 16, 16, true, 2);
    compare(1, 4, 1, 33, 97, 31, 8, true, 3);  // kv cache: queries aligned to the end
    compare(1, 1, 1, 1, 1, 8, 8, true, 4);
  }

  @Test
  void matchesNaiveAttentionNotCausal() {
    compare(1, 2, 2, 128, 200, 64, 64, false, 5);
    compare(2, 4, 1, 7, 65, 16, 31, false, 6);
    compare(1, 4, 2, 70, 3, 8, 8, false, 7);
  }

  @Test
  void gradCheck() {
    Rng rng = new Rng(11);
    Tensor q = Tensor.randn(rng, 1, 2, 5, 4).requiresGrad(true);
    Tensor k = Tensor.randn(rng, 1, 1, 6, 4).requiresGrad(true);
    Tensor v = Tensor.randn(rng, 1, 1, 6, 3).requiresGrad(true);
    GradCheck.check("attention causal", in -> AttentionOps.attention(in.get(0), in.get(1), in.get(2), true), q, k, v);
    GradCheck.check("attention", in -> AttentionOps.attention(in.get(0), in.get(1), in.get(2), false), q, k, v);
  }

  @Test
  void onlyRequestedGradientsAreComputed() {
    Rng rng = new Rng(12);
    Tensor q = Tensor.randn(rng, 1, 2, 5, 4);
    Tensor k = Tensor.randn(rng, 1, 2, 5, 4).requiresGrad(true);
    Tensor v = Tensor.randn(rng, 1, 2, 5, 4);
    Tensor out = AttentionOps.attention(q, k, v, true);
    out.sum().backward();
    assertThat(k.grad()).isNotNull();
    assertThat(q.grad()).isNull();
    assertThat(v.grad()).isNull();
    assertThat(AttentionOps.attention(q.detach(), k.detach(), v, true).requiresGrad()).isFalse();
  }

  @Test
  void shapeMismatchesAreReported() {
    Tensor q = Tensor.zeros(1, 4, 5, 8), k = Tensor.zeros(1, 3, 5, 8), v = Tensor.zeros(1, 3, 5, 8);
    assertThatThrownBy(() -> AttentionOps.attention(q, k, v, true)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("q [1, 4, 5, 8]").hasMessageContaining("k [1, 3, 5, 8]").hasMessageContaining("H divisible by Hkv");
    assertThatThrownBy(() -> AttentionOps.attention(q, Tensor.zeros(1, 4, 5, 7), Tensor.zeros(1, 4, 5, 8), false))
        .isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> AttentionOps.attention(Tensor.zeros(4, 5, 8), k, v, false))
        .isInstanceOf(ShapeException.class).hasMessageContaining("4-d");
  }
}
