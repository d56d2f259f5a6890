package dev.fathom.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.ModuleList;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenReductionTest {
  /** Tokens whose features name them: token t of image n is (n·100 + t) in every channel. */
  static Tensor named(int n, int t, int d) {
    float[] x = new float[n * t * d];
    for (int i = 0; i < n * t * d; i++) x[i] = (i / d / t) * 100 + (i / d) % t;
    return Tensor.of(x, n, t, d);
  }

  /** Queries and keys (N, H=1, T, Dh=1) giving the class token's logits = key values. */
  @Test
  void pruningKeepsTheClassTokenAndExactlyTheTopK() {
    int t = 9;
    float[] keys = {5, 0.1f, 3, -1, 2, 0.5f, 4, -2, 1,    // image 0: top 4 of tokens 1..8 = 6 (4), 2 (3), 4 (2), 8 (1)
                    0, 9, 8, 7, 6, -5, -6, -7, -8};       // image 1: 1, 2, 3, 4
    Tensor k = Tensor.of(keys, 2, 1, t, 1), q = Tensor.ones(2, 1, t, 1);
    TokenSchedule s = new TokenSchedule(TokenReduction.prune(0.5, 0), 2);
    Tensor out = s.afterAttention(0, named(2, t, 3), q, k);
    assertThat(out.shape()).containsExactly(2, 5, 3);
    float[] o = out.toFloatArray();
    assertThat(new float[] {o[0], o[3], o[6], o[9], o[12]}).containsExactly(0, 2, 4, 6, 8);
    assertThat(new float[] {o[15], o[18], o[21], o[24], o[27]}).containsExactly(100, 101, 102, 103, 104);
    assertThat(s.afterAttention(1, out, Tensor.ones(2, 1, 5, 1), Tensor.ones(2, 1, 5, 1)).size(1)).as("prunes once").isEqualTo(5);
  }

  @Test
  void clsAttentionIsTheHeadMeanOfASoftmax() {
    Tensor q = Tensor.randn(new Rng(1), 1, 2, 4, 3), k = Tensor.randn(new Rng(2), 1, 2, 4, 3);
    float[] a = TokenSchedule.clsAttention(q, k);
    Tensor expected = q.narrow(2, 0, 1).matmul(k.transpose(2, 3)).mul((float) (1 / Math.sqrt(3))).softmax(3).mean(1, false);  // (1, 1, 4)
    assertThat(a).containsExactly(expected.toFloatArray(), within(1e-6f));
  }

  @Test
  void mergingRemovesRTokensAndKeepsTheSizeWeightedSum() {
    int n = 2, t = 11, d = 4, r = 3;
    Tensor x = Tensor.randn(new Rng(3), n, t, d);
    TokenSchedule s = new TokenSchedule(TokenReduction.merge(r, true), n);
    Tensor k = Tensor.randn(new Rng(4), n, 2, t, 3);
    Tensor once = s.afterAttention(0, x, k, k);
    assertThat(once.shape()).containsExactly(n, t - r, d);
    Tensor twice = s.afterAttention(1, once, Tensor.randn(new Rng(5), n, 2, t - r, 3), Tensor.randn(new Rng(6), n, 2, t - r, 3));
    assertThat(twice.shape()).containsExactly(n, t - 2 * r, d);
    // Σ size·x is what merging preserves; sizes come back as the proportional-attention bias log(size)
    float[] bias = s.attentionBias(t - 2 * r).toFloatArray();
    double total = 0;
    for (float b : bias) total += Math.exp(b);
    assertThat(total).isCloseTo(n * t, within(1e-4));
    for (int b = 0; b < n; b++) {
      for (int c = 0; c < d; c++) {
        double before = 0, after = 0;
        for (int i = 0; i < t; i++) before += x.get(b, i, c);
        for (int i = 0; i < t - 2 * r; i++) after += Math.exp(bias[b * (t - 2 * r) + i]) * twice.get(b, i, c);
        assertThat(after).isCloseTo(before, within(1e-4));
      }
      for (int c = 0; c < d; c++) assertThat(twice.get(b, 0, c)).as("the class token is never merged").isEqualTo(x.get(b, 0, c));
    }
  }

  /** ToMe merges the A token with the most similar B partner into it, as their average. */
  @Test
  void mergingPicksTheMostSimilarPair() {
    float[] keys = {1, 0, /* 1 */ 0, 1, /* 2 */ 1, 1, /* 3 */ -1, 0, /* 4 */ 1, 1.01f};
    Tensor k = Tensor.of(keys, 1, 1, 5, 2);
    Tensor x = named(1, 5, 2);
    Tensor out = new TokenSchedule(TokenReduction.merge(1, false), 1).afterAttention(0, x, k, k);
    // A = {0 (cls), 2, 4}, B = {1, 3}; tokens 2 and 4 both match token 1 best (cosines 0.7071 and 0.7106);
    // with r = 1 only the better edge merges: token 4 into token 1, giving (1 + 4) / 2 = 2.5
    assertThat(out.toFloatArray()).containsExactly(new float[] {0, 0, 2.5f, 2.5f, 2, 2, 3, 3}, within(1e-6f));
  }

  @Test
  void combineGradientMatchesFiniteDifferences() {
    Tensor x = Tensor.randn(new Rng(7), 2, 4, 3).requiresGrad(true);
    int[] dest = {0, -1, 1, 1, 0, 1, -1, 2};
    float[] w = {1, 1, 0.25f, 0.75f, 1, 0.5f, 1, 2};
    DirectionalGradCheck.check("TokenCombine", new ModuleList<>(), x, () -> new TokenCombine(dest, w, 3).apply(x));
  }

  @Test
  void forwardTokenCountsFollowTheSchedule() {
    Vit vit = new Vit(new VitConfig(8, 2, 1, 8, 3, 2, 2.0, VitConfig.LEARNED), new Rng(1));
    Tensor x = Tensor.randn(new Rng(2), 2, 1, 8, 8);
    for (TokenReduction r : List.of(TokenReduction.none(), TokenReduction.prune(0.3, 1), TokenReduction.merge(4, false),
        TokenReduction.merge(4, true), new TokenReduction(0.5, 0, 2, false))) {
      vit.tokenReduction(r).call(x);
      assertThat(vit.lastTokenCounts()).as(r.toString()).isEqualTo(VitFlops.tokenCounts(3, r, 17));
    }
    assertThat(VitFlops.tokenCounts(3, TokenReduction.prune(0.3, 1), 17)).containsExactly(17, 17, 6, 6);  // 1 + round(0.3·16)
    assertThat(VitFlops.tokenCounts(3, TokenReduction.merge(4, false), 17)).containsExactly(17, 13, 9, 5);
  }

  /** Hand count, image 4, patch 2, 1 channel, D 4, depth 2, 2 heads (Dh 2), MLP 8; T = 5 tokens. */
  @Test
  void flopsMatchAHandCount() {
    Vit vit = new Vit(new VitConfig(4, 2, 1, 4, 2, 2, 2.0, VitConfig.LEARNED), new Rng(1));
    long embed = 4 * 4 * (1 * 2 * 2);                         // P · D · C·p²
    long full = 4 * 5 * 16 + 2 * 25 * 4 + 2 * 5 * 4 * 8;      // projections, attention, MLP at T = 5
    assertThat(vit.flops()).isEqualTo(2 * (embed + 2 * full));
    vit.tokenReduction(TokenReduction.prune(0.5, 0));        // block 0: attention at 5, ranking 5·4, MLP at 1 + 2 = 3; block 1 at 3
    long pruned = (4 * 5 * 16 + 2 * 25 * 4 + 5 * 4 + 2 * 3 * 4 * 8) + (4 * 3 * 16 + 2 * 9 * 4 + 2 * 3 * 4 * 8);
    assertThat(vit.flops()).isEqualTo(2 * (embed + pruned));
    vit.tokenReduction(TokenReduction.merge(1, false));      // block 0: A {0,2,4}, B {1,3}: 2·2 pairs of Dh 2, MLP at 4; block 1: A {0,2}, B {1,3}
    long merged = (4 * 5 * 16 + 2 * 25 * 4 + 2 * 2 * 2 + 2 * 4 * 4 * 8) + (4 * 4 * 16 + 2 * 16 * 4 + 1 * 2 * 2 + 2 * 3 * 4 * 8);
    assertThat(vit.flops()).isEqualTo(2 * (embed + merged));
  }

  @Test
  void validation() {
    assertThatThrownBy(() -> TokenReduction.prune(0, 1)).hasMessageContaining("(0, 1], got 0.0");
    assertThatThrownBy(() -> TokenReduction.prune(1.5, 1)).hasMessageContaining("got 1.5");
    assertThatThrownBy(() -> TokenReduction.merge(-1, false)).hasMessageContaining("got -1");
  }
}
