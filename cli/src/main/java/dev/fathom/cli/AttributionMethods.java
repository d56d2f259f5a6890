package dev.fathom.cli;

import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Attribution;
import dev.fathom.xai.Baseline;
import dev.fathom.xai.GradientShap;
import dev.fathom.xai.GradientTimesInput;
import dev.fathom.xai.IntegratedGradients;
import dev.fathom.xai.Occlusion;
import dev.fathom.xai.Quadrature;
import dev.fathom.xai.Saliency;
import dev.fathom.xai.SmoothGrad;
import dev.fathom.xai.shap.KernelShapConfig;
import dev.fathom.xai.shap.LimeConfig;
import dev.fathom.xai.shap.ModelAgnostic;
import java.util.List;

/** The attribution methods of {@code fathom explain}, by name, with the command's settings. */
final class AttributionMethods {
  static final List<String> NAMES = List.of("saliency", "gradient", "gradxinput", "ig", "smoothgrad", "gradshap", "occlusion", "shap", "lime");

  private AttributionMethods() {}

  /** Rejects a name that is not one of {@link #NAMES}. */
  static void check(String name) {
    if (!NAMES.contains(name)) throw unknown(name);
  }

  private static CliException unknown(String name) {
    return new CliException("--method: unknown method '" + name + "'; choose from " + String.join(", ", NAMES), 2);
  }

  /**
   * @param steps integration steps (ig), samples (smoothgrad, gradshap)
   * @param background examples for gradshap's baselines, KernelSHAP's background and LIME's feature statistics
   * @param window occlusion window (image pixels or tabular features)
   */
  static Attribution create(String name, int steps, Baseline baseline, Tensor background, int window, long seed) {
    return switch (name) {
      case "saliency" -> new Saliency();
      case "gradient" -> new Saliency(false);
      case "gradxinput" -> new GradientTimesInput();
      case "ig" -> new IntegratedGradients(baseline, Quadrature.gaussLegendre(steps));
      case "smoothgrad" -> new SmoothGrad(new Saliency(), steps, 0.15, false, seed);
      case "gradshap" -> new GradientShap(background, steps, seed);
      case "occlusion" -> new Occlusion(window, Math.max(1, window / 2), baseline);
      case "shap" -> ModelAgnostic.kernelShap(ModelAgnostic.rows(background), KernelShapConfig.defaults().withSeed(seed));
      case "lime" -> ModelAgnostic.lime(ModelAgnostic.rows(background), LimeConfig.defaults().withSeed(seed));
      default -> throw unknown(name);
    };
  }
}
