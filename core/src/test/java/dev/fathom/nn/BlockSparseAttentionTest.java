package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.BlockSparseLayout;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * F.blockSparseAttention against the composed attention with the layout written out as an
 * additive mask, forward and gradients; a layout that sees every block against causal attention,
 * bit for bit; a prefix against the full sequence.
 */
class BlockSparseAttentionTest {

  /** Additive (T, S) mask: query i at position p = i + S − T sees key j iff j ≤ p and p's block sees j's block. */
  static Tensor layoutMask(BlockSparseLayout layout, int t, int s) {
    float[] m = new float[t * s];
    int bs = layout.blockSize();
    for (int i = 0; i < t; i++) {
      int p = i + s - t;
      for (int j = 0; j < s; j++) m[i * s + j] = j <= p && layout.sees(p / bs, j / bs) ? 0f : Float.NEGATIVE_INFINITY;
    }
    return Tensor.of(m, t, s);
  }

  private static void compare(BlockSparseLayout layout, int h, int hkv, int t, int s, long seed) {
    Rng rng = new Rng(seed);
    Tensor q = Tensor.randn(rng, 1, h, t, 16).requiresGrad(true);
    Tensor k = Tensor.randn(rng, 1, hkv, s, 16).requiresGrad(true);
    Tensor v = Tensor.randn(rng, 1, hkv, s, 12).requiresGrad(true);
    Tensor g = Tensor.randn(rng, 1, h, t, 12);
    String what = String.format("T=%d S=%d H=%d Hkv=%d %s", t, s, h, hkv, layout);
    Tensor fast = F.blockSparseAttention(q, k, v, layout);
    Tensor ref = F.scaledDotProductAttentionComposed(q, k, v, false, layoutMask(layout, t, s));
    assertThat(AttentionOpsTest.maxAbsDiff(fast, ref)).as("forward " + what).isLessThanOrEqualTo(1e-5);
    Tensor[] gf = Autograd.grad(fast, g, q, k, v), gr = Autograd.grad(ref, g, q, k, v);
    for (int i = 0; i < 3; i++) {
      assertThat(AttentionOpsTest.maxAbsDiff(gf[i], gr[i])).as("grad %d %s", i, what)
          .isLessThanOrEqualTo(1e-4 * Math.max(1, AttentionOpsTest.maxAbs(gr[i])));
    }
  }

  @Test
  void matchesTheMaskedCompositionForwardAndBackward() {
    BlockSparseLayout[] layouts = {
        new BlockSparseLayout(64, 1, 0, 0, 0), new BlockSparseLayout(64, 2, 1, 1, 1), new BlockSparseLayout(64, 3, 2, 2, 2),
        new BlockSparseLayout(64, 1, 1, 2, 3), new BlockSparseLayout(128, 1, 1, 0, 4), new BlockSparseLayout(128, 2, 0, 2, 5)};
    int[][] shapes = {{1, 1}, {63, 63}, {65, 65}, {200, 200}, {333, 333}, {100, 260}};  // (T, S); S − T = 160 is no multiple of 64
    long seed = 10;
    for (int[] ts : shapes) {
      for (BlockSparseLayout layout : layouts) compare(layout, 4, 2, ts[0], ts[1], seed++);
    }
    compare(new BlockSparseLayout(64, 2, 1, 2, 6), 2, 1, 700, 700, seed);  // 11 blocks: many random candidates
  }

  @Test
  void aLayoutThatSeesEveryBlockIsCausalAttentionBitForBit() {
    int[][] shapes = {{200, 200}, {333, 333}, {100, 228}};  // S − T a multiple of 64
    BlockSparseLayout[] layouts = {new BlockSparseLayout(64, 100, 0, 0, 0), new BlockSparseLayout(128, 2, 1, 3, 8)};
    long seed = 30;
    for (int[] ts : shapes) {
      for (BlockSparseLayout layout : layouts) {
        Rng rng = new Rng(seed++);
        Tensor q = Tensor.randn(rng, 2, 4, ts[0], 32).requiresGrad(true);
        Tensor k = Tensor.randn(rng, 2, 2, ts[1], 32).requiresGrad(true);
        Tensor v = Tensor.randn(rng, 2, 2, ts[1], 16).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 2, 4, ts[0], 16);
        for (int qb = 0; qb * layout.blockSize() < ts[1]; qb++) {
          assertThat(layout.keyBlocks(qb)).as("the layout covers block %d", qb).hasSize(qb + 1);
        }
        Tensor sparse = F.blockSparseAttention(q, k, v, layout), full = F.scaledDotProductAttention(q, k, v, true, null);
        String what = String.format("T=%d S=%d %s", ts[0], ts[1], layout);
        assertThat(sparse.toFloatArray()).as(what).containsExactly(full.toFloatArray());
        Tensor[] gs = Autograd.grad(sparse, g, q, k, v), gf = Autograd.grad(full, g, q, k, v);
        for (int i = 0; i < 3; i++) assertThat(gs[i].toFloatArray()).as("grad %d %s", i, what).containsExactly(gf[i].toFloatArray());
      }
    }
  }

  @Test
  void aPrefixGivesTheSameOutputsAsTheFullSequence() {
    // The pattern of a query block does not depend on the sequence length: a decoder that sees a prefix agrees with training.
    BlockSparseLayout layout = new BlockSparseLayout(64, 2, 1, 2, 77);
    Rng rng = new Rng(40);
    int t = 600, prefix = 390;
    Tensor q = Tensor.randn(rng, 1, 2, t, 16), k = Tensor.randn(rng, 1, 2, t, 16), v = Tensor.randn(rng, 1, 2, t, 16);
    float[] full = F.blockSparseAttention(q, k, v, layout).narrow(2, 0, prefix).toFloatArray();
    float[] part = F.blockSparseAttention(q.narrow(2, 0, prefix), k.narrow(2, 0, prefix),
        v.narrow(2, 0, prefix), layout).toFloatArray();
    assertThat(part).containsExactly(full);
  }

  @Test
  void badArgumentsAreRejected() {
    Rng rng = new Rng(4);
    Tensor q = Tensor.randn(rng, 1, 3, 4, 8), k = Tensor.randn(rng, 1, 2, 4, 8);
    BlockSparseLayout layout = new BlockSparseLayout(64, 1, 0, 0, 0);
    assertThatThrownBy(() -> F.blockSparseAttention(q, k, k, layout)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("H divisible by Hkv");
    assertThatThrownBy(() -> F.blockSparseAttention(k, k, k, null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("layout");
  }
}
