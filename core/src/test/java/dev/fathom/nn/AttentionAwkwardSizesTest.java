package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The tiled attention ({@link AttentionOps}) against the composition of Tensor ops
 * ({@link F#scaledDotProductAttentionComposed}) at sizes around the kernel's tile (64 rows and
 * keys) and register-block (4 rows, one 16-float vector) edges: forward output and all three
 * gradients within 1e-5, causal, with one and two query heads per kv head.
 */
class AttentionAwkwardSizesTest {

  private static double maxAbsDiff(Tensor a, Tensor b) {
    assertThat(a.shape()).containsExactly(b.shape());
    float[] x = a.toFloatArray(), y = b.toFloatArray();
    double m = 0;
    for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs((double) x[i] - y[i]));
    return m;
  }

  @Test
  void tiledMatchesComposedAtAwkwardSizes() {
    long seed = 1;
    for (int t : new int[] {1, 7, 8, 9, 31, 1023}) {
      for (int d : new int[] {8, 64}) {
        for (int group : new int[] {1, 2}) {
          int h = 2, hkv = h / group, b = t > 100 ? 1 : 2;
          Rng rng = new Rng(seed++);
          Tensor q = Tensor.randn(rng, b, h, t, d).requiresGrad(true);
          Tensor k = Tensor.randn(rng, b, hkv, t, d).requiresGrad(true);
          Tensor v = Tensor.randn(rng, b, hkv, t, d).requiresGrad(true);
          Tensor g = Tensor.randn(rng, b, h, t, d);
          String what = String.format("B=%d H=%d Hkv=%d T=%d D=%d", b, h, hkv, t, d);
          Tensor fast = AttentionOps.attention(q, k, v, true);
          Tensor ref = F.scaledDotProductAttentionComposed(q, k, v, true, null);
          assertThat(maxAbsDiff(fast, ref)).as("out " + what).isLessThanOrEqualTo(1e-5);
          Tensor[] gf = Autograd.grad(fast, g, q, k, v), gr = Autograd.grad(ref, g, q, k, v);
          String[] names = {"gq", "gk", "gv"};
          for (int i = 0; i < 3; i++) {
            assertThat(maxAbsDiff(gf[i], gr[i])).as(names[i] + " " + what).isLessThanOrEqualTo(1e-5);
          }
        }
      }
    }
  }
}
