package dev.fathom.llm.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.io.FormatException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link LoraConfig}: validation, scaling, and PEFT's adapter_config.json both ways. */
class LoraConfigTest {
  private static final String PEFT = """
      {"alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "meta-llama/Llama-3.2-1B",
       "bias": "none", "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
       "layers_pattern": null, "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 32,
       "lora_dropout": 0.05, "megatron_config": null, "megatron_core": "megatron.core", "modules_to_save": null,
       "peft_type": "LORA", "r": 16, "rank_pattern": {}, "revision": null,
       "target_modules": ["v_proj", "q_proj"], "task_type": "CAUSAL_LM", "use_dora": false, "use_rslora": false}
      """;

  @Test
  void readsAPeftConfigIgnoringUnknownFields() throws Exception {
    LoraConfig c = LoraConfig.fromJson(PEFT, "adapter_config.json");
    assertThat(c).isEqualTo(new LoraConfig(16, 32, 0.05, List.of("v_proj", "q_proj"), false, "meta-llama/Llama-3.2-1B", true));
    assertThat(c.scale()).isEqualTo(2.0);
  }

  @Test
  void writesPeftFieldNamesAndReadsBack() throws Exception {
    LoraConfig c = new LoraConfig(8, 16, 0.1, List.of("q_proj", "v_proj"), true, "base", false);
    JsonNode o = new ObjectMapper().readTree(c.toJson());
    assertThat(o.get("peft_type").asText()).isEqualTo("LORA");
    assertThat(o.get("task_type").asText()).isEqualTo("CAUSAL_LM");
    assertThat(o.get("r").asInt()).isEqualTo(8);
    assertThat(o.get("lora_alpha").isIntegralNumber()).isTrue();
    assertThat(o.get("lora_dropout").asDouble()).isEqualTo(0.1);
    assertThat(o.get("target_modules").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");
    assertThat(o.get("bias").asText()).isEqualTo("none");
    assertThat(o.get("fan_in_fan_out").asBoolean()).isFalse();
    assertThat(o.get("modules_to_save").isNull()).isTrue();
    assertThat(o.get("use_rslora").asBoolean()).isTrue();
    assertThat(LoraConfig.fromJson(c.toJson(), "x")).isEqualTo(c);
    assertThat(c.scale()).isCloseTo(16 / Math.sqrt(8), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void allLinearIsAString() throws Exception {
    LoraConfig c = LoraConfig.of(4, 8, List.of(LoraConfig.ALL_LINEAR));
    assertThat(new ObjectMapper().readTree(c.toJson()).get("target_modules").asText()).isEqualTo("all-linear");
    LoraConfig back = LoraConfig.fromJson(c.toJson(), "x");
    assertThat(back.allLinear()).isTrue();
    assertThat(back.targets("model.layers.0.mlp.up_proj")).isTrue();
  }

  @Test
  void targetsMatchLastNamesAndDottedSuffixes() {
    LoraConfig c = LoraConfig.of(4, 8, List.of("q_proj", "mlp.down_proj"));
    assertThat(c.targets("model.layers.1.self_attn.q_proj")).isTrue();
    assertThat(c.targets("model.layers.1.mlp.down_proj")).isTrue();
    assertThat(c.targets("model.layers.1.self_attn.qq_proj")).isFalse();
    assertThat(c.targets("model.layers.1.mlp.up_proj")).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"r\": 0|r must be >= 1",
      "\"r\": 2.5|r must be a positive integer",
      "\"r\": \"8\"|r must be a positive integer",
      "\"lora_alpha\": -1|lora_alpha must be finite and > 0",
      "\"lora_alpha\": \"16\"|lora_alpha must be a number",
      "\"lora_dropout\": 1.0|lora_dropout must be in [0, 1)",
      "\"bias\": \"all\"|bias must be \"none\", got \"all\"",
      "\"bias\": \"lora_only\"|trained biases are not supported",
      "\"peft_type\": \"IA3\"|peft_type must be \"LORA\"",
      "\"task_type\": \"SEQ_CLS\"|task_type must be \"CAUSAL_LM\"",
      "\"fan_in_fan_out\": true|fan_in_fan_out must be false",
      "\"modules_to_save\": [\"lm_head\"]|modules_to_save must be null",
      "\"target_modules\": []|target_modules must be a non-empty list",
      "\"target_modules\": \".*q_proj\"|regular expressions are not supported",
      "\"target_modules\": [\"all-linear\", \"q_proj\"]|must stand alone",
      "\"target_modules\": [3]|target_modules entries must be strings",
      "\"use_rslora\": \"yes\"|use_rslora must be true or false",
      "\"use_dora\": true|use_dora is not supported",
      "\"layers_to_transform\": [0]|layers_to_transform is not supported",
  })
  void badValuesNameTheField(String override, String message) {
    // a repeated key: Jackson keeps the last one, so the override wins
    String last = PEFT.substring(0, PEFT.lastIndexOf('}')) + ", " + override + "}";
    assertThatThrownBy(() -> LoraConfig.fromJson(last, "dir/adapter_config.json"))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith("dir/adapter_config.json: ")
        .hasMessageContaining(message);
  }

  @Test
  void missingFieldsAndNonObjectsAreNamed() {
    assertThatThrownBy(() -> LoraConfig.fromJson("{\"peft_type\": \"LORA\", \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"]}", "c"))
        .isInstanceOf(FormatException.class).hasMessage("c: missing field \"r\"");
    assertThatThrownBy(() -> LoraConfig.fromJson("{\"r\": 8, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"]}", "c"))
        .isInstanceOf(FormatException.class).hasMessageContaining("peft_type must be \"LORA\", got nothing");
    assertThatThrownBy(() -> LoraConfig.fromJson("[1, 2]", "c"))
        .isInstanceOf(FormatException.class).hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> LoraConfig.fromJson("{\"r\": 8,", "c"))
        .isInstanceOf(FormatException.class).hasMessageContaining("expected a JSON object");
  }

  @Test
  void recordValidatesItself() {
    assertThatThrownBy(() -> LoraConfig.of(8, 16, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target_modules");
    assertThatThrownBy(() -> LoraConfig.of(8, Double.NaN, List.of("q_proj")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lora_alpha");
    assertThatThrownBy(() -> LoraConfig.of(8, 16, List.of("")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target_modules entries");
  }
}
