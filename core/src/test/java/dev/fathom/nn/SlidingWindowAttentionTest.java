package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.FlashAttention;
import dev.fathom.kernel.ScalarFlashAttention;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The tiled sliding-window attention (F.slidingWindowAttention) against the masked composition,
 * forward and gradients, at sizes around the 64-wide tiles and windows from 1 to past T; and
 * the vector kernel against its scalar twin.
 */
class SlidingWindowAttentionTest {

  /** Additive (T, S) mask: query i (aligned to the end of the keys) sees keys j with i + S − T − w &lt; j ≤ i + S − T. */
  private static Tensor windowMask(int t, int s, int w) {
    float[] m = new float[t * s];
    for (int i = 0; i < t; i++) {
      int last = i + s - t;
      for (int j = 0; j < s; j++) m[i * s + j] = j <= last && j > last - w ? 0f : Float.NEGATIVE_INFINITY;
    }
    return Tensor.of(m, t, s);
  }

  @Test
  void matchesTheMaskedCompositionForwardAndBackward() {
    int[][] shapes = {{1, 1}, {7, 7}, {65, 65}, {130, 130}, {33, 100}, {200, 200}};  // (T, S)
    int[] windows = {1, 5, 63, 64, 65, 100, 300};
    long seed = 1;
    for (int[] ts : shapes) {
      for (int w : windows) {
        int t = ts[0], s = ts[1];
        Rng rng = new Rng(seed++);
        Tensor q = Tensor.randn(rng, 1, 4, t, 16).requiresGrad(true);
        Tensor k = Tensor.randn(rng, 1, 2, s, 16).requiresGrad(true);
        Tensor v = Tensor.randn(rng, 1, 2, s, 12).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 1, 4, t, 12);
        String what = String.format("T=%d S=%d window=%d", t, s, w);
        Tensor fast = F.slidingWindowAttention(q, k, v, w);
        Tensor ref = F.scaledDotProductAttentionComposed(q, k, v, false, windowMask(t, s, w));
        assertThat(AttentionOpsTest.maxAbsDiff(fast, ref)).as("forward " + what).isLessThanOrEqualTo(1e-5);
        Tensor[] gf = Autograd.grad(fast, g, q, k, v), gr = Autograd.grad(ref, g, q, k, v);
        for (int i = 0; i < 3; i++) {
          assertThat(AttentionOpsTest.maxAbsDiff(gf[i], gr[i])).as("grad %d %s", i, what).isLessThanOrEqualTo(1e-4 * Math.max(1, AttentionOpsTest.maxAbs(gr[i])));
        }
      }
    }
  }

  @Test
  void aWindowAsLongAsTheSequenceIsPlainCausalAttention() {
    Rng rng = new Rng(3);
    Tensor q = Tensor.randn(rng, 2, 2, 90, 8), k = Tensor.randn(rng, 2, 2, 90, 8), v = Tensor.randn(rng, 2, 2, 90, 8);
    assertThat(F.slidingWindowAttention(q, k, v, 90).toFloatArray())
        .containsExactly(F.scaledDotProductAttention(q, k, v, true, null).toFloatArray());
  }

  @Test
  void vectorKernelMatchesItsScalarTwin() {
    java.util.Random r = new java.util.Random(5);
    int b = 1, h = 2, hkv = 1, t = 150, s = 150, d = 24, dv = 24;
    for (int w : new int[] {1, 9, 64, 77}) {
      float[] q = new float[b * h * t * d], k = new float[b * hkv * s * d], v = new float[b * hkv * s * dv], g = new float[b * h * t * dv];
      for (float[] a : new float[][] {q, k, v, g}) for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
      float scale = 0.2f;
      float[][] vec = new float[5][], sca = new float[5][];
      for (int pass = 0; pass < 2; pass++) {
        float[] out = new float[b * h * t * dv], lse = new float[b * h * t], gq = new float[q.length], gk = new float[k.length],
            gv = new float[v.length];
        if (pass == 0) {
          FlashAttention.forward(q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, w);
          FlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, w);
          vec = new float[][] {out, lse, gq, gk, gv};
        } else {
          ScalarFlashAttention.forward(q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, w);
          ScalarFlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, w);
          sca = new float[][] {out, lse, gq, gk, gv};
        }
      }
      for (int i = 0; i < 5; i++) {
        double m = 0, scaleOf = 1;
        for (int j = 0; j < vec[i].length; j++) {
          m = Math.max(m, Math.abs(vec[i][j] - sca[i][j]));
          scaleOf = Math.max(scaleOf, Math.abs(sca[i][j]));
        }
        assertThat(m).as("array %d window %d", i, w).isLessThanOrEqualTo(1e-5 * scaleOf);
      }
    }
  }

  @Test
  void badWindowsAreRejected() {
    Rng rng = new Rng(4);
    Tensor q = Tensor.randn(rng, 1, 1, 4, 8);
    assertThatThrownBy(() -> F.slidingWindowAttention(q, q, q, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
    assertThatThrownBy(() -> AttentionOps.attention(q, q, q, false, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("causal");
  }
}
