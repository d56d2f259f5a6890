package dev.fathom.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.Safetensors;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Quantized checkpoints: packed U8 tensors plus quantization_config round-trip, and bad ones fail with what was expected. */
public class QuantizedCheckpointTest {
  /** Hidden 128 and FFN 384: in-features that every format's block size divides. */
  static final LlamaConfig CONFIG = LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, false);

  /** Quantizes every projection of the blocks in place (float parameters set to the dequantized values) and attaches them. */
  public static Map<String, QuantizedMatrix> quantize(LlamaForCausalLM m, QuantFormat f) {
    Map<String, QuantizedMatrix> q = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
      if (!e.getKey().endsWith("_proj.weight")) continue;
      Tensor t = e.getValue();
      QuantizedMatrix qm = QuantizedMatrix.quantize(f, t.data(), 0, t.size(0), t.size(1));
      qm.dequantizeInto(t.data(), 0);
      q.put(e.getKey(), qm);
    }
    m.attachQuantized(QuantizationConfig.of(f, "rtn", List.of("model.embed_tokens", "lm_head")), q);
    return q;
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void saveThenLoadGivesTheSamePackedWeightsAndFloats(QuantFormat f, @TempDir Path dir) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(3));
    Map<String, QuantizedMatrix> q = quantize(m, f);
    QuantizedCheckpoint.save(dir, m, q, m.quantization(), null);
    LlamaForCausalLM back = HfCheckpoint.load(dir);
    assertThat(back.quantization()).isEqualTo(m.quantization());
    assertThat(back.quantizedWeights().keySet()).containsExactlyInAnyOrderElementsOf(q.keySet()).hasSize(2 * 7);
    for (String name : q.keySet()) assertThat(back.quantizedWeights().get(name).packed()).as(name).containsExactly(q.get(name).packed());
    Map<String, Tensor> want = m.namedParameters();
    back.namedParameters().forEach((name, t) -> assertThat(t.data()).as(name).containsExactly(want.get(name).data()));
    try (var sf = Safetensors.open(dir.resolve(HfCheckpoint.WEIGHTS))) {
      String name = "model.layers.0.mlp.down_proj.weight";
      assertThat(sf.get(name).dtype().name()).isEqualTo("U8");
      assertThat(sf.get(name).shape()).containsExactly(128, f.rowBytes(384));
      assertThat(sf.metadata()).containsEntry(name, f.id() + "[128,384]");
    }
    assertThat(Files.readString(dir.resolve(HfCheckpoint.CONFIG))).contains("\"quant_method\" : \"fathom\"").contains("\"format\" : \"" + f.id());
  }

  @Test
  void aFloatCheckpointHasNoQuantization(@TempDir Path dir) throws Exception {
    HfCheckpoint.save(dir, new LlamaForCausalLM(CONFIG, new Rng(1)), null);
    LlamaForCausalLM m = HfCheckpoint.load(dir);
    assertThat(m.quantization()).isNull();
    assertThat(m.quantizedWeights()).isEmpty();
  }

  /** Rewrites model.safetensors with one tensor's metadata entry or bytes replaced. */
  private static void rewrite(Path dir, String name, String meta, RawTensor replacement) throws Exception {
    Map<String, RawTensor> raw = new LinkedHashMap<>(Safetensors.readAll(dir.resolve(HfCheckpoint.WEIGHTS)));
    Map<String, String> md;
    try (var sf = Safetensors.open(dir.resolve(HfCheckpoint.WEIGHTS))) {
      md = new LinkedHashMap<>(sf.metadata());
    }
    if (meta != null) md.put(name, meta);
    if (replacement != null) raw.put(name, replacement);
    Safetensors.write(dir.resolve(HfCheckpoint.WEIGHTS), raw, md);
  }

  private static Path savedQ4(Path dir) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(2));
    QuantizedCheckpoint.save(dir, m, quantize(m, QuantFormat.Q4_0), m.quantization(), null);
    return dir;
  }

  @Test
  void unknownFormatInTheMetadataIsAFormatError(@TempDir Path dir) throws Exception {
    rewrite(savedQ4(dir), "model.layers.1.self_attn.q_proj.weight", "q3_k[128,128]", null);
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("tensor 'model.layers.1.self_attn.q_proj.weight'").hasMessageContaining("unknown quantization format 'q3_k'")
        .hasMessageContaining("expected one of q8_0, q4_0, int8, int4g128");
  }

  @Test
  void packedBytesThatDoNotMatchTheShapeAreAFormatError(@TempDir Path dir) throws Exception {
    rewrite(savedQ4(dir), "model.layers.0.mlp.up_proj.weight", null, RawTensor.ofBytes(dev.fathom.io.StDType.U8, new long[] {384, 60},
        new byte[384 * 60]));
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("has packed shape [384, 60], expected [384, 72] for q4_0 [384, 128]");
  }

  @Test
  void aLogicalShapeOtherThanTheConfigsIsAFormatError(@TempDir Path dir) throws Exception {
    rewrite(savedQ4(dir), "model.layers.0.mlp.up_proj.weight", "q4_0[384,96]", null);
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("logical shape [384, 96], expected [384, 128] from config.json");
  }

  @Test
  void missingMetadataEntryIsAFormatError(@TempDir Path dir) throws Exception {
    rewrite(savedQ4(dir), "model.layers.0.mlp.up_proj.weight", "", null);
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("expected a safetensors metadata entry 'model.layers.0.mlp.up_proj.weight' like \"q4_0[rows,cols]\", got \"\"");
  }

  @Test
  void packedTensorsWithoutQuantizationConfigAreAFormatError(@TempDir Path dir) throws Exception {
    savedQ4(dir);
    HfCheckpoint.writeConfig(dir, CONFIG);
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("holds packed quantized bytes (U8), but config.json has no quantization_config");
  }

  @Test
  void unknownFormatInQuantizationConfigIsAFormatError(@TempDir Path dir) throws Exception {
    savedQ4(dir);
    Path c = dir.resolve(HfCheckpoint.CONFIG);
    Files.writeString(c, Files.readString(c).replace("\"format\" : \"q4_0\"", "\"format\" : \"nf4\""));
    assertThatThrownBy(() -> HfCheckpoint.load(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("quantization_config.format: unknown quantization format 'nf4'");
  }
}
