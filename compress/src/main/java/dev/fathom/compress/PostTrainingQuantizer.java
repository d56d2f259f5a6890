package dev.fathom.compress;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizationConfig;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Post-training quantization of a Llama-family model: every linear projection of the decoder
 * blocks (q, k, v, o, gate, up, down) goes onto a {@link GroupGrid} (a {@link QuantFormat}'s, or
 * the float-kept int3g32) by round to nearest, {@link Gptq} or {@link Awq}; the norms stay float
 * (AWQ changes their weights, exactly compensated), and the embedding and the output head are
 * rounded to nearest as {@link OuterTensors} says (float unless asked).
 *
 * <p>GPTQ and AWQ run layer by layer on calibration windows ({@link LayerwiseCalibration}): each
 * layer is calibrated on the outputs of the already-quantized layers before it.
 *
 * <p>The embedding is rounded before any calibration, so GPTQ and AWQ see the embedding the file
 * will hold; the head last. llama.cpp keeps the head at higher precision in its 4-bit mixes: its
 * error lands on the logits with no later layer to average it out ({@link OuterTensors#defaultsFor}).
 */
public final class PostTrainingQuantizer {
  /** The weights quantized: the seven projections of every decoder layer. */
  public static final Pattern PROJECTIONS = Pattern.compile("model\\.layers\\.\\d+\\.(self_attn|mlp)\\.\\w+_proj\\.weight");
  /** What stays float when only the projections are quantized, recorded as modules_not_converted. */
  public static final List<String> NOT_CONVERTED = OuterTensors.floats().notConverted(false);
  /** Calibration windows per forward batch. */
  public static final int CALIBRATION_BATCH = 8;

  private PostTrainingQuantizer() {}

  /**
   * Quantizes {@code model} in place into {@code format}: its float projections become their
   * dequantized values and the packed matrices are attached ({@link LlamaForCausalLM#quantizedWeights()}), ready to save.
   *
   * @param calibration calibration windows, for methods that need them (null: none)
   * @return the packed matrices by parameter name
   * @throws IllegalArgumentException if the model is already quantized, the method needs
   *     calibration data and none came, or a projection's in-features do not suit the format
   */
  public static Map<String, QuantizedMatrix> quantize(LlamaForCausalLM model, QuantizationMethod method, QuantFormat format,
      CalibrationSet calibration) {
    return quantize(model, method, format, calibration, AwqConfig.defaults());
  }

  /** As {@link #quantize(LlamaForCausalLM, QuantizationMethod, QuantFormat, CalibrationSet)}, with AWQ's search settings. */
  public static Map<String, QuantizedMatrix> quantize(LlamaForCausalLM model, QuantizationMethod method, QuantFormat format,
      CalibrationSet calibration, AwqConfig awq) {
    return quantize(model, method, format, calibration, awq, OuterTensors.floats());
  }

  /**
   * As {@link #quantize(LlamaForCausalLM, QuantizationMethod, QuantFormat, CalibrationSet, AwqConfig)},
   * with the embedding and the head rounded as {@code outer} says; their packed matrices are
   * attached and returned with the projections'.
   *
   * @throws IllegalArgumentException also if {@code outer} names a grid with no packed format, or
   *     a W8A8 method is asked to round them
   */
  public static Map<String, QuantizedMatrix> quantize(LlamaForCausalLM model, QuantizationMethod method, QuantFormat format,
      CalibrationSet calibration, AwqConfig awq, OuterTensors outer) {
    outer.checkPackable();
    if (method.quantizesActivations()) {
      if (!outer.allFloat()) throw new IllegalArgumentException("--method " + method + " (W8A8) keeps the embedding and the head float, got " + outer);
      if (format != QuantFormat.INT8) {
        throw new IllegalArgumentException("--method " + method + " quantizes activations to int8 (W8A8): expected format int8, got " + format);
      }
      W8A8Quantizer.quantize(model, method, calibration, W8A8Config.defaults());
      return model.quantizedWeights();
    }
    Map<String, QuantizedMatrix> out = new LinkedHashMap<>();
    Map<String, GridWeights> g = round(model, method, GroupGrid.of(format), calibration, awq, outer, out);
    g.forEach((name, gw) -> {
      QuantizedMatrix q = gw.toMatrix();
      q.dequantizeInto(model.namedParameters().get(name).data(), 0);
      out.put(name, q);
    });
    out.putAll(outer.roundHead(model));
    model.attachQuantized(QuantizationConfig.of(format, method.id(), outer.notConverted(model.config().tieWordEmbeddings())), out);
    return out;
  }

  /**
   * Rounds every projection of {@code model} onto {@code grid} by {@code method}, in place (the
   * float parameters hold the rounded values; nothing is attached, so a grid without a packed
   * format is saved as an ordinary float checkpoint).
   *
   * @return the rounded weights by parameter name
   * @throws IllegalArgumentException as {@link #quantize}
   */
  public static Map<String, GridWeights> round(LlamaForCausalLM model, QuantizationMethod method, GroupGrid grid, CalibrationSet calibration) {
    return round(model, method, grid, calibration, AwqConfig.defaults());
  }

  /** As {@link #round(LlamaForCausalLM, QuantizationMethod, GroupGrid, CalibrationSet)}, with AWQ's search settings. */
  public static Map<String, GridWeights> round(LlamaForCausalLM model, QuantizationMethod method, GroupGrid grid, CalibrationSet calibration,
      AwqConfig awq) {
    return round(model, method, grid, calibration, awq, OuterTensors.floats());
  }

  /**
   * As {@link #round(LlamaForCausalLM, QuantizationMethod, GroupGrid, CalibrationSet, AwqConfig)},
   * with the embedding (first) and the head (last) rounded in place as {@code outer} says.
   */
  public static Map<String, GridWeights> round(LlamaForCausalLM model, QuantizationMethod method, GroupGrid grid, CalibrationSet calibration,
      AwqConfig awq, OuterTensors outer) {
    Map<String, GridWeights> out = round(model, method, grid, calibration, awq, outer, new LinkedHashMap<>());
    outer.roundHead(model);
    return out;
  }

  /** The projections' rounding, after the embedding's (whose packed matrix, if any, goes into {@code packedEmbedding}). */
  private static Map<String, GridWeights> round(LlamaForCausalLM model, QuantizationMethod method, GroupGrid grid, CalibrationSet calibration,
      AwqConfig awq, OuterTensors outer, Map<String, QuantizedMatrix> packedEmbedding) {
    if (model.quantization() != null) {
      throw new IllegalArgumentException("the model is already quantized (" + model.quantization().format() + "); start from a float model");
    }
    if (method.quantizesActivations()) {
      throw new IllegalArgumentException("--method " + method + " quantizes activations (W8A8) and needs a packed int8 format, got " + grid);
    }
    if (method.needsCalibration() && calibration == null) {
      throw new IllegalArgumentException("quantization method '" + method + "' needs calibration data (--calib FILE), none was given");
    }
    forEachProjection(model, (name, t) -> {
      try {
        grid.checkColumns(t.size(1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    });
    outer.checkColumns(model);
    packedEmbedding.putAll(outer.roundEmbedding(model));
    Map<String, GridWeights> out = new LinkedHashMap<>();
    switch (method) {
      case RTN -> forEachProjection(model, (name, t) -> out.put(name, store(t, GridWeights.roundToNearest(grid, t.data(), t.size(0), t.size(1)))));
      case GPTQ -> LayerwiseCalibration.run(model, calibration, CALIBRATION_BATCH, (i, layer, inputs) -> roundLayer(i, layer, inputs, out,
          (name, w, h) -> Gptq.quantize(w.data(), w.size(0), w.size(1), h, grid, GptqConfig.defaults())));
      case AWQ -> LayerwiseCalibration.run(model, calibration, CALIBRATION_BATCH, (i, layer, inputs) -> {
        Awq.scaleLayer(layer, inputs, grid, awq);
        roundLayer(i, layer, inputs, out, (name, w, h) -> !awq.clipQueryKey() && (name.endsWith("q_proj") || name.endsWith("k_proj"))
            ? GridWeights.roundToNearest(grid, w.data(), w.size(0), w.size(1))
            : AwqClip.round(grid, w.data(), w.size(0), w.size(1), h));  // H of the scaled layer's inputs
      });
      default -> throw new IllegalStateException("unreachable: " + method);
    }
    return out;
  }

  /** How one projection of a layer is rounded: its name in the layer (e.g. {@code self_attn.q_proj}), weight, H of its inputs. */
  private interface LayerRounding {
    GridWeights round(String name, Tensor weight, double[] hessian);
  }

  /** Rounds every projection of decoder layer {@code i} by {@code rounding}(name, weight, H of its calibration inputs), in place, into {@code out}. */
  private static void roundLayer(int i, Module layer, List<Tensor> inputs, Map<String, GridWeights> out, LayerRounding rounding) {
    Map<String, LinearStats> stats = LayerwiseCalibration.collect(layer, inputs);
    for (Map.Entry<String, Linear> e : LayerwiseCalibration.linears(layer).entrySet()) {
      Tensor w = e.getValue().weight;
      out.put(paramName(i, e.getKey()), store(w, rounding.round(e.getKey(), w, stats.get(e.getKey()).hessian())));
    }
  }

  private static GridWeights store(Tensor t, GridWeights g) {
    System.arraycopy(g.values(), 0, t.data(), 0, g.values().length);
    return g;
  }

  /** The parameter name of projection {@code name} (e.g. self_attn.q_proj) of layer {@code i}. */
  static String paramName(int i, String name) {
    return "model.layers." + i + "." + name + ".weight";
  }

  /** Calls {@code body} with each projection weight (out, in) of the decoder layers, in parameter order. */
  static void forEachProjection(LlamaForCausalLM model, java.util.function.BiConsumer<String, Tensor> body) {
    Predicate<String> selected = PROJECTIONS.asMatchPredicate();
    for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) if (selected.test(e.getKey())) body.accept(e.getKey(), e.getValue());
  }
}
