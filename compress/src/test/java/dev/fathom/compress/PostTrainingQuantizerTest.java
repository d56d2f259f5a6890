package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PostTrainingQuantizerTest {
  private static final LlamaConfig CONFIG = LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, false);

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void rtnQuantizesTheProjectionsAndKeepsEmbeddingsNormsAndHeadFloat(QuantFormat f) {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(1));
    Map<String, float[]> before = new java.util.HashMap<>();
    m.namedParameters().forEach((k, v) -> before.put(k, v.data().clone()));
    Map<String, QuantizedMatrix> q = PostTrainingQuantizer.quantize(m, QuantizationMethod.RTN, f, null);
    assertThat(q).hasSize(2 * 7);
    assertThat(m.quantizedWeights()).isEqualTo(q);
    assertThat(m.quantization().format()).isEqualTo(f.id());
    for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
      String name = e.getKey();
      if (q.containsKey(name)) {
        assertThat(e.getValue().data()).as(name + " holds its dequantized values").containsExactly(q.get(name).dequantize());
        assertThat(e.getValue().data()).as(name + " changed").isNotEqualTo(before.get(name));
      } else {
        assertThat(name).doesNotEndWith("_proj.weight");
        assertThat(e.getValue().data()).as(name + " untouched").containsExactly(before.get(name));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = QuantizationMethod.class, names = {"GPTQ", "AWQ"})
  void calibratedMethodsAttachPackedMatricesHoldingTheModelsValues(QuantizationMethod method) {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(1));
    CalibrationSet calib = CalibrationSet.sample(new Rng(2).permutation(64), 16, 6, 3);
    Map<String, QuantizedMatrix> q = PostTrainingQuantizer.quantize(m, method, QuantFormat.Q4_0, calib);
    assertThat(q).hasSize(2 * 7);
    assertThat(m.quantization().method()).isEqualTo(method.id());
    q.forEach((name, mat) -> assertThat(m.namedParameters().get(name).data()).as(name).containsExactly(mat.dequantize()));
    LlamaForCausalLM fake = new LlamaForCausalLM(CONFIG, new Rng(1));
    Map<String, GridWeights> g = PostTrainingQuantizer.round(fake, method, dev.fathom.quant.GroupGrid.INT3_G32, calib);
    assertThat(fake.quantization()).as("int3g32 stays a float model").isNull();
    g.forEach((name, gw) -> assertThat(java.util.Arrays.stream(toDouble(fake.namedParameters().get(name).data())).limit(32).distinct().count())
        .as(name + ": a group of 32 holds at most 8 levels").isLessThanOrEqualTo(8));
  }

  @Test
  void blocksOf32BeatOneScalePerTensorAtFourBits() {
    LlamaForCausalLM a = new LlamaForCausalLM(CONFIG, new Rng(2)), b = new LlamaForCausalLM(CONFIG, new Rng(2)), ref = new LlamaForCausalLM(CONFIG, new Rng(2));
    // a few outliers, as trained weights have: they stretch a per-tensor scale
    for (LlamaForCausalLM m : new LlamaForCausalLM[] {a, b, ref}) {
      PostTrainingQuantizer.forEachProjection(m, (n, t) -> {
        for (int i = 0; i < t.numel(); i += 997) t.data()[i] *= 10;
      });
    }
    PostTrainingQuantizer.quantize(a, QuantizationMethod.RTN, QuantFormat.Q4_0, null);
    PerTensorBaseline.apply(b);
    double ea = 0, eb = 0;
    for (Map.Entry<String, Tensor> e : ref.namedParameters().entrySet()) {
      float[] r = e.getValue().data(), x = a.namedParameters().get(e.getKey()).data(), y = b.namedParameters().get(e.getKey()).data();
      for (int i = 0; i < r.length; i++) {
        ea += (x[i] - r[i]) * (double) (x[i] - r[i]);
        eb += (y[i] - r[i]) * (double) (y[i] - r[i]);
      }
    }
    assertThat(ea).isPositive().isLessThan(eb / 3);
  }

  @Test
  void perTensorBaselineUsesSixteenLevelsPerMatrix() {
    float[] w = new float[200];
    for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i) * (i == 17 ? 3 : 1);
    PerTensorBaseline.roundToGrid(w);
    assertThat(java.util.Arrays.stream(toDouble(w)).distinct().count()).isLessThanOrEqualTo(16).isGreaterThan(4);
  }

  private static double[] toDouble(float[] w) {
    double[] d = new double[w.length];
    for (int i = 0; i < w.length; i++) d[i] = w[i];
    return d;
  }

  @Test
  void badRequestsFailWithWhatWasExpected() {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(3));
    CalibrationSet calib = CalibrationSet.sample(new int[] {1, 2, 3, 4}, 2, 2, 0);
    assertThatThrownBy(() -> PostTrainingQuantizer.quantize(m, QuantizationMethod.SMOOTHQUANT, QuantFormat.Q4_0, calib))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected format int8, got q4_0");
    for (QuantizationMethod needs : new QuantizationMethod[] {QuantizationMethod.GPTQ, QuantizationMethod.AWQ}) {
      assertThatThrownBy(() -> PostTrainingQuantizer.quantize(m, needs, QuantFormat.Q4_0, null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + needs + "' needs calibration data (--calib FILE), none was given");
    }
    assertThatThrownBy(() -> CalibrationSet.sample(new int[] {1, 2, 3}, 8, 2, 0))
        .hasMessageContaining("the text has 3 tokens, expected at least one window of 8");
    assertThatThrownBy(() -> QuantizationMethod.parse("hqq")).hasMessageContaining("unknown quantization method 'hqq'")
        .hasMessageContaining("rtn, gptq, awq, smoothquant");
    LlamaForCausalLM odd = new LlamaForCausalLM(LlamaConfig.llama(64, 96, 200, 1, 4, 2, 32, false), new Rng(4));
    assertThatThrownBy(() -> PostTrainingQuantizer.quantize(odd, QuantizationMethod.RTN, QuantFormat.Q4_0, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.layers.0.mlp.down_proj.weight")
        .hasMessageContaining("multiple of the block size 32, got 200");  // int4g128 takes it: a short last group (ShortGroupMethodsTest)
    PostTrainingQuantizer.quantize(m, QuantizationMethod.RTN, QuantFormat.Q8_0, null);
    assertThatThrownBy(() -> PostTrainingQuantizer.quantize(m, QuantizationMethod.RTN, QuantFormat.Q4_0, null))
        .hasMessageContaining("already quantized (q8_0)");
  }
}
