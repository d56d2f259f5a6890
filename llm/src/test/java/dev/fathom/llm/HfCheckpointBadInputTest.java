package dev.fathom.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.Safetensors;
import dev.fathom.io.SafetensorsFile;
import dev.fathom.io.StDType;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile and inconsistent checkpoints fail with a typed exception that names what was expected and what came. */
class HfCheckpointBadInputTest {
  static final LlamaConfig SMALL = LlamaConfig.llama(50, 16, 32, 2, 4, 2, 32, false);

  static Path saved(Path dir) throws Exception {
    HfCheckpoint.save(dir, new LlamaForCausalLM(SMALL, new Rng(1)), null);
    return dir;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "missing hidden_size | {\"vocab_size\": 50, \"intermediate_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 4} | hidden_size: expected a positive integer, got none",
      "heads do not divide hidden | {\"vocab_size\": 50, \"hidden_size\": 30, \"intermediate_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 4} | num_attention_heads: expected a divisor of hidden_size=30",
      "kv heads do not divide heads | {\"vocab_size\": 50, \"hidden_size\": 32, \"intermediate_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 3} | num_key_value_heads: expected a divisor of num_attention_heads=4, got 3",
      "negative layers | {\"vocab_size\": 50, \"hidden_size\": 32, \"intermediate_size\": 32, \"num_hidden_layers\": -1, \"num_attention_heads\": 4} | num_hidden_layers: expected a positive integer, got -1",
      "unknown model type | {\"model_type\": \"gpt2\", \"vocab_size\": 50, \"hidden_size\": 32, \"intermediate_size\": 32, \"num_hidden_layers\": 1, \"num_attention_heads\": 4} | model_type: expected one of [llama, qwen2, mistral], got \"gpt2\"",
      "gelu activation | {\"vocab_size\": 50, \"hidden_size\": 32, \"intermediate_size\": 32, \"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"hidden_act\": \"gelu\"} | hidden_act: expected \"silu\"",
      "bad rope scaling | {\"vocab_size\": 50, \"hidden_size\": 32, \"intermediate_size\": 32, \"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}} | unsupported rope_type \"yarn\"",
      "eos out of range | {\"vocab_size\": 50, \"hidden_size\": 32, \"intermediate_size\": 32, \"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"eos_token_id\": [3, 77]} | eos_token_id: expected ids in [0, 50)",
      "not an object | [1, 2, 3] | expected a LlamaConfig JSON object",
      "truncated | {\"vocab_size\": 50, \"hidden_si | expected a LlamaConfig JSON object"})
  void badConfigIsAFormatErrorNamingTheField(String name, String json, String message, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), json);
    assertThatThrownBy(() -> HfCheckpoint.readConfig(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining(dir.resolve("config.json").toString()).hasMessageContaining(message);
  }

  @Test
  void missingTensorIsNamed(@TempDir Path tmp) throws Exception {
    Path dir = saved(tmp.resolve("m"));
    rewriteWeights(dir, w -> w.remove("model.layers.1.mlp.up_proj.weight"));
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("missing tensor 'model.layers.1.mlp.up_proj.weight'").hasMessageContaining("[32, 16]");
  }

  @Test
  void wrongShapeNamesTheTensorAndBothShapes(@TempDir Path tmp) throws Exception {
    Path dir = saved(tmp.resolve("m"));
    rewriteWeights(dir, w -> w.put("model.layers.0.self_attn.k_proj.weight", RawTensor.ofFloats(new long[] {16, 16}, new float[256])));
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("'model.layers.0.self_attn.k_proj.weight'").hasMessageContaining("[16, 16]").hasMessageContaining("[8, 16]");
  }

  @Test
  void unexpectedTensorIsRejected(@TempDir Path tmp) throws Exception {
    Path dir = saved(tmp.resolve("m"));
    rewriteWeights(dir, w -> w.put("model.layers.7.mlp.up_proj.weight", RawTensor.ofFloats(new long[] {2}, new float[2])));
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("model.layers.7.mlp.up_proj.weight");
  }

  @Test
  void integerWeightsAreRejected(@TempDir Path tmp) throws Exception {
    Path dir = saved(tmp.resolve("m"));
    rewriteWeights(dir, w -> w.put("model.norm.weight", RawTensor.ofInts(new long[] {16}, new int[16])));
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("'model.norm.weight' has dtype I32");
  }

  @Test
  void truncatedWeightsFileIsAFormatError(@TempDir Path tmp) throws Exception {
    Path dir = saved(tmp.resolve("m"));
    Path w = dir.resolve(HfCheckpoint.WEIGHTS);
    byte[] b = Files.readAllBytes(w);
    Files.write(w, java.util.Arrays.copyOf(b, b.length / 2));
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class);
  }

  @Test
  void shardIndexEscapingTheDirectoryIsRejected(@TempDir Path tmp) throws Exception {
    Path dir = saved(tmp.resolve("m"));
    Files.writeString(dir.resolve(HfCheckpoint.INDEX), "{\"weight_map\": {\"model.norm.weight\": \"../evil.safetensors\"}}");
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("must name a file in the same directory");
  }

  @Test
  void missingWeightsAndConfigAreNoSuchFile(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> HfCheckpoint.load(tmp)).isInstanceOf(NoSuchFileException.class).hasMessageContaining("config.json");
    HfCheckpoint.writeConfig(tmp, SMALL);
    assertThatThrownBy(() -> HfCheckpoint.load(tmp)).isInstanceOf(NoSuchFileException.class).hasMessageContaining("model.safetensors");
  }

  @Test
  void roundTripsInEveryDtypeAndSharded(@TempDir Path tmp) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(SMALL, new Rng(2));
    for (StDType t : new StDType[] {StDType.F32, StDType.F16, StDType.BF16}) {
      Path dir = tmp.resolve(t.name());
      HfCheckpoint.save(dir, m, GenerationConfig.ofTokens(1, java.util.List.of(2)), new HfCheckpoint.SaveOptions(t, 4000));
      assertThat(dir.resolve(HfCheckpoint.INDEX)).exists();
      LlamaForCausalLM back = HfCheckpoint.load(dir);
      double tol = t == StDType.F32 ? 0 : t == StDType.F16 ? 1e-3 : 1e-2;
      m.stateDict().forEach((k, v) -> {
        float[] a = v.data(), b = back.stateDict().get(k).data();
        for (int i = 0; i < a.length; i++) assertThat((double) b[i]).as(k).isCloseTo(a[i], org.assertj.core.data.Offset.offset(tol * Math.max(1, Math.abs(a[i]))));
      });
      assertThat(HfCheckpoint.readGenerationConfig(dir).eosTokenId()).containsExactly(2);
      assertThat(back.config()).isEqualTo(m.config());
    }
  }

  private static void rewriteWeights(Path dir, java.util.function.Consumer<Map<String, RawTensor>> edit) throws Exception {
    Path w = dir.resolve(HfCheckpoint.WEIGHTS);
    Map<String, RawTensor> all = new LinkedHashMap<>();
    try (SafetensorsFile f = Safetensors.open(w)) {
      f.tensors().forEach((k, v) -> all.put(k, RawTensor.ofFloats(v.shape(), v.toFloatArray())));
    }
    edit.accept(all);
    Safetensors.write(w, all, Map.of());
  }
}
