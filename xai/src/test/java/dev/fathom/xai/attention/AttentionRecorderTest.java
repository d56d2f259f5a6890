package dev.fathom.xai.attention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Linear;
import dev.fathom.nn.MultiHeadAttention;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AttentionRecorderTest {

  /** Rebuilds the layer's output from the recorded probabilities: o_proj(P · V) must equal what the fused kernel gave. */
  private static void reproduces(MultiHeadAttention m, int b, int t, long seed) {
    Tensor x = Tensor.randn(new Rng(seed), b, t, m.embedDim);
    try (AttentionRecorder rec = AttentionRecorder.attach(m); var g = Grad.disabled()) {
      Tensor out = m.call(x);
      Tensor p = rec.attentions().getFirst();                                      // (B, H, T, T)
      assertThat(p.shape()).containsExactly(b, m.numHeads, t, t);
      int hkv = m.numKvHeads, h = m.numHeads, dh = m.headDim;
      Tensor v = m.vProj.call(x).reshape(b, t, hkv, dh).transpose(1, 2);           // (B, Hkv, T, Dh)
      v = v.unsqueeze(2).expand(b, hkv, h / hkv, t, dh).reshape(b, h, t, dh);      // (B, H, T, Dh)
      Tensor rebuilt = m.oProj.call(p.matmul(v).transpose(1, 2).reshape(b, t, m.embedDim));
      float[] want = out.data(), got = rebuilt.data();
      for (int i = 0; i < want.length; i++) assertThat((double) got[i]).isCloseTo(want[i], within(2e-5));
      for (int n = 0; n < b; n++) {
        for (int head = 0; head < h; head++) {
          for (int i = 0; i < t; i++) {
            double sum = 0;
            for (int j = 0; j < t; j++) {
              float pij = p.get(n, head, i, j);
              if (m.causal && j > i) assertThat(pij).isZero();
              sum += pij;
            }
            assertThat(sum).isCloseTo(1, within(1e-5));
          }
        }
      }
    }
  }

  @Test
  void recordedProbabilitiesReproduceTheLayerOutput() {
    reproduces(new MultiHeadAttention(16, 4, 4, false, true, new Rng(1)), 2, 9, 10);
    reproduces(new MultiHeadAttention(16, 4, 2, false, false, new Rng(2)), 3, 5, 11);  // grouped-query heads
    reproduces(new MultiHeadAttention(12, 3, 1, true, true, new Rng(3)), 2, 7, 12);   // causal, multi-query
  }

  @Test
  void recordsEveryLayerOfAModelInOrderAndDetaches() {
    TransformerClassifier model = new TransformerClassifier(new TransformerClassifierConfig(10, 6, 8, 2, 3, 16, 2), new Rng(4));
    Tensor ids = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 6, 7}, 1, 7);
    AttentionRecorder rec = AttentionRecorder.attach(model);
    assertThat(rec.layerNames()).containsExactly("blocks.0.attn", "blocks.1.attn", "blocks.2.attn");
    assertThatThrownBy(rec::attentions).isInstanceOf(IllegalStateException.class).hasMessageContaining("blocks.0.attn");
    assertThatThrownBy(() -> model.call(ids)).hasMessageContaining("T <= 6, got [1, 7]");
    model.call(Tensor.ofInts(new int[] {1, 2, 3, 4, 5}, 1, 5));
    assertThat(rec.attentions()).hasSize(3).allSatisfy(a -> assertThat(a.shape()).containsExactly(1, 2, 6, 6));
    Tensor before = rec.attentions().getFirst();
    rec.close();
    model.call(Tensor.ofInts(new int[] {1, 2, 3, 4}, 1, 4));
    assertThat(rec.attentions().getFirst()).isSameAs(before);
  }

  @Test
  void aModelWithoutAttentionIsRejected() {
    assertThatThrownBy(() -> AttentionRecorder.attach(new Sequential(new Linear(2, 2, new Rng(0)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Sequential has no MultiHeadAttention");
  }
}
