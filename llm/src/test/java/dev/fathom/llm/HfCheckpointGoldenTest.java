package dev.fathom.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints written by the PyTorch reference (tools/golden/llama_reference.py) in Hugging Face
 * layout load in Fathom and give the reference's logits and greedy continuation: GQA with llama3
 * rope scaling, Qwen2 biases with tied embeddings in BF16, a Mistral sliding window in F16 shards,
 * and attention/MLP biases with linear rope scaling.
 */
class HfCheckpointGoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {"llama_gqa_rope3", "qwen2_bias_tied", "mistral_window", "llama_bias_linear"})
  void referenceCheckpointGivesReferenceLogits(String name) throws Exception {
    Path dir = LlamaGolden.dir(name);
    JsonNode c = LlamaGolden.read(dir.resolve("expected.json")).get("main");
    LlamaForCausalLM m = HfCheckpoint.load(dir);
    Tensor logits;
    try (var g = Grad.disabled()) {
      logits = m.forward(LlamaGolden.ids(c.get("ids")));
    }
    float[] want = LlamaGolden.floats(c.get("logits").get("data"));
    assertThat(logits.numel()).isEqualTo(want.length);
    assertThat(LlamaGolden.relativeError(logits.data(), want)).as("max |Δlogit| / max |logit|").isLessThanOrEqualTo(1e-4);
    int[] prompt = LlamaGolden.ints(c.get("prompt")), greedy = LlamaGolden.ints(c.get("greedy"));
    assertThat(LlamaGolden.greedy(m, prompt, greedy.length)).containsExactly(greedy);
  }
}
