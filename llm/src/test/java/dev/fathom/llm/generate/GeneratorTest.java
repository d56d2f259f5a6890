package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.LlamaForCausalLM;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Generation end to end: golden greedy continuations, batches, seeds, stops, limits, live weights. */
class GeneratorTest {
  /** Token ids as text "[5][44]...": a stand-in tokenizer for stop strings. */
  private static final Function<int[], String> BRACKETS = ids -> {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) sb.append('[').append(id).append(']');
    return sb.toString();
  };

  @ParameterizedTest
  @ValueSource(strings = {"llama_gqa_rope3", "qwen2_bias_tied", "mistral_window", "llama_bias_linear"})
  void greedyContinuationIsThePyTorchReferences(String name) throws Exception {
    var c = Golden.main(name);
    int[] prompt = Golden.ints(c.get("prompt")), want = Golden.ints(c.get("greedy"));
    List<int[]> streamed = new ArrayList<>();
    Generation g = new Generator(Golden.model(name)).generate(prompt, SamplingParams.greedy(want.length),
        (s, t) -> streamed.add(new int[] {s, t}));
    assertThat(g.tokens()).containsExactly(want);
    assertThat(g.reason()).isEqualTo(StopReason.MAX_NEW_TOKENS);
    assertThat(streamed.stream().mapToInt(e -> e[1]).toArray()).containsExactly(want);
    assertThat(streamed).allMatch(e -> e[0] == 0);
  }

  @Test
  void aBatchOfUnequalPromptsGivesEachPromptsOwnTokens() throws Exception {
    LlamaForCausalLM m = Golden.model("mistral_window");
    var gen = new Generator(m);
    List<int[]> prompts = List.of(new int[] {12, 40, 7, 7, 91}, new int[] {3}, new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11});
    for (SamplingParams p : List.of(SamplingParams.greedy(9), SamplingParams.sample(0.9, 5, 9).withTopK(20).withTopP(0.9))) {
      List<Generation> batch = gen.generate(prompts, p, TokenListener.NONE);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(batch.get(i).tokens()).as("prompt %d, %s", i, p).containsExactly(gen.generate(prompts.get(i), p, TokenListener.NONE).tokens());
      }
    }
  }

  @Test
  void aSeedReproducesItsSample() throws Exception {
    var gen = new Generator(Golden.model("llama_gqa_rope3"));
    int[] prompt = {12, 40, 7, 7, 91};
    var p = SamplingParams.sample(1.5, 7, 30).withMinP(0.01).withRepetitionPenalty(1.2);
    int[] a = gen.generate(prompt, p, TokenListener.NONE).tokens();
    assertThat(gen.generate(prompt, p, TokenListener.NONE).tokens()).containsExactly(a);
    assertThat(gen.generate(prompt, p.withSeed(8), TokenListener.NONE).tokens()).isNotEqualTo(a);
  }

  @Test
  void stopTokensAndStopStringsEndASequenceAndAreKept() throws Exception {
    LlamaForCausalLM m = Golden.model("llama_gqa_rope3");  // greedy: 5, 44, 42, 74, 84, ...
    int[] prompt = {12, 40, 7, 7, 91};
    Generation byId = new Generator(m).generate(prompt, SamplingParams.greedy(10).withStopTokenIds(List.of(42, 90)), TokenListener.NONE);
    assertThat(byId.tokens()).containsExactly(5, 44, 42);
    assertThat(byId.reason()).isEqualTo(StopReason.STOP_TOKEN);
    Generation byText = new Generator(m, BRACKETS).generate(prompt, SamplingParams.greedy(10).withStopStrings(List.of("4][7", "2][74")),
        TokenListener.NONE);
    assertThat(byText.tokens()).containsExactly(5, 44, 42, 74);
    assertThat(byText.reason()).isEqualTo(StopReason.STOP_STRING);
    assertThatThrownBy(() -> new Generator(m).generate(prompt, SamplingParams.greedy(3).withStopStrings(List.of("x")), TokenListener.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need a decoder");
  }

  @Test
  void promptsBeyondTheContextAreRejectedAndGenerationStopsAtIt() throws Exception {
    LlamaForCausalLM m = Golden.model("qwen2_bias_tied");  // max_position_embeddings 64
    var gen = new Generator(m);
    assertThatThrownBy(() -> gen.generate(new int[65], SamplingParams.greedy(1), TokenListener.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt 0 has 65 tokens")
        .hasMessageContaining("max_position_embeddings=64");
    Generation g = gen.generate(new int[60], SamplingParams.greedy(10), TokenListener.NONE);
    assertThat(g.tokens()).hasSize(4);
    assertThat(g.reason()).isEqualTo(StopReason.CONTEXT_LIMIT);
    Generation full = gen.generate(new int[64], SamplingParams.greedy(10), TokenListener.NONE);
    assertThat(full.tokens()).isEmpty();  // the prompt fills the context
    assertThat(full.reason()).isEqualTo(StopReason.CONTEXT_LIMIT);
    assertThat(gen.generate(new int[3], SamplingParams.greedy(0), TokenListener.NONE).tokens()).isEmpty();
    assertThatThrownBy(() -> gen.generate(new int[] {97}, SamplingParams.greedy(1), TokenListener.NONE)).hasMessageContaining("expected ids in [0, 97)");
    assertThatThrownBy(() -> gen.generate(List.of(), SamplingParams.greedy(1), TokenListener.NONE)).hasMessageContaining("at least one prompt");
  }

  @Test
  void inPlaceWeightEditsAreSeenWithoutANewSession() throws Exception {
    LlamaForCausalLM m = Golden.model("llama_bias_linear");
    int v = m.config().vocabSize();
    var s = new InferenceSession(m, 1, 16);
    float[] logits = new float[v];
    int[] seq = {12, 40, 7, 7, 91};
    float[] q = m.namedParameters().get("model.layers.0.self_attn.q_proj.weight").data();
    float[] down = m.namedParameters().get("model.layers.1.mlp.down_proj.weight").data();
    for (int i = 0; i < q.length; i++) q[i] *= 1.5f;  // as a LoRA merge would, in place
    for (int i = 0; i < down.length; i++) down[i] += 0.01f * (i % 7);
    s.prefill(0, seq, logits, 0);
    assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, seq))).isLessThanOrEqualTo(1e-5);
    assertThat(Arrays.equals(logits, Golden.forwardLast(Golden.model("llama_bias_linear"), seq))).isFalse();
  }
}
