package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.W8A8Matrix;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SmoothQuant, LLM.int8 and outlier injection on small models and layers. */
class W8A8Test {
  /** No grouped-query heads, so the v→o folds apply too. */
  private static final LlamaConfig CONFIG = LlamaConfig.llama(64, 128, 256, 2, 4, 4, 32, false);
  private static final Tensor IDS = Tensor.ofLongs(java.util.stream.LongStream.range(0, 48).map(i -> (i * 7) % 64).toArray(), 2, 24);

  private static float[] logits(LlamaForCausalLM m) {
    try (var g = Grad.disabled()) {
      return m.forward(IDS).toFloatArray();
    }
  }

  private static void assertSameFunction(float[] before, float[] after, String what) {
    double maxAbs = 0;
    for (float v : before) maxAbs = Math.max(maxAbs, Math.abs(v));
    for (int i = 0; i < before.length; i++) {
      assertThat((double) after[i]).as("%s: logit %d", what, i).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-4 * maxAbs + 1e-5));
    }
  }

  private static double meanSq(float[] a, float[] b) {
    double e = 0;
    for (int i = 0; i < a.length; i++) e += (a[i] - b[i]) * (double) (a[i] - b[i]);
    return e / a.length;
  }

  private static CalibrationSet calib() {
    return CalibrationSet.sample(new Rng(6).permutation(64), 24, 8, 1);
  }

  @Test
  void outlierInjectionPreservesTheLogitsAndCreatesLargeChannels() {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(5));
    float[] before = logits(m);
    float[] norm = m.namedParameters().get("model.layers.0.input_layernorm.weight").data().clone();
    int n = new OutlierInjection(0.01, 20, 50, 3).apply(m);
    assertThat(n).as("round(1%% of 128) = 1 channel for q/k/v, o, gate/up; round(1%% of 256) = 3 for down; 2 layers").isEqualTo(2 * (1 + 1 + 1 + 3));
    float[] after = m.namedParameters().get("model.layers.0.input_layernorm.weight").data();
    int scaled = 0;
    for (int j = 0; j < norm.length; j++) {
      if (after[j] != norm[j]) {
        scaled++;
        assertThat(after[j] / norm[j]).isBetween(19.99f, 50.01f);
      }
    }
    assertThat(scaled).isEqualTo(1);
    assertSameFunction(before, logits(m), "injected");
  }

  @Test
  void smoothQuantLeavesTheFloatModelUnchanged() {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(5));
    new OutlierInjection(0.05, 20, 50, 4).apply(m);
    float[] before = logits(m);
    float[] norm0 = m.namedParameters().get("model.layers.0.input_layernorm.weight").data().clone();
    List<float[]>[] scales = new List[2];
    LayerwiseCalibration.run(m, calib(), 4, (i, layer, inputs) -> scales[i] = SmoothQuant.smoothLayer(layer, inputs, 0.5));
    for (List<float[]> s : scales) assertThat(s).hasSize(4).doesNotContainNull();
    assertThat(m.namedParameters().get("model.layers.0.input_layernorm.weight").data()).isNotEqualTo(norm0);
    assertSameFunction(before, logits(m), "smoothed");
  }

  /** A layer whose inputs have 1% channels ×40, as LLM activations do. */
  private static LayerData outlierLayer() {
    LayerData d = LayerData.random(48, 256, 200, false, 41);
    for (int r = 0; r < d.n; r++) for (int j = 7; j < d.cols; j += 100) d.x[r * d.cols + j] *= 40;
    return d;
  }

  private static double w8a8Error(LayerData d, float[] w, float[] x, int[] floatCols) {
    float[] y = new float[d.n * d.rows];
    W8A8Matrix.quantize(w, d.rows, d.cols, floatCols).apply(x, d.n, null, y, false);
    double e = 0;
    for (int r = 0; r < d.n; r++) {
      for (int o = 0; o < d.rows; o++) {
        double ref = 0;
        for (int i = 0; i < d.cols; i++) ref += (double) d.w[o * d.cols + i] * d.x[r * d.cols + i];
        e += (y[r * d.rows + o] - ref) * (y[r * d.rows + o] - ref);
      }
    }
    return e;
  }

  @Test
  void smoothingReducesTheW8A8ErrorOfALayerWithOutlierChannels() {
    LayerData d = outlierLayer();
    float[] xMax = new float[d.cols], wMax = new float[d.cols];
    ActivationMax.accumulate(xMax, d.x);
    ActivationMax.accumulate(wMax, d.w);
    float[] s = SmoothQuant.scales(xMax, wMax, 0.5);
    float[] ws = d.w.clone(), xs = d.x.clone();
    for (int i = 0; i < ws.length; i++) ws[i] *= s[i % d.cols];
    for (int i = 0; i < xs.length; i++) xs[i] /= s[i % d.cols];
    double plain = w8a8Error(d, d.w, d.x, new int[0]), smooth = w8a8Error(d, ws, xs, new int[0]);
    assertThat(smooth).as("SmoothQuant %s vs plain %s", smooth, plain).isLessThan(0.5 * plain);
    assertThat(SmoothQuant.scales(new float[] {0, 4}, new float[] {2, 0}, 0.5)).as("dead channels keep 1").containsExactly(1f, 1f);
    assertThat(SmoothQuant.scales(new float[] {16}, new float[] {4}, 0.5)).containsExactly(2f);
  }

  @Test
  void llmInt8KeepsTheOutlierColumnsAndBeatsPlainW8A8() {
    LayerData d = outlierLayer();
    float[] xMax = new float[d.cols];
    ActivationMax.accumulate(xMax, d.x);
    int[] cols = W8A8Quantizer.above(xMax, 6.0);
    assertThat(cols).containsExactly(7, 107, 207);
    assertThat(w8a8Error(d, d.w, d.x, cols)).isLessThan(0.1 * w8a8Error(d, d.w, d.x, new int[0]));
  }

  @Test
  void onAModelWithInjectedOutliersBothMethodsBeatPlainW8A8() {
    float[] ref = null;
    double[] err = new double[3];
    QuantizationMethod[] methods = {QuantizationMethod.W8A8, QuantizationMethod.SMOOTHQUANT, QuantizationMethod.LLM_INT8};
    for (int k = 0; k < 3; k++) {
      LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(5));
      new OutlierInjection(0.02, 20, 50, 4).apply(m);
      if (ref == null) ref = logits(m);
      W8A8Quantizer.Result r = W8A8Quantizer.quantize(m, methods[k], calib(), W8A8Config.defaults());
      assertThat(r.weights()).hasSize(2 * 7);
      assertThat(m.quantization().activationBits()).isEqualTo(8);
      if (methods[k] == QuantizationMethod.LLM_INT8) assertThat(r.floatColumns()).isPositive().isLessThan(r.columns() / 10);
      err[k] = meanSq(logits(m), ref);
    }
    assertThat(err[1]).as("smoothquant %s vs plain %s", err[1], err[0]).isLessThan(0.5 * err[0]);
    assertThat(err[2]).as("llm-int8 %s vs plain %s", err[2], err[0]).isLessThan(0.5 * err[0]);
  }

  @Test
  void badRequestsFailWithWhatWasExpected() {
    assertThatThrownBy(() -> new W8A8Config(1.5, 6)).hasMessageContaining("alpha: expected a number in [0, 1], got 1.5");
    assertThatThrownBy(() -> new W8A8Config(-0.1, 6)).hasMessageContaining("got -0.1");
    assertThatThrownBy(() -> new W8A8Config(0.5, 0)).hasMessageContaining("threshold: expected a finite number > 0, got 0.0");
    assertThatThrownBy(() -> new OutlierInjection(0, 20, 50, 0)).hasMessageContaining("expected a number in (0, 1], got 0.0");
    assertThatThrownBy(() -> new OutlierInjection(0.01, 50, 20, 0)).hasMessageContaining("1 <= min <= max");
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(3));
    for (QuantizationMethod needs : new QuantizationMethod[] {QuantizationMethod.SMOOTHQUANT, QuantizationMethod.LLM_INT8}) {
      assertThatThrownBy(() -> W8A8Quantizer.quantize(m, needs, null, W8A8Config.defaults()))
          .hasMessageContaining("'" + needs + "' needs calibration data (--calib FILE), none was given");
    }
    assertThatThrownBy(() -> PostTrainingQuantizer.quantize(m, QuantizationMethod.SMOOTHQUANT, QuantFormat.Q4_0, calib()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected format int8, got q4_0");
    assertThatThrownBy(() -> W8A8Quantizer.quantize(m, QuantizationMethod.GPTQ, calib(), W8A8Config.defaults()))
        .hasMessageContaining("not a W8A8 method");
  }
}
