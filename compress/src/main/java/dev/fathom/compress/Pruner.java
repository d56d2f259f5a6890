package dev.fathom.compress;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.Linear;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pruning the decoder projections of a Llama-family model in place (zeros where weights go; the
 * model stays an ordinary float model). Magnitude needs no data; Wanda and SparseGPT run layer by
 * layer on calibration windows ({@link LayerwiseCalibration}), each layer seeing the outputs of
 * the already-pruned layers before it, as both references do.
 */
public final class Pruner {
  private Pruner() {}

  /**
   * @param calibration calibration windows (null: none; Wanda and SparseGPT need them)
   * @return the share of zeros of each pruned matrix, by parameter name
   * @throws IllegalArgumentException if the model is quantized, calibration is missing where the
   *     method needs it, or an n:m group does not divide a projection's in-features
   */
  public static Map<String, Double> prune(LlamaForCausalLM model, PruneConfig config, CalibrationSet calibration) {
    if (model.quantization() != null) {
      throw new IllegalArgumentException("the model is quantized (" + model.quantization().format() + "); prune a float model");
    }
    if (config.method().needsCalibration() && calibration == null) {
      throw new IllegalArgumentException("pruning method '" + config.method() + "' needs calibration data (--calib FILE), none was given");
    }
    if (config.structured()) {
      PostTrainingQuantizer.forEachProjection(model, (name, t) -> {
        try {
          PruningMasks.checkGroups(t.size(1), config.group());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
      });
    }
    switch (config.method()) {
      case MAGNITUDE -> {
        if (config.global()) globalMagnitude(model, config.sparsity());
        else PostTrainingQuantizer.forEachProjection(model, (name, t) -> LayerPruning.magnitude(t.data(), t.size(0), t.size(1), config));
      }
      case WANDA, SPARSEGPT -> LayerwiseCalibration.run(model, calibration, PostTrainingQuantizer.CALIBRATION_BATCH, (i, layer, inputs) -> {
        Map<String, LinearStats> stats = LayerwiseCalibration.collect(layer, inputs);
        for (Map.Entry<String, Linear> e : LayerwiseCalibration.linears(layer).entrySet()) {
          Tensor w = e.getValue().weight;
          LinearStats s = stats.get(e.getKey());
          if (config.method() == PruningMethod.WANDA) LayerPruning.wanda(w.data(), w.size(0), w.size(1), s.columnNorms(), config);
          else LayerPruning.sparseGpt(w.data(), w.size(0), w.size(1), s.hessian(), config, GptqConfig.defaults());
        }
      });
    }
    Map<String, Double> out = new LinkedHashMap<>();
    PostTrainingQuantizer.forEachProjection(model, (name, t) -> out.put(name, zeroShare(t.data())));
    return out;
  }

  /** One threshold on |W| over all projections together: exactly round(p·total) weights go. */
  private static void globalMagnitude(LlamaForCausalLM model, double p) {
    List<Tensor> ts = new ArrayList<>();
    PostTrainingQuantizer.forEachProjection(model, (name, t) -> ts.add(t));
    int total = 0;
    for (Tensor t : ts) total = Math.addExact(total, t.numel());
    float[] score = new float[total];
    int at = 0;
    for (Tensor t : ts) for (float v : t.data()) score[at++] = Math.abs(v);
    boolean[] mask = new boolean[total];
    PruningMasks.lowest(score, 0, total, PruningMasks.share(p, 0, total), mask, 0);
    at = 0;
    for (Tensor t : ts) {
      float[] d = t.data();
      for (int i = 0; i < d.length; i++) if (mask[at++]) d[i] = 0f;
    }
  }

  static double zeroShare(float[] w) {
    long z = 0;
    for (float v : w) if (v == 0f) z++;
    return (double) z / w.length;
  }
}
