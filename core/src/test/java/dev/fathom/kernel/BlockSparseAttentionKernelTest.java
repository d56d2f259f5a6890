package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.Serial;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The block-sparse walk of {@link FlashAttention}: vector kernel against its scalar twin bit for
 * bit, serial against parallel, and blocks a query does not see have no influence on it.
 */
class BlockSparseAttentionKernelTest {

  private record Case(int b, int h, int hkv, int t, int s, int d, int dv, BlockSparseLayout layout) {}

  /** Standard normal values from the test's seeded stream. */
  private static float[] randn(Rng rng, int n) {
    return Tensor.randn(rng, n).data();
  }

  /** out, lse, gq, gk, gv of one forward + backward; the gradients start as NaN (overwritten, never read). */
  private static float[][] run(boolean vector, Case c, long seed) {
    Rng rng = new Rng(seed);
    int nq = c.b * c.h * c.t, nk = c.b * c.hkv * c.s;
    float[] q = randn(rng, nq * c.d), k = randn(rng, nk * c.d), v = randn(rng, nk * c.dv), g = randn(rng, nq * c.dv);
    float scale = (float) (1 / Math.sqrt(c.d));
    float[] out = new float[nq * c.dv], lse = new float[nq];
    float[][] grads = {new float[q.length], new float[k.length], new float[v.length]};
    for (float[] x : grads) Arrays.fill(x, Float.NaN);
    float[] gq = grads[0], gk = grads[1], gv = grads[2];
    if (vector) {
      FlashAttention.forward(q, k, v, out, lse, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale, c.layout);
      FlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale, c.layout);
    } else {
      ScalarFlashAttention.forward(q, k, v, out, lse, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale, c.layout);
      ScalarFlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale, c.layout);
    }
    return new float[][] {out, lse, gq, gk, gv};
  }

  private static Case[] cases() {
    BlockSparseLayout a = new BlockSparseLayout(64, 2, 1, 1, 3), b = new BlockSparseLayout(128, 1, 2, 2, 4);
    BlockSparseLayout c = new BlockSparseLayout(64, 1, 0, 3, 5);
    return new Case[] {
        new Case(1, 2, 1, 1, 1, 8, 8, a), new Case(2, 4, 2, 333, 333, 16, 24, a), new Case(1, 4, 1, 500, 500, 31, 9, b),
        new Case(1, 2, 2, 450, 450, 64, 64, c), new Case(1, 2, 1, 77, 300, 32, 16, c),  // S − T = 223
        new Case(1, 2, 1, 100, 70, 8, 8, a)};  // S < T: rows that see no key
  }

  @Test
  void vectorKernelEqualsScalarTwinBitwise() {
    long seed = 1;
    String[] names = {"out", "lse", "gq", "gk", "gv"};
    for (Case c : cases()) {
      float[][] vec = run(true, c, seed), sca = run(false, c, seed);
      for (int i = 0; i < names.length; i++) assertThat(vec[i]).as("%s %s", names[i], c).containsExactly(sca[i]);
      for (float[] arr : vec) for (float x : arr) assertThat(Float.isNaN(x)).as("NaN in %s", c).isFalse();
      seed++;
    }
  }

  @Test
  void serialRunEqualsParallelRunBitwise() throws Exception {
    Case c = new Case(2, 4, 2, 400, 400, 32, 32, new BlockSparseLayout(64, 2, 1, 2, 9));
    float[][] parallel = run(true, c, 11), serial = Serial.call(() -> run(true, c, 11));
    for (int i = 0; i < 5; i++) assertThat(serial[i]).as("array %d", i).containsExactly(parallel[i]);
  }

  @Test
  void rowsThatSeeNoKeyGetZerosAndMinusInfinity() {
    Case c = new Case(1, 2, 1, 100, 70, 8, 8, new BlockSparseLayout(64, 2, 1, 1, 3));  // rows 0..29 sit before the first key
    float[][] a = run(true, c, 3);
    for (int bh = 0; bh < 2; bh++) {
      for (int i = 0; i < 30; i++) {
        assertThat(a[1][bh * 100 + i]).isEqualTo(Float.NEGATIVE_INFINITY);
        for (int e = 0; e < 8; e++) assertThat(a[2][(bh * 100 + i) * 8 + e]).isEqualTo(0f);
      }
      assertThat(a[1][bh * 100 + 30]).isFinite();
    }
  }

  @Test
  void blocksAQueryDoesNotSeeHaveNoInfluence() {
    // Huge keys and values in block 2 must not reach the queries of block 5, which with local 2, global 1
    // and no random blocks sees blocks 0, 4 and 5 only; block 3's queries see block 2 and change.
    BlockSparseLayout layout = new BlockSparseLayout(64, 2, 1, 0, 0);
    int t = 384, d = 8;
    Rng rng = new Rng(4);
    float[] q = randn(rng, t * d), k = randn(rng, t * d), v = randn(rng, t * d);
    float[] out1 = new float[t * d], lse1 = new float[t], out2 = new float[t * d], lse2 = new float[t];
    FlashAttention.forward(q, k, v, out1, lse1, 1, 1, 1, t, t, d, d, 0.35f, layout);
    for (int j = 128; j < 192; j++) {
      for (int e = 0; e < d; e++) {
        k[j * d + e] = 1e4f;
        v[j * d + e] = 1e30f;
      }
    }
    FlashAttention.forward(q, k, v, out2, lse2, 1, 1, 1, t, t, d, d, 0.35f, layout);
    for (int i = 320 * d; i < t * d; i++) assertThat(out2[i]).as("block 5, element %d", i).isEqualTo(out1[i]);
    assertThat(Arrays.equals(Arrays.copyOfRange(out1, 192 * d, 256 * d), Arrays.copyOfRange(out2, 192 * d, 256 * d)))
        .as("block 3 sees block 2").isFalse();
  }
}
