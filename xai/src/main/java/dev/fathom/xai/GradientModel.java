package dev.fathom.xai;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A classifier as the gradient methods see it: a differentiable map from a batch of inputs
 * (B, inputShape...) to class scores (B, K), of which one {@link Output} per example is
 * explained: f_t(x) = output(model(x))[t].
 *
 * <p>Gradients are taken with respect to the input only: the parameters are frozen for the
 * duration of each backward pass, so the walk skips the weight gradients (about half the work of
 * a training step's backward), and restored afterwards. Large batches run in chunks of
 * {@link #maxRows()} examples.
 */
public final class GradientModel {
  private final UnaryOperator<Tensor> forward;
  private final List<Tensor> params;
  private final int[] inputShape;
  private final Output output;
  private final int features;
  private final int maxRows;

  /**
   * @param forward the model: (B, inputShape...) → logits (B, K)
   * @param params the tensors to freeze while differentiating with respect to the input (may be empty)
   * @param inputShape the shape of one example
   * @param output which output is explained
   * @param maxRows examples per forward pass
   */
  public GradientModel(UnaryOperator<Tensor> forward, List<Tensor> params, int[] inputShape, Output output, int maxRows) {
    if (inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException("inputShape must have positive dims, got " + Arrays.toString(inputShape));
    }
    if (maxRows <= 0) throw new IllegalArgumentException("maxRows must be > 0, got " + maxRows);
    this.forward = forward;
    this.params = List.copyOf(params);
    this.inputShape = inputShape.clone();
    this.output = output;
    int f = 1;
    for (int d : inputShape) f *= d;
    this.features = f;
    this.maxRows = maxRows;
  }

  /** A Fathom module in eval mode (batch norm uses running statistics, dropout is off). */
  public static GradientModel of(Module model, Output output, int... inputShape) {
    model.eval();
    return new GradientModel(model::call, model.parameters(), inputShape, output, 128);
  }

  /** The same model explaining another output. */
  public GradientModel withOutput(Output o) {
    return new GradientModel(forward, params, inputShape, o, maxRows);
  }

  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Number of input features of one example (the product of {@link #inputShape()}). */
  public int features() {
    return features;
  }

  public Output output() {
    return output;
  }

  public int maxRows() {
    return maxRows;
  }

  /** The explained outputs of every class, (B, K), without a graph. */
  public Tensor scores(Tensor x) {
    checkInput(x);
    int n = x.size(0);
    float[] all = null;
    int k = 0;
    try (var g = Grad.disabled()) {
      for (int s = 0; s < n; s += maxRows) {
        int len = Math.min(maxRows, n - s);
        Tensor out = output.apply(logits(x.narrow(0, s, len)));
        if (all == null) {
          k = out.size(1);
          all = new float[n * k];
        }
        System.arraycopy(out.data(), 0, all, s * k, len * k);
      }
    }
    return Tensor.of(all, n, k);
  }

  /** f_{t_i}(x_i) for each example. */
  public float[] score(Tensor x, int[] targets) {
    checkTargets(x, targets);
    Tensor s = scores(x);
    int k = s.size(1);
    float[] d = s.data();
    float[] r = new float[targets.length];
    for (int i = 0; i < r.length; i++) r[i] = d[i * k + checkClass(targets[i], k)];
    return r;
  }

  /** This model's explained outputs as a black box, for the model-agnostic methods (rows are flattened examples). */
  public Predictor asPredictor() {
    return rows -> {
      float[] flat = new float[rows.length * features];
      for (int i = 0; i < rows.length; i++) {
        if (rows[i].length != features) {
          throw new IllegalArgumentException("predictor: row " + i + " has " + rows[i].length + " features, the model takes " + features
              + " (input shape " + Arrays.toString(inputShape) + ")");
        }
        for (int j = 0; j < features; j++) flat[i * features + j] = (float) rows[i][j];
      }
      Tensor s = scores(Tensor.of(flat, batchShape(rows.length)));
      int k = s.size(1);
      float[] d = s.data();
      double[][] out = new double[rows.length][k];
      for (int i = 0; i < rows.length; i++) for (int c = 0; c < k; c++) out[i][c] = d[i * k + c];
      return out;
    };
  }

  /** The arg-max class of each example. */
  public int[] predictions(Tensor x) {
    Tensor s = scores(x);
    int n = s.size(0), k = s.size(1);
    float[] d = s.data();
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < k; c++) if (d[i * k + c] > d[i * k + best]) best = c;
      p[i] = best;
    }
    return p;
  }

  /**
   * ∂f_{t_i}/∂x_i for each example.
   *
   * @param x (B, inputShape...)
   * @param targets the class explained for each example, length B
   * @return (B, inputShape...)
   * @throws NotDifferentiableException if the output does not depend on the input through autograd
   */
  public Tensor gradient(Tensor x, int[] targets) {
    checkTargets(x, targets);
    int n = x.size(0);
    float[] g = new float[n * features];
    boolean[] had = new boolean[params.size()];
    for (int i = 0; i < had.length; i++) {
      had[i] = params.get(i).requiresGrad();
      params.get(i).requiresGrad(false);
    }
    try (var on = Grad.enabled()) {
      for (int s = 0; s < n; s += maxRows) {
        int len = Math.min(maxRows, n - s);
        Tensor xi = Tensor.of(x.narrow(0, s, len).data(), batchShape(len)).requiresGrad(true);
        Tensor out = output.apply(logits(xi));
        int k = out.size(1);
        float[] pick = new float[len * k];
        for (int i = 0; i < len; i++) pick[i * k + checkClass(targets[s + i], k)] = 1f;
        Tensor f = out.mul(Tensor.of(pick, len, k)).sum();
        if (!f.requiresGrad()) {
          throw new NotDifferentiableException("the model's output does not depend differentiably on its input (no autograd path from "
              + "the input to the " + output.name().toLowerCase(java.util.Locale.ROOT) + "s); use a model-agnostic method "
              + "(occlusion, shap, lime) instead");
        }
        f.backward();
        Tensor gi = xi.grad();
        if (gi == null) throw new NotDifferentiableException("the model's output did not propagate a gradient to its input");
        System.arraycopy(gi.data(), 0, g, s * features, len * features);
      }
    } finally {
      for (int i = 0; i < had.length; i++) params.get(i).requiresGrad(had[i]);
    }
    return Tensor.of(g, batchShape(n));
  }

  /** (n, inputShape...). */
  public int[] batchShape(int n) {
    int[] s = new int[inputShape.length + 1];
    s[0] = n;
    System.arraycopy(inputShape, 0, s, 1, inputShape.length);
    return s;
  }

  /** Checks that {@code x} is a batch of examples of {@link #inputShape()}. */
  public void checkInput(Tensor x) {
    int[] s = x.shape();
    if (s.length != inputShape.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), inputShape)) {
      throw new IllegalArgumentException("input: expected a batch shaped (N, " + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
          + "), got " + Arrays.toString(s));
    }
  }

  private Tensor logits(Tensor x) {
    Tensor out = forward.apply(x);
    if (out.dim() != 2 || out.size(0) != x.size(0)) {
      throw new NotDifferentiableException("the model must map (B, ...) to class scores (B, K), got output shape " + Arrays.toString(out.shape()));
    }
    return out;
  }

  private void checkTargets(Tensor x, int[] targets) {
    checkInput(x);
    if (targets.length != x.size(0)) {
      throw new IllegalArgumentException("targets: expected one class per example (" + x.size(0) + "), got " + targets.length);
    }
  }

  private static int checkClass(int t, int k) {
    if (t < 0 || t >= k) throw new IllegalArgumentException("target class " + t + " is outside [0, " + k + ")");
    return t;
  }
}
