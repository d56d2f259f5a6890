package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.LlamaForCausalLM;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KV-cache engine gives the training forward's last-position logits at every step, for each
 * PyTorch-reference configuration: GQA with llama3 rope, Qwen2 biases with tied head, a Mistral
 * window of 5 with sequences up to 17 tokens, and biases with linear rope.
 */
class InferenceSessionTest {
  private static final double TOL = 1e-5;

  @ParameterizedTest
  @ValueSource(strings = {"llama_gqa_rope3", "qwen2_bias_tied", "mistral_window", "llama_bias_linear"})
  void prefillAndDecodeMatchTheFullForwardAtEveryStep(String name) throws Exception {
    LlamaForCausalLM m = Golden.model(name);
    int v = m.config().vocabSize();
    int[] prompt = Golden.ints(Golden.main(name).get("prompt"));
    var s = new InferenceSession(m, 1, 32);
    float[] logits = new float[v];
    s.prefill(0, prompt, logits, 0);
    int[] seq = prompt.clone();
    assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, seq))).as("prefill").isLessThanOrEqualTo(TOL);
    for (int step = 0; step < 12; step++) {
      int next = (Golden.argmax(logits, 0, v) + step) % v;  // not only greedy tokens
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = next;
      s.decode(new int[] {0}, new int[] {next}, 1, logits);
      assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, seq))).as("step %d", step).isLessThanOrEqualTo(TOL);
    }
    assertThat(s.length(0)).isEqualTo(seq.length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama_gqa_rope3", "qwen2_bias_tied", "mistral_window", "llama_bias_linear"})
  void scoreGivesEveryPositionsLogitsAndTruncateRollsBack(String name) throws Exception {
    LlamaForCausalLM m = Golden.model(name);
    int v = m.config().vocabSize();
    int[] seq = {5, 17, 42, 3, 96, 0, 11, 23, 58, 7, 81, 33, 2, 64};
    var s = new InferenceSession(m, 1, 20, 6);
    float[] logits = new float[6 * v];
    s.prefill(0, Arrays.copyOfRange(seq, 0, 4), logits, 0);
    s.score(0, Arrays.copyOfRange(seq, 4, 10), 6, logits);  // 6 rows, each its own position
    for (int i = 0; i < 6; i++) {
      assertThat(Golden.relativeError(logits, i * v, Golden.forwardLast(m, Arrays.copyOf(seq, 5 + i)))).as("row %d", i)
          .isLessThanOrEqualTo(TOL);
    }
    assertThat(s.length(0)).isEqualTo(10);
    // Roll back to 6 positions and take another branch: as if the 4 dropped tokens never came.
    s.truncate(0, 6);
    int[] branch = {1, 2, 3};
    s.score(0, branch, 3, logits);
    int[] other = {5, 17, 42, 3, 96, 0, 1, 2, 3};
    assertThat(Golden.relativeError(logits, 2 * v, Golden.forwardLast(m, other))).isLessThanOrEqualTo(TOL);
    float[] one = new float[v];
    s.decode(new int[] {0}, new int[] {4}, 1, one);
    assertThat(Golden.relativeError(one, 0, Golden.forwardLast(m, new int[] {5, 17, 42, 3, 96, 0, 1, 2, 3, 4}))).isLessThanOrEqualTo(TOL);
    assertThatThrownBy(() -> s.truncate(0, 11)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 10]");
    assertThatThrownBy(() -> s.score(0, new int[7], 7, new float[7 * v])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stepRows=6");
    var full = new InferenceSession(m, 1, 20, 6);
    full.prefill(0, new int[18], logits, 0);
    assertThatThrownBy(() -> full.score(0, new int[3], 3, logits)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("20 positions");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mistral_window", "qwen2_bias_tied"})
  void prefillInPiecesEqualsOnePrefill(String name) throws Exception {
    LlamaForCausalLM m = Golden.model(name);
    int v = m.config().vocabSize();
    int[] seq = {5, 17, 42, 3, 96, 0, 11, 23, 58, 7, 81, 33};
    var s = new InferenceSession(m, 1, 16);
    float[] logits = new float[v];
    s.prefill(0, Arrays.copyOfRange(seq, 0, 4), logits, 0);
    s.prefill(0, Arrays.copyOfRange(seq, 4, 11), logits, 0);
    s.prefill(0, Arrays.copyOfRange(seq, 11, 12), logits, 0);
    assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, seq))).isLessThanOrEqualTo(TOL);
  }

  @Test
  void batchedDecodeOfUnequalSequencesEqualsEachAlone() throws Exception {
    LlamaForCausalLM m = Golden.model("mistral_window");
    int v = m.config().vocabSize();
    int[][] prompts = {{1, 2, 3}, {9, 8, 7, 6, 5, 4, 3, 2}, {42}};
    var batch = new InferenceSession(m, 3, 24);
    float[] logits = new float[3 * v];
    for (int b = 0; b < 3; b++) batch.prefill(b, prompts[b], logits, b * v);
    float[][] alone = new float[3][v];
    InferenceSession[] single = new InferenceSession[3];
    for (int b = 0; b < 3; b++) {
      single[b] = new InferenceSession(m, 1, 24);
      single[b].prefill(0, prompts[b], alone[b], 0);
    }
    int[] slots = {2, 0, 1}, tokens = new int[3];
    float[] out = new float[3 * v];
    for (int step = 0; step < 8; step++) {
      for (int r = 0; r < 3; r++) tokens[r] = (7 * step + 13 * slots[r]) % v;
      batch.decode(slots, tokens, 3, out);
      for (int r = 0; r < 3; r++) {
        single[slots[r]].decode(new int[] {0}, new int[] {tokens[r]}, 1, alone[slots[r]]);
        assertThat(Golden.relativeError(out, r * v, alone[slots[r]])).as("step %d slot %d", step, slots[r]).isLessThanOrEqualTo(1e-6);
      }
    }
  }

  @Test
  void badArgumentsAreRejectedWithTheFacts() throws Exception {
    LlamaForCausalLM m = Golden.model("llama_gqa_rope3");  // max_position_embeddings 64
    assertThatThrownBy(() -> new InferenceSession(m, 1, 65)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max_position_embeddings=64").hasMessageContaining("65");
    var s = new InferenceSession(m, 2, 8);
    float[] logits = new float[2 * 97];
    assertThatThrownBy(() -> s.prefill(0, new int[9], logits, 0)).hasMessageContaining("exceed the session's 8 positions");
    assertThatThrownBy(() -> s.prefill(0, new int[] {97}, logits, 0)).hasMessageContaining("expected an id in [0, 97)");
    assertThatThrownBy(() -> s.decode(new int[] {1, 1}, new int[] {1, 2}, 2, logits)).hasMessageContaining("slot 1 given twice");
    s.prefill(1, new int[8], logits, 0);
    assertThatThrownBy(() -> s.decode(new int[] {1}, new int[] {1}, 1, logits)).hasMessageContaining("is full");
  }
}
