package dev.fathom.testing;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Module;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Gradient check by central finite differences.
 *
 * <p>The forward pass runs in float32, so the objective is accumulated in float64 as
 * {@code L = Σ out·r} with a fixed random direction {@code r} (seeded), and the analytic gradient
 * {@code dL/dx} comes from {@code out.backward(r)}. For each checked coordinate x_i the numeric
 * derivative is {@code (L(x_i + h) − L(x_i − h)) / (x_i⁺ − x_i⁻)} with
 * {@code h = relStep·max(1, |x_i|)}, where x_i⁺ and x_i⁻ are the perturbed values after rounding
 * to float (so the step in the denominator is the step really taken). Inputs with more than
 * {@code maxCoords} elements are checked at a seeded random subset of coordinates.
 *
 * <p>A coordinate passes when {@code |analytic − numeric| ≤ rtol·max(|analytic|, |numeric|) +
 * atol}, with {@code atol = atolScale·max|analytic over the input| + 1e-5}: relative for the
 * large entries, and relative to the input's gradient scale for entries near zero (where float32
 * cancellation in L dominates).
 *
 * <pre>{@code
 * GradCheck.check("mul", in -> in.get(0).mul(in.get(1)), x, y);
 * GradCheck.with().relStep(1e-3).verify("max", in -> in.get(0).max(1, false), x);
 * }</pre>
 */
public final class GradCheck {
  private final double relStep;
  private final double rtol;
  private final double atolScale;
  private final int maxCoords;
  private final long seed;

  private GradCheck(double relStep, double rtol, double atolScale, int maxCoords, long seed) {
    this.relStep = relStep;
    this.rtol = rtol;
    this.atolScale = atolScale;
    this.maxCoords = maxCoords;
    this.seed = seed;
  }

  /** Defaults: relStep 1e-2, rtol 1e-2, atolScale 2e-3, at most 24 coordinates per input, seed 7. */
  public static GradCheck with() {
    return new GradCheck(1e-2, 1e-2, 2e-3, 24, 7);
  }

  public GradCheck relStep(double v) {
    return new GradCheck(v, rtol, atolScale, maxCoords, seed);
  }

  public GradCheck rtol(double v) {
    return new GradCheck(relStep, v, atolScale, maxCoords, seed);
  }

  public GradCheck atolScale(double v) {
    return new GradCheck(relStep, rtol, v, maxCoords, seed);
  }

  public GradCheck maxCoords(int v) {
    return new GradCheck(relStep, rtol, atolScale, v, seed);
  }

  public GradCheck seed(long v) {
    return new GradCheck(relStep, rtol, atolScale, maxCoords, v);
  }

  /** {@link #with()}{@code .verify(name, fn, inputs)}. */
  public static void check(String name, Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
    with().verify(name, fn, inputs);
  }

  /** Checks a module's output w.r.t. its input (when it requires grad) and every parameter. */
  public static void checkModule(String name, Module module, Tensor x) {
    with().verifyModule(name, module, x);
  }

  /** Checks a module's output w.r.t. its input (when it requires grad) and every parameter. */
  public void verifyModule(String name, Module module, Tensor x) {
    List<Tensor> inputs = new ArrayList<>();
    inputs.add(x);
    inputs.addAll(module.parameters());
    verify(name, in -> module.call(x), inputs.toArray(new Tensor[0]));
  }

  /**
   * Checks d fn(inputs) / d input for every input that requires grad (inputs must be leaves; the
   * others, such as index tensors, are passed through unchanged). fn must be deterministic and
   * must read its inputs' data at call time.
   *
   * @throws AssertionError naming the op, the input, the coordinate and both values
   */
  public void verify(String name, Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
    List<Tensor> in = List.of(inputs);
    for (Tensor t : inputs) {
      if (t.requiresGrad()) {
        if (!t.isLeaf()) throw new IllegalArgumentException(name + ": gradcheck inputs must be leaves");
        t.setGrad(null);
      }
    }
    Tensor out = fn.apply(in);
    if (out.dtype() != DType.FLOAT32) throw new AssertionError(name + ": output is " + out.dtype());
    if (!out.requiresGrad()) throw new AssertionError(name + ": output does not require grad, so nothing was recorded");
    Rng rng = new Rng(seed);
    float[] r = new float[out.numel()];
    for (int i = 0; i < r.length; i++) r[i] = (float) rng.nextGaussian();
    Tensor direction = Tensor.of(r, out.shape());
    out.backward(direction);
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (int k = 0; k < inputs.length; k++) {
      Tensor x = inputs[k];
      if (!x.requiresGrad()) continue;
      float[] analytic = x.grad() == null ? new float[x.numel()] : x.grad().toFloatArray();
      double scale = 0;
      for (float a : analytic) scale = Math.max(scale, Math.abs(a));
      double atol = atolScale * scale + 1e-5;
      float[] data = x.data();
      for (int i : coordinates(x.numel(), rng)) {
        float v = data[i];
        double h = relStep * Math.max(1, Math.abs(v));
        float plus = (float) (v + h), minus = (float) (v - h);
        data[i] = plus;
        double lp = objective(fn, in, r);
        data[i] = minus;
        double lm = objective(fn, in, r);
        data[i] = v;
        double numeric = (lp - lm) / ((double) plus - minus);
        double a = analytic[i];
        checked++;
        if (!(Math.abs(a - numeric) <= rtol * Math.max(Math.abs(a), Math.abs(numeric)) + atol)) {
          failures.add(String.format("input %d %s at %s: analytic %.6g, numeric %.6g", k, Shape.str(x.shape()),
              Arrays.toString(unflatten(i, x.shape())), a, numeric));
        }
      }
    }
    if (checked == 0) throw new AssertionError(name + ": no input requires grad, nothing was checked");
    if (!failures.isEmpty()) {
      throw new AssertionError(name + ": " + failures.size() + " of " + checked + " gradient entries differ from finite differences:\n  "
          + String.join("\n  ", failures.subList(0, Math.min(12, failures.size()))));
    }
  }

  private static double objective(Function<List<Tensor>, Tensor> fn, List<Tensor> in, float[] r) {
    try (var g = Grad.disabled()) {
      float[] o = fn.apply(in).toFloatArray();
      double s = 0;
      for (int i = 0; i < o.length; i++) s += (double) o[i] * r[i];
      return s;
    }
  }

  private int[] coordinates(int n, Rng rng) {
    if (n <= maxCoords) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) all[i] = i;
      return all;
    }
    int[] p = rng.permutation(n);
    int[] pick = Arrays.copyOf(p, maxCoords);
    Arrays.sort(pick);
    return pick;
  }

  private static int[] unflatten(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }
}
