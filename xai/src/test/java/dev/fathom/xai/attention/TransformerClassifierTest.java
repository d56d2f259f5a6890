package dev.fathom.xai.attention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.nn.F;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TransformerClassifierTest {
  private static final TransformerClassifierConfig CFG = new TransformerClassifierConfig(11, 8, 12, 3, 2, 20, 5);

  @Test
  void parametersHaveTimmNamesAndTheExpectedCount() {
    TransformerClassifier m = new TransformerClassifier(CFG, new Rng(0));
    int d = 12, ff = 20;
    long block = 2 * 2 * d + 4 * (d * d + d) + (d * ff + ff) + (ff * d + d);
    long expected = 11L * d + d + 9L * d + 2 * block + 2 * d + (d * 5 + 5);
    assertThat(m.numParameters()).isEqualTo(expected);
    assertThat(m.namedParameters().keySet()).contains("tok_embed.weight", "cls_token", "pos_embed", "blocks.0.norm1.weight",
        "blocks.1.attn.q_proj.weight", "blocks.1.fc2.bias", "norm.weight", "head.weight");
  }

  @Test
  void forwardGivesClassLogitsAndGradientsReachEveryParameter() {
    TransformerClassifier m = new TransformerClassifier(CFG, new Rng(1));
    Tensor ids = Tensor.randint(new Rng(2), 0, 11, 4, 6);
    Tensor logits = m.call(ids);
    assertThat(logits.shape()).containsExactly(4, 5);
    F.crossEntropy(logits, Tensor.ofInts(new int[] {0, 1, 2, 3}, 4)).backward();
    m.namedParameters().forEach((name, p) -> assertThat(p.grad()).as(name).isNotNull());
  }

  @Test
  void stateDictRoundTripGivesTheSameLogits() {
    TransformerClassifier a = new TransformerClassifier(CFG, new Rng(3));
    TransformerClassifier b = new TransformerClassifier(CFG, new Rng(4));
    Tensor ids = Tensor.ofInts(new int[] {1, 2, 3, 4, 5}, 1, 5);
    a.eval();
    b.eval();
    assertThat(b.call(ids).data()).isNotEqualTo(a.call(ids).data());
    b.loadStateDict(a.stateDict(), true);
    assertThat(b.call(ids).data()).isEqualTo(a.call(ids).data());
  }

  @Test
  void badConfigsAreRejected() {
    assertThatThrownBy(() -> new TransformerClassifierConfig(11, 8, 12, 5, 2, 20, 5)).hasMessageContaining("numHeads 5 must divide embedDim 12");
    assertThatThrownBy(() -> new TransformerClassifierConfig(0, 8, 12, 3, 2, 20, 5)).hasMessageContaining("vocabSize must be >= 1, got 0");
  }
}
