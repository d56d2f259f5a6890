package dev.fathom.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.Safetensors;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.quant.W8A8Matrix;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** W8A8 checkpoints: activation quantization and float outlier columns survive save/load; hostile configs are refused. */
public class W8A8CheckpointTest {
  static final LlamaConfig CONFIG = QuantizedCheckpointTest.CONFIG;
  static final String WITH_OUTLIERS = "model.layers.0.self_attn.q_proj.weight";

  /** W8A8-quantizes every projection in place and attaches it; q_proj of layer 0 keeps columns 3 and 70 in float. */
  public static Map<String, W8A8Matrix> quantize(LlamaForCausalLM m) {
    Map<String, W8A8Matrix> w = new LinkedHashMap<>();
    Map<String, QuantizedMatrix> q = new LinkedHashMap<>();
    Map<String, int[]> cols = new LinkedHashMap<>();
    cols.put(WITH_OUTLIERS, new int[] {3, 70});
    for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
      if (!e.getKey().endsWith("_proj.weight")) continue;
      Tensor t = e.getValue();
      W8A8Matrix a = W8A8Matrix.quantize(t.data(), t.size(0), t.size(1), cols.getOrDefault(e.getKey(), new int[0]));
      a.dequantizeInto(t.data(), 0);
      w.put(e.getKey(), a);
      q.put(e.getKey(), a.int8());
    }
    m.attachQuantized(QuantizationConfig.w8a8("llm-int8", List.of("lm_head"), null, 6.0, cols), q);
    m.attachW8A8(w);
    return w;
  }

  static float[] logits(LlamaForCausalLM m) {
    Tensor ids = Tensor.ofLongs(java.util.stream.LongStream.range(0, 32).map(i -> (i * 11) % 64).toArray(), 2, 16);
    try (var g = Grad.disabled()) {
      return m.forward(ids).toFloatArray();
    }
  }

  @Test
  void saveThenLoadKeepsActivationQuantizationAndTheFloatColumns(@TempDir Path dir) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(3));
    // a few large input channels, so that rounding activations per token visibly costs something
    float[] emb = m.model().embedTokens().weight.data();
    for (int t = 0; t < 64; t++) emb[t * 128 + 5] *= 40;
    LlamaForCausalLM weightOnly = new LlamaForCausalLM(CONFIG, new Rng(3));
    System.arraycopy(emb, 0, weightOnly.model().embedTokens().weight.data(), 0, emb.length);
    Map<String, W8A8Matrix> w = quantize(m);
    float[] expected = logits(m);
    QuantizedCheckpoint.save(dir, m, m.quantizedWeights(), m.quantization(), null);
    LlamaForCausalLM back = HfCheckpoint.load(dir);
    assertThat(back.quantization().activationBits()).isEqualTo(8);
    assertThat(back.quantization().activationGranularity()).isEqualTo("per_token");
    assertThat(back.quantization().outlierColumnsOf(WITH_OUTLIERS)).containsExactly(3, 70);
    assertThat(back.w8a8Weights().keySet()).containsExactlyInAnyOrderElementsOf(w.keySet());
    assertThat(back.w8a8Weights().get(WITH_OUTLIERS).outlierWeights()).containsExactly(w.get(WITH_OUTLIERS).outlierWeights());
    back.namedParameters().forEach((n, t) -> assertThat(t.data()).as(n).containsExactly(m.namedParameters().get(n).data()));
    assertThat(logits(back)).as("the loaded model runs the same W8A8 arithmetic").containsExactly(expected);
    // the same weights without activation quantization give other logits: the forward really rounds activations
    m.namedParameters().forEach((n, t) -> System.arraycopy(t.data(), 0, weightOnly.namedParameters().get(n).data(), 0, t.numel()));
    float[] fq = logits(weightOnly);
    double diff = 0;
    for (int i = 0; i < fq.length; i++) diff = Math.max(diff, Math.abs(fq[i] - expected[i]));
    assertThat(diff).isGreaterThan(1e-4);
    assertThat(Files.readString(dir.resolve(HfCheckpoint.CONFIG))).contains("\"activation_bits\" : 8").contains("\"outlier_columns\"");
  }

  private static Path saved(Path dir) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(2));
    quantize(m);
    QuantizedCheckpoint.save(dir, m, m.quantizedWeights(), m.quantization(), null);
    return dir;
  }

  private static void editConfig(Path dir, String from, String to) throws Exception {
    Path c = dir.resolve(HfCheckpoint.CONFIG);
    String s = Files.readString(c);
    assertThat(s).contains(from);
    Files.writeString(c, s.replace(from, to));
  }

  @Test
  void hostileQuantizationConfigsAreFormatErrors(@TempDir Path root) throws Exception {
    String[][] cases = {
        {"\"activation_bits\" : 8", "\"activation_bits\" : 4", "activation_bits: expected 8 (or none), got 4"},
        {"\"activation_granularity\" : \"per_token\"", "\"activation_granularity\" : \"per_tensor\"", "expected \"per_token\", got \"per_tensor\""},
        {"\"outlier_threshold\" : 6.0", "\"outlier_threshold\" : -1.0", "outlier_threshold: expected a finite number > 0, got -1.0"},
        {"\"outlier_threshold\" : 6.0", "\"outlier_threshold\" : 6.0, \"smoothing_alpha\" : 1.5", "smoothing_alpha: expected a number in [0, 1], got 1.5"},
        {"\"format\" : \"int8\"", "\"format\" : \"q8_0\"", "activation_bits 8 needs format \"int8\", got \"q8_0\""},
        {"70 ]", "2 ]", "expected strictly increasing column indices >= 0, got 2 at position 1"},
        {"70 ]", "700 ]", "expected strictly increasing indices in [0, 128), got 700"},
        {"\"outlier_columns\" : {", "\"outlier_columns\" : { \"lm_head.weight\" : [ 1 ],", "names 'lm_head.weight', which is not an int8 weight"},
    };
    int i = 0;
    for (String[] c : cases) {
      Path dir = saved(root.resolve("c" + i++));
      editConfig(dir, c[0], c[1]);
      assertThatThrownBy(() -> HfCheckpoint.load(dir)).as(c[1]).isInstanceOf(FormatException.class).hasMessageContaining(c[2]);
    }
  }

  @Test
  void missingOrMisshapenOutlierTensorsAreFormatErrors(@TempDir Path root) throws Exception {
    String name = WITH_OUTLIERS + "_outliers";
    Path a = saved(root.resolve("a"));
    Map<String, RawTensor> raw = new LinkedHashMap<>(Safetensors.readAll(a.resolve(HfCheckpoint.WEIGHTS)));
    raw.remove(name);
    try (var sf = Safetensors.open(a.resolve(HfCheckpoint.WEIGHTS))) {
      Safetensors.write(a.resolve(HfCheckpoint.WEIGHTS), raw, sf.metadata());
    }
    assertThatThrownBy(() -> HfCheckpoint.load(a)).isInstanceOf(FormatException.class).hasMessageContaining(name + "' is missing");
    Path b = saved(root.resolve("b"));
    raw = new LinkedHashMap<>(Safetensors.readAll(b.resolve(HfCheckpoint.WEIGHTS)));
    Map<String, String> meta;
    try (var sf = Safetensors.open(b.resolve(HfCheckpoint.WEIGHTS))) {
      meta = sf.metadata();
    }
    raw.put(name, RawTensor.ofFloats(new long[] {128, 3}, new float[128 * 3]));
    Safetensors.write(b.resolve(HfCheckpoint.WEIGHTS), raw, meta);
    assertThatThrownBy(() -> HfCheckpoint.load(b)).isInstanceOf(FormatException.class).hasMessageContaining("expected F32 [128, 2], got F32 [128, 3]");
    float[] nan = new float[128 * 2];
    nan[7] = Float.NaN;
    raw.put(name, RawTensor.ofFloats(new long[] {128, 2}, nan));
    Safetensors.write(b.resolve(HfCheckpoint.WEIGHTS), raw, meta);
    assertThatThrownBy(() -> HfCheckpoint.load(b)).isInstanceOf(FormatException.class).hasMessageContaining("not finite");
  }
}
