package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizedCheckpoint;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OuterTensorsTest {
  private static final LlamaConfig CONFIG = LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, false);
  private static final String EMBED = OuterTensors.EMBED, HEAD = OuterTensors.HEAD;

  @Test
  void defaultsFollowLlamaCppWithTheHeadWiderInFourBitFiles() {
    assertThat(OuterTensors.defaultsFor("q8_0")).isEqualTo(new OuterTensors("q8_0", "q8_0"));
    assertThat(OuterTensors.defaultsFor("int8")).isEqualTo(new OuterTensors("int8", "int8"));
    assertThat(OuterTensors.defaultsFor("q4_0")).isEqualTo(new OuterTensors("q4_0", "q8_0"));
    assertThat(OuterTensors.defaultsFor("int4g128")).isEqualTo(new OuterTensors("int4g128", "q8_0"));
    assertThat(OuterTensors.defaultsFor("INT4PT")).as("the per-tensor baseline mirrors q4_0").isEqualTo(new OuterTensors("int4pt", "q8_0"));
    assertThat(OuterTensors.defaultsFor("int3g128")).as("method comparisons keep both float").isEqualTo(OuterTensors.floats());
  }

  @Test
  void aQ4FileHoldsTheEmbeddingInQ4AndTheHeadInQ8AndLoadsBack(@TempDir Path dir) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(1));
    float[] embed = m.namedParameters().get(EMBED).data().clone(), head = m.namedParameters().get(HEAD).data().clone();
    Map<String, QuantizedMatrix> q = PostTrainingQuantizer.quantize(m, QuantizationMethod.RTN, QuantFormat.Q4_0, null, AwqConfig.defaults(),
        OuterTensors.defaultsFor("q4_0"));
    assertThat(q).hasSize(2 * 7 + 2);
    assertThat(q.get(EMBED).format()).isEqualTo(QuantFormat.Q4_0);
    assertThat(q.get(HEAD).format()).isEqualTo(QuantFormat.Q8_0);
    assertThat(m.namedParameters().get(EMBED).data()).containsExactly(q.get(EMBED).dequantize()).isNotEqualTo(embed);
    assertThat(m.namedParameters().get(HEAD).data()).containsExactly(q.get(HEAD).dequantize()).isNotEqualTo(head);
    assertThat(m.quantization().modulesNotConverted()).containsExactly("model.norm", "input_layernorm", "post_attention_layernorm");

    QuantizedCheckpoint.save(dir.resolve("q"), m, q, m.quantization(), null);
    LlamaForCausalLM back = HfCheckpoint.load(dir.resolve("q"));
    assertThat(back.quantizedWeights().keySet()).isEqualTo(q.keySet());
    assertThat(back.quantizedWeights().get(EMBED).format()).isEqualTo(QuantFormat.Q4_0);
    assertThat(back.quantizedWeights().get(HEAD).format()).isEqualTo(QuantFormat.Q8_0);
    assertThat(back.namedParameters().get(EMBED).data()).containsExactly(m.namedParameters().get(EMBED).data());

    LlamaForCausalLM plain = new LlamaForCausalLM(CONFIG, new Rng(1));
    PostTrainingQuantizer.quantize(plain, QuantizationMethod.RTN, QuantFormat.Q4_0, null);
    QuantizedCheckpoint.save(dir.resolve("p"), plain, plain.quantizedWeights(), plain.quantization(), null);
    long outer = Files.size(dir.resolve("q/model.safetensors")), floats = Files.size(dir.resolve("p/model.safetensors"));
    // 2 × 64 × 128 float32 values (65,536 bytes) become 18 + 34 bytes per 32 values (13,312 bytes)
    assertThat(floats - outer).isBetween(52_000L, 52_500L);
  }

  @Test
  void calibratedMethodsSeeTheRoundedEmbedding() {
    CalibrationSet calib = CalibrationSet.sample(new Rng(2).permutation(64), 16, 6, 3);
    LlamaForCausalLM a = new LlamaForCausalLM(CONFIG, new Rng(1)), b = new LlamaForCausalLM(CONFIG, new Rng(1));
    Map<String, QuantizedMatrix> qa = PostTrainingQuantizer.quantize(a, QuantizationMethod.GPTQ, QuantFormat.Q4_0, calib, AwqConfig.defaults(),
        new OuterTensors("q4_0", "float"));
    PostTrainingQuantizer.quantize(b, QuantizationMethod.GPTQ, QuantFormat.Q4_0, calib);
    String first = "model.layers.0.self_attn.q_proj.weight";
    assertThat(a.namedParameters().get(first).data()).as("layer 0's Hessian comes from the rounded embedding")
        .isNotEqualTo(b.namedParameters().get(first).data());
    assertThat(qa).containsKey(EMBED).doesNotContainKey(HEAD);
    assertThat(a.quantization().modulesNotConverted()).contains("lm_head").doesNotContain("model.embed_tokens");
  }

  @Test
  void aTiedHeadIsTheEmbedding(@TempDir Path dir) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, true), new Rng(1));
    Map<String, QuantizedMatrix> q = PostTrainingQuantizer.quantize(m, QuantizationMethod.RTN, QuantFormat.Q8_0, null, AwqConfig.defaults(),
        OuterTensors.defaultsFor("q8_0"));
    assertThat(q).hasSize(2 * 7 + 1).containsKey(EMBED).doesNotContainKey(HEAD);
    assertThat(m.quantization().modulesNotConverted()).doesNotContain("lm_head", "model.embed_tokens");
    QuantizedCheckpoint.save(dir, m, q, m.quantization(), null);
    LlamaForCausalLM back = HfCheckpoint.load(dir);
    assertThat(back.quantizedWeights().get(EMBED).format()).isEqualTo(QuantFormat.Q8_0);
    assertThat(back.headWeight().data()).containsExactly(q.get(EMBED).dequantize());
  }

  @Test
  void floatKeptGridsAndTheBaselineRoundInPlace() {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(1));
    PostTrainingQuantizer.round(m, QuantizationMethod.RTN, GroupGrid.parse("int3g32"), null, AwqConfig.defaults(), new OuterTensors("int3g32", "q8_0"));
    assertThat(m.quantization()).isNull();
    float[] e = m.namedParameters().get(EMBED).data();
    assertThat(Arrays.stream(box(e, 0, 32)).distinct().count()).as("a group of 32 on 3 bits").isLessThanOrEqualTo(8);
    float[] h = m.namedParameters().get(HEAD).data();
    float[] expected = GridWeights.roundToNearest(GroupGrid.of(QuantFormat.Q8_0), new LlamaForCausalLM(CONFIG, new Rng(1)).namedParameters()
        .get(HEAD).data(), 64, 128).values();
    assertThat(h).containsExactly(expected);

    LlamaForCausalLM p = new LlamaForCausalLM(CONFIG, new Rng(1));
    PerTensorBaseline.apply(p, OuterTensors.defaultsFor("int4pt"));
    assertThat(Arrays.stream(box(p.namedParameters().get(EMBED).data(), 0, 64 * 128)).distinct().count()).as("one 4-bit grid for the table")
        .isLessThanOrEqualTo(16);
    assertThat(p.namedParameters().get(HEAD).data()).containsExactly(expected);
  }

  @Test
  void badRequestsSayWhatWasExpected() {
    assertThatThrownBy(() -> new OuterTensors("q5_k", "float")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the embedding's format: expected float, int4pt or one of").hasMessageContaining("got q5_k");
    assertThatThrownBy(() -> new OuterTensors("float", null)).hasMessageContaining("the head's format");
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(1));
    assertThatThrownBy(() -> PostTrainingQuantizer.quantize(m, QuantizationMethod.RTN, QuantFormat.Q4_0, null, AwqConfig.defaults(),
        new OuterTensors("int3g128", "q8_0"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stores the embedding as float or in a packed format").hasMessageContaining("got int3g128");
    assertThat(m.quantization()).as("nothing happened").isNull();
    LlamaForCausalLM narrow = new LlamaForCausalLM(LlamaConfig.llama(64, 48, 96, 1, 4, 2, 32, false), new Rng(1));
    float[] before = narrow.namedParameters().get(EMBED).data().clone();
    assertThatThrownBy(() -> PostTrainingQuantizer.round(narrow, QuantizationMethod.RTN, GroupGrid.parse("int3g16"), null, AwqConfig.defaults(),
        new OuterTensors("q8_0", "float"))).hasMessageContaining(EMBED).hasMessageContaining("got 48");
    assertThat(narrow.namedParameters().get(EMBED).data()).as("checked before any rounding").containsExactly(before);
  }

  private static Double[] box(float[] a, int from, int to) {
    Double[] d = new Double[to - from];
    for (int i = from; i < to; i++) d[i - from] = (double) a[i];
    return d;
  }
}
