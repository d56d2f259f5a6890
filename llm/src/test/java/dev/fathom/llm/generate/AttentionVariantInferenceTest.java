package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.AttentionType;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The inference engine runs every attention variant as the training forward does: linear
 * attention through its recurrent state, block-sparse attention over the visible blocks of the
 * cache, and the q/k/v convolution of hybrid layers from its recorded inputs. Each step's logits
 * equal the last position's logits of the forward over the whole sequence.
 */
class AttentionVariantInferenceTest {
  private static final double TOL = 2e-5;

  /** A small GQA model (vocab 97, hidden 32, 2 layers, 4 heads over 2 kv heads) of the named variant. */
  static LlamaForCausalLM model(String variant) {
    LlamaConfig base = LlamaConfig.llama(97, 32, 72, 2, 4, 2, 512, false);
    LlamaConfig c = switch (variant) {
      case "linear" -> base.withAttention(AttentionType.LINEAR, null);
      case "linear+conv" -> base.withAttention(AttentionType.LINEAR, 4);
      case "full+conv" -> base.withAttention(AttentionType.FULL, 3);
      case "block_sparse" -> base.withBlockSparse(64, 1, 1, 0);  // block 3 sees blocks 0 and 3
      case "block_sparse+conv" -> base.withBlockSparse(64, 1, 0, 1).withAttention(AttentionType.BLOCK_SPARSE, 2);  // 3 and one of 0..2
      default -> throw new IllegalArgumentException(variant);
    };
    if (c.attention() == AttentionType.BLOCK_SPARSE) {  // the tests' sequences (up to 200 positions) must skip some blocks
      for (int l = 0; l < c.numHiddenLayers(); l++) assertThat(c.blockLayout(l).keyBlocks(3)).hasSizeLessThan(4);
    }
    LlamaForCausalLM m = new LlamaForCausalLM(c, new Rng(7));
    Rng rng = new Rng(11);
    for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {  // conv kernels away from their identity start
      if (e.getKey().contains("_conv.")) {
        float[] w = e.getValue().data();
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * 0.5);
      }
    }
    return m;
  }

  static int[] tokens(int n, long seed) {
    Rng rng = new Rng(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) t[i] = (int) (rng.nextDouble() * 97);
    return t;
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "linear+conv", "full+conv", "block_sparse", "block_sparse+conv"})
  void prefillThenDecodeMatchTheForwardAtEveryStep(String variant) {
    LlamaForCausalLM m = model(variant);
    int v = m.config().vocabSize(), len = 200;
    int[] seq = tokens(len, 3);
    var s = new InferenceSession(m, 1, len);
    float[] logits = new float[v];
    s.prefill(0, Arrays.copyOf(seq, 130), logits, 0);
    assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, Arrays.copyOf(seq, 130)))).as("prefill").isLessThanOrEqualTo(TOL);
    for (int p = 130; p < len; p++) {
      s.decode(new int[] {0}, new int[] {seq[p]}, 1, logits);
      if (p % 7 == 0 || p == len - 1) {
        assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, Arrays.copyOf(seq, p + 1)))).as("position %d", p)
            .isLessThanOrEqualTo(TOL);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "full+conv", "block_sparse+conv"})
  void scoreAndTwoSequencesInOneStepEqualTheForward(String variant) {
    LlamaForCausalLM m = model(variant);
    int v = m.config().vocabSize();
    int[] a = tokens(90, 5), b = tokens(70, 6);
    var s = new InferenceSession(m, 2, 100, 5);
    float[] logits = new float[5 * v];
    s.prefill(0, Arrays.copyOf(a, 80), logits, 0);
    s.prefill(1, Arrays.copyOf(b, 60), logits, 0);
    s.score(0, Arrays.copyOfRange(a, 80, 85), 5, logits);  // 5 rows of one sequence in one step
    for (int i = 0; i < 5; i++) {
      assertThat(Golden.relativeError(logits, i * v, Golden.forwardLast(m, Arrays.copyOf(a, 81 + i)))).as("row %d", i)
          .isLessThanOrEqualTo(TOL);
    }
    s.decode(new int[] {1, 0}, new int[] {b[60], a[85]}, 2, logits);  // two sequences in one step
    assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, Arrays.copyOf(b, 61)))).isLessThanOrEqualTo(TOL);
    assertThat(Golden.relativeError(logits, v, Golden.forwardLast(m, Arrays.copyOf(a, 86)))).isLessThanOrEqualTo(TOL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"full+conv", "block_sparse"})
  void truncateRollsBackTheConvolutionInputsAndTheCache(String variant) {
    LlamaForCausalLM m = model(variant);
    int v = m.config().vocabSize();
    int[] seq = tokens(120, 8);
    var s = new InferenceSession(m, 1, 130, 4);
    float[] logits = new float[4 * v];
    s.prefill(0, Arrays.copyOf(seq, 100), logits, 0);
    s.score(0, new int[] {1, 2, 3, 4}, 4, logits);  // a branch that is then dropped
    s.truncate(0, 100);
    s.score(0, Arrays.copyOfRange(seq, 100, 104), 4, logits);
    assertThat(Golden.relativeError(logits, 3 * v, Golden.forwardLast(m, Arrays.copyOf(seq, 104)))).isLessThanOrEqualTo(TOL);
  }

  @Test
  void linearAttentionCanOnlyBeEmptiedAndTakesNoBoundedCache() {
    LlamaForCausalLM m = model("linear");
    int v = m.config().vocabSize();
    var s = new InferenceSession(m, 1, 50);
    float[] logits = new float[v];
    s.prefill(0, tokens(20, 1), logits, 0);
    assertThatThrownBy(() -> s.truncate(0, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linear attention").hasMessageContaining("from 20 to 10");
    s.truncate(0, 0);  // emptied: starts over as a fresh sequence
    int[] again = tokens(12, 2);
    s.prefill(0, again, logits, 0);
    assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, again))).isLessThanOrEqualTo(TOL);
    assertThatThrownBy(() -> new InferenceSession(m, 1, 50, 1, KvPolicy.parse("window:16")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attention_type linear");
    assertThatThrownBy(() -> new SpeculativeGenerator(m, new PromptLookupDrafter(), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target model runs linear attention");
    assertThatThrownBy(() -> new SpeculativeGenerator(model("full+conv"), new ModelDrafter(m), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("draft model runs linear attention");
  }
}
