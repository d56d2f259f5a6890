package dev.fathom.llm.lora;

import static dev.fathom.llm.lora.LoraFixtures.logits;
import static dev.fathom.llm.lora.LoraFixtures.relativeError;
import static dev.fathom.llm.lora.LoraFixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adapters written in PEFT's layout by tools/golden/make_lora_golden.py, loaded onto the
 * reference base checkpoints, give the reference's logits of W + scale·B·A (float64) — with the
 * low-rank path unmerged and merged.
 */
class LoraGoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {"gqa_qvo_down", "qwen2_all_linear_rslora"})
  void referenceAdapterGivesReferenceLogits(String name) throws Exception {
    Path dir = resource("/golden/lora/" + name);
    JsonNode root = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    JsonNode c = root.get("cases").get("main");
    LlamaForCausalLM m = HfCheckpoint.load(resource("/golden/llama/" + root.get("base").asText()));
    m.eval();
    JsonNode rows = c.get("ids");
    int b = rows.size(), t = rows.get(0).size();
    long[] v = new long[b * t];
    for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) v[i * t + j] = rows.get(i).get(j).asLong();
    Tensor ids = Tensor.ofLongs(v, b, t);
    float[] base = logits(m, ids).data();
    JsonNode data = c.get("logits").get("data");
    float[] want = new float[data.size()];
    for (int i = 0; i < want.length; i++) want[i] = (float) data.get(i).asDouble();

    LoraConfig config = LoraAdapters.load(dir, m);
    assertThat(config.scale()).isCloseTo(root.get("scale").asDouble(), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(relativeError(base, want)).as("the adapter must matter").isGreaterThan(1e-2);
    double unmerged = relativeError(logits(m, ids).data(), want);
    Lora.merge(m);
    double merged = relativeError(logits(m, ids).data(), want);
    System.out.printf("LoRA golden %s: max |Δlogit| / max |logit| unmerged %.2e, merged %.2e%n", name, unmerged, merged);
    assertThat(unmerged).as("unmerged").isLessThanOrEqualTo(1e-4);
    assertThat(merged).as("merged").isLessThanOrEqualTo(1e-4);
  }
}
