package dev.fathom.llm.lora;

import static dev.fathom.llm.lora.LoraFixtures.ids;
import static dev.fathom.llm.lora.LoraFixtures.logits;
import static dev.fathom.llm.lora.LoraFixtures.randomizeAdapters;
import static dev.fathom.llm.lora.LoraFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.Safetensors;
import dev.fathom.io.SafetensorsFile;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading adapters in PEFT's layout, and the errors bad adapter directories give. */
class LoraAdaptersTest {
  private static final String Q0A = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
  private static final String Q0B = "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight";

  @TempDir Path tmp;

  private Path savedAdapter(LlamaForCausalLM m) throws Exception {
    Lora.apply(m, new LoraConfig(4, 8, 0.05, List.of("q_proj", "v_proj", "down_proj"), false, null, false), new Rng(3));
    randomizeAdapters(m, 4);
    Path dir = tmp.resolve("adapter");
    LoraAdapters.save(dir, m, Lora.config(m).withBaseModel("tiny").withInferenceMode(true));
    return dir;
  }

  @Test
  void savedAdapterHasPeftKeysAndShapes() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    try (SafetensorsFile sf = Safetensors.open(dir.resolve(LoraAdapters.WEIGHTS))) {
      assertThat(sf.tensors()).hasSize(2 * 3 * 2);
      assertThat(sf.tensors().keySet()).allMatch(k -> k.startsWith("base_model.model.model.layers.") && k.endsWith(".weight"));
      assertThat(sf.tensors().get(Q0A).shape()).containsExactly(4, 32);
      assertThat(sf.tensors().get(Q0B).shape()).containsExactly(32, 4);
      assertThat(sf.tensors().get("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight").shape()).containsExactly(16, 4);
      assertThat(sf.tensors().get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight").shape()).containsExactly(4, 72);
      assertThat(sf.metadata()).containsEntry("format", "pt");
    }
    LoraConfig c = LoraAdapters.readConfig(dir);
    assertThat(c.baseModelNameOrPath()).isEqualTo("tiny");
    assertThat(c.inferenceMode()).isTrue();
    assertThat(c.targetModules()).containsExactly("q_proj", "v_proj", "down_proj");
  }

  @Test
  void reloadIsBitExact() throws Exception {
    LlamaForCausalLM m = tinyModel(1);
    Path dir = savedAdapter(m);
    Tensor ids = ids(9, 2, 10, 64);
    float[] want = logits(m, ids).data();
    LlamaForCausalLM fresh = tinyModel(1);
    LoraConfig c = LoraAdapters.load(dir, fresh);
    assertThat(c.r()).isEqualTo(4);
    Map<String, Tensor> a = Lora.adapterStateDict(m), b = Lora.adapterStateDict(fresh);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    a.forEach((k, t) -> assertThat(b.get(k).data()).as(k).containsExactly(t.data()));
    assertThat(logits(fresh, ids).data()).containsExactly(want);
    assertThat(Lora.trainableParameters(fresh)).hasSize(12);
    // saving the loaded adapter again writes the same bytes
    LoraAdapters.save(tmp.resolve("again"), fresh);
    assertThat(Files.readAllBytes(tmp.resolve("again").resolve(LoraAdapters.WEIGHTS)))
        .isEqualTo(Files.readAllBytes(dir.resolve(LoraAdapters.WEIGHTS)));
  }

  @Test
  void saveRejectsAConfigThatDoesNotDescribeTheAdapters() throws Exception {
    LlamaForCausalLM m = tinyModel(1);
    Lora.apply(m, LoraConfig.of(4, 8, List.of("q_proj")), new Rng(3));
    assertThatThrownBy(() -> LoraAdapters.save(tmp.resolve("x"), m, LoraConfig.of(8, 8, List.of("q_proj"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not describe the applied adapters");
    assertThatThrownBy(() -> LoraAdapters.save(tmp.resolve("x"), tinyModel(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no adapters");
  }

  private static Map<String, RawTensor> tensors(Path dir) throws Exception {
    return new LinkedHashMap<>(Safetensors.readAll(dir.resolve(LoraAdapters.WEIGHTS)));
  }

  private static void write(Path dir, Map<String, RawTensor> t) throws Exception {
    Safetensors.write(dir.resolve(LoraAdapters.WEIGHTS), t, Map.of("format", "pt"));
  }

  private static void assertLoadFails(Path dir, String... fragments) {
    LlamaForCausalLM fresh = tinyModel(1);
    var thrown = assertThatThrownBy(() -> LoraAdapters.load(dir, fresh));
    thrown.isInstanceOf(FormatException.class);
    for (String f : fragments) thrown.hasMessageContaining(f);
    assertThat(Lora.isApplied(fresh)).as("model untouched").isFalse();
    assertThat(fresh.parameters()).allMatch(Tensor::requiresGrad);
  }

  @Test
  void missingTensorIsNamed() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    var t = tensors(dir);
    t.remove(Q0B);
    write(dir, t);
    assertLoadFails(dir, "missing tensor '" + Q0B + "' (expected shape [32, 4])");
  }

  @Test
  void wrongShapeNamesKeyAndBothShapes() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    var t = tensors(dir);
    t.put(Q0A, RawTensor.ofFloats(new long[] {4, 31}, new float[4 * 31]));
    write(dir, t);
    assertLoadFails(dir, "tensor '" + Q0A + "' has shape [4, 31], expected [4, 32]");
  }

  @Test
  void rankOfConfigMustMatchTheTensors() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    Path cfg = dir.resolve(LoraAdapters.CONFIG);
    Files.writeString(cfg, Files.readString(cfg).replace("\"r\" : 4", "\"r\" : 8"));
    assertLoadFails(dir, "'" + Q0A + "' has shape [4, 32], expected [8, 32] (r=8 from adapter_config.json)");
  }

  @Test
  void unknownTensorsAreRejected() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    var t = tensors(dir);
    t.put("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", RawTensor.ofFloats(new long[] {4, 32}, new float[128]));
    write(dir, t);
    assertLoadFails(dir, "1 tensor(s) match no adapter", "k_proj.lora_A.weight");
  }

  @Test
  void integerTensorsAreRejected() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    var t = tensors(dir);
    t.put(Q0A, RawTensor.ofInts(new long[] {4, 32}, new int[128]));
    write(dir, t);
    assertLoadFails(dir, "'" + Q0A + "' has dtype", "expected a floating-point type");
  }

  @Test
  void malformedConfigIsAFormatError() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    Files.writeString(dir.resolve(LoraAdapters.CONFIG), "{\"peft_type\": \"LORA\", \"r\": 4,");
    assertLoadFails(dir, "adapter_config.json: expected a JSON object");
    Files.writeString(dir.resolve(LoraAdapters.CONFIG),
        "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"], \"bias\": \"all\"}");
    assertLoadFails(dir, "bias must be \"none\"");
    Files.writeString(dir.resolve(LoraAdapters.CONFIG),
        "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"query_key_value\"]}");
    assertLoadFails(dir, "adapter_config.json: LoRA: target_modules [query_key_value] match no module");
  }

  @Test
  void missingFilesAreNamed() throws Exception {
    Path dir = savedAdapter(tinyModel(1));
    Files.delete(dir.resolve(LoraAdapters.WEIGHTS));
    assertThatThrownBy(() -> LoraAdapters.load(dir, tinyModel(1)))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("adapter_model.safetensors");
    assertThatThrownBy(() -> LoraAdapters.load(tmp.resolve("nowhere"), tinyModel(1)))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("adapter_config.json");
  }
}
