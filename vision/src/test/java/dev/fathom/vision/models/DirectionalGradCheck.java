package dev.fathom.vision.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Finite-difference check of a whole model along one random sparse direction per tensor: for the
 * objective {@code L = Σ out·r} (accumulated in double, r a fixed Gaussian), the analytic
 * directional derivative {@code Σ ∇L·d} from autograd must match the central difference
 * {@code (L(θ + h·d) − L(θ − h·d)) / 2h} for the input and every parameter, d being Gaussian on a
 * few random coordinates. A second, smaller step is tried when the first disagrees (a ReLU kink
 * crossed by the step). Core's per-coordinate {@code GradCheck} checks single layers; this checks
 * the wiring of a whole model in one pass per tensor.
 */
final class DirectionalGradCheck {
  /** Coordinates per direction: few, so that a perturbation rarely moves a ReLU across its kink. */
  private static final int COORDS = 4;

  private DirectionalGradCheck() {}

  /** Checks d out / d x (when x requires grad) and d out / d θ for every parameter of the module. */
  static void check(String name, Module module, Tensor x, Supplier<Tensor> forward) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    if (x.requiresGrad()) tensors.put("input", x);
    tensors.putAll(module.namedParameters());
    module.zeroGrad();
    if (x.requiresGrad()) x.setGrad(null);
    Tensor out = forward.get();
    Rng rng = new Rng(11);
    float[] r = new float[out.numel()];
    for (int i = 0; i < r.length; i++) r[i] = (float) rng.nextGaussian();
    out.backward(Tensor.of(r, out.shape()));
    double outScale = 0;
    float[] o = out.toFloatArray();
    for (int i = 0; i < o.length; i++) outScale += Math.abs((double) o[i] * r[i]);
    List<String> failures = new ArrayList<>();
    for (var e : tensors.entrySet()) {
      Tensor t = e.getValue();
      float[] data = t.data(), d = new float[data.length];
      int[] perm = rng.permutation(data.length);
      for (int j = 0; j < Math.min(COORDS, data.length); j++) d[perm[j]] = (float) rng.nextGaussian();
      float[] g = t.grad() == null ? new float[data.length] : t.grad().toFloatArray();
      double analytic = 0;
      for (int i = 0; i < d.length; i++) analytic += (double) g[i] * d[i];
      String failure = null;
      for (double h : new double[] {1e-3, 1.25e-4}) {
        double numeric = difference(forward, r, data, d, h);
        double tol = 2e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + 1e-6 * outScale / h;
        if (Math.abs(analytic - numeric) <= tol) {
          failure = null;
          break;
        }
        failure = String.format("%s: analytic %.6g, numeric %.6g (step %.3g)", e.getKey(), analytic, numeric, h);
      }
      if (failure != null) failures.add(failure);
    }
    assertThat(failures).as(name + ": directional derivatives that differ from finite differences").isEmpty();
  }

  /** Central difference of the objective along d with step h; restores the data. */
  private static double difference(Supplier<Tensor> forward, float[] r, float[] data, float[] d, double h) {
    float[] saved = data.clone();
    for (int i = 0; i < d.length; i++) data[i] = (float) (saved[i] + h * d[i]);
    double lp = objective(forward, r);
    for (int i = 0; i < d.length; i++) data[i] = (float) (saved[i] - h * d[i]);
    double lm = objective(forward, r);
    System.arraycopy(saved, 0, data, 0, data.length);
    return (lp - lm) / (2 * h);
  }

  private static double objective(Supplier<Tensor> forward, float[] r) {
    try (var g = Grad.disabled()) {
      float[] o = forward.get().toFloatArray();
      double s = 0;
      for (int i = 0; i < o.length; i++) s += (double) o[i] * r[i];
      return s;
    }
  }
}
