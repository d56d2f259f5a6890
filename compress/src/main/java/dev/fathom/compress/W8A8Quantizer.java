package dev.fathom.compress;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizationConfig;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.quant.W8A8Matrix;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * W8A8 quantization of a Llama-family model: every decoder projection gets int8 weights per
 * output channel, and at run time its inputs are quantized to int8 per token
 * ({@link W8A8Matrix}). Three methods:
 * <ul>
 *   <li>{@code w8a8}: plain, no calibration;
 *   <li>{@code smoothquant}: {@link SmoothQuant} scales folded layer by layer first (calibration);
 *   <li>{@code llm-int8}: the input columns whose calibration activations reach |x| &gt; threshold
 *       stay float32, weights and activations alike (LLM.int8's decomposition with the outlier
 *       set fixed at calibration, so the kept columns are stored in the checkpoint and the run-time
 *       cost is a gather of k values per token, not a scan for outliers).
 * </ul>
 * The embeddings, norms and head stay float as in {@link PostTrainingQuantizer}.
 */
public final class W8A8Quantizer {
  private W8A8Quantizer() {}

  /** What {@link #quantize} did. @param floatColumns input columns kept float over all projections, @param columns all input columns */
  public record Result(Map<String, W8A8Matrix> weights, long floatColumns, long columns) {
    /** Share of projection input columns computed in float. */
    public double floatFraction() {
      return columns == 0 ? 0 : (double) floatColumns / columns;
    }
  }

  /**
   * Quantizes {@code model} in place: the float projections become the weights the W8A8
   * arithmetic uses, and the int8 matrices and W8A8 matrices are attached (ready for
   * {@code QuantizedCheckpoint.save}, generation and the autograd forward).
   *
   * @param calibration calibration windows (required by smoothquant and llm-int8)
   * @throws IllegalArgumentException for a model already quantized, a method that is not W8A8, or missing calibration
   */
  public static Result quantize(LlamaForCausalLM model, QuantizationMethod method, CalibrationSet calibration, W8A8Config config) {
    if (model.quantization() != null) {
      throw new IllegalArgumentException("the model is already quantized (" + model.quantization().format() + "); start from a float model");
    }
    if (!method.quantizesActivations()) throw new IllegalArgumentException("method '" + method + "' is not a W8A8 method (w8a8, smoothquant, llm-int8)");
    if (method.needsCalibration() && calibration == null) {
      throw new IllegalArgumentException("quantization method '" + method + "' needs calibration data (--calib FILE), none was given");
    }
    Map<String, int[]> outliers = new LinkedHashMap<>();
    switch (method) {
      case SMOOTHQUANT -> LayerwiseCalibration.run(model, calibration, PostTrainingQuantizer.CALIBRATION_BATCH,
          (i, layer, inputs) -> SmoothQuant.smoothLayer(layer, inputs, config.alpha()));
      case LLM_INT8 -> LayerwiseCalibration.run(model, calibration, PostTrainingQuantizer.CALIBRATION_BATCH, (i, layer, inputs) -> {
        Map<String, float[]> act = ActivationMax.collect(layer, inputs);
        for (String name : LayerwiseCalibration.linears(layer).keySet()) {
          int[] cols = above(act.get(name), config.threshold());
          if (cols.length > 0) outliers.put(PostTrainingQuantizer.paramName(i, name), cols);
        }
      });
      default -> { }
    }
    Map<String, W8A8Matrix> w8a8 = new LinkedHashMap<>();
    Map<String, QuantizedMatrix> int8 = new LinkedHashMap<>();
    long[] counts = new long[2];
    PostTrainingQuantizer.forEachProjection(model, (name, t) -> {
      int[] cols = outliers.getOrDefault(name, new int[0]);
      W8A8Matrix m = W8A8Matrix.quantize(t.data(), t.size(0), t.size(1), cols);
      m.dequantizeInto(t.data(), 0);
      w8a8.put(name, m);
      int8.put(name, m.int8());
      counts[0] += cols.length;
      counts[1] += t.size(1);
    });
    model.attachQuantized(QuantizationConfig.w8a8(method.id(), PostTrainingQuantizer.NOT_CONVERTED,
        method == QuantizationMethod.SMOOTHQUANT ? config.alpha() : null, method == QuantizationMethod.LLM_INT8 ? config.threshold() : null,
        outliers), int8);
    model.attachW8A8(w8a8);
    return new Result(w8a8, counts[0], counts[1]);
  }

  /** The indices j with m_j &gt; threshold, increasing. */
  static int[] above(float[] m, double threshold) {
    int n = 0;
    for (float v : m) if (v > threshold) n++;
    int[] out = new int[n];
    for (int j = 0, c = 0; j < m.length; j++) if (m[j] > threshold) out[c++] = j;
    return out;
  }
}
