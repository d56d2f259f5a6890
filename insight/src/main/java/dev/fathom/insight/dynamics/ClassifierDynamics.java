package dev.fathom.insight.dynamics;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.F;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.util.List;

/**
 * One-step learning dynamics of a classifier f(x; θ) → logits z ∈ R^V under cross-entropy
 * (Ren &amp; Sutherland, ICLR 2025, Sec. 2): after one plain SGD step of learning rate η on an
 * update example (x_u, y_u),
 *
 * <pre>
 * Δ log π(x_o) = −η · A(x_o) · K(x_o, x_u) · G(x_u) + O(η²)
 * A = I − 1·π_oᵀ,   K = J_o·J_uᵀ (J = ∂z/∂θ, V×P),   G = s·(π_u − e_y)
 * </pre>
 *
 * with s = +1 for a positive gradient (descent on −log π_y) and s = −1 for a negative one. The
 * terms are built explicitly: A and G in closed form, K from V backward passes per example
 * ({@link EmpiricalNtk}). {@link #actualChange} takes the real step with {@link dev.fathom.optim.Sgd}
 * (no momentum, no weight decay), measures the new log-probabilities and restores θ.
 *
 * <p>The model is put in eval mode (dropout off, batch norm on running statistics) so that it is
 * one fixed function of θ; every trainable parameter takes part in the step and in J.
 */
public final class ClassifierDynamics {
  /*
   * Log-probabilities are formed in double from float32 logits, and before/after are computed
   * with the same batched forward, so the float rounding of the forward is the same on both
   * sides; what remains is the rounding of the changed weights, about 1e-7 of a logit. The
   * learning rates of a study must keep the O(η²) residual well above that floor.
   */
  private final Module model;
  private final List<Tensor> params;

  /** @param model (N, ...) → logits (N, V); set to eval mode here */
  public ClassifierDynamics(Module model) {
    this.model = model;
    model.eval();
    this.params = Params.trainable(model);
  }

  /** Number of trainable scalars P. */
  public int parameterCount() {
    return Params.count(params);
  }

  /**
   * log π for each row, in double, without recording a graph.
   *
   * @param x (N, ...)
   * @return (N, V)
   */
  public double[][] logProbs(Tensor x) {
    Tensor z;
    try (var g = Grad.disabled()) {
      z = model.call(x);
    }
    if (z.dim() != 2 || z.size(0) != x.size(0)) {
      throw new ShapeException("classifier: expected logits (" + x.size(0) + ", V), got " + Shape.str(z.shape()));
    }
    int n = z.size(0), v = z.size(1);
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) out[i] = LogSoftmax.of(z.data(), i * v, v);
    return out;
  }

  /**
   * The explicit A, K and G of one probe and one update.
   *
   * @param xo the probe (1, ...)
   * @param xu the update example (1, ...)
   * @param yu the update's label
   */
  public Decomposition decompose(Tensor xo, Tensor xu, int yu, Direction direction) {
    double[][] ju = EmpiricalNtk.jacobian(model::call, params, xu);
    return decompose(xo, ju, updateGradient(xu, yu, direction));
  }

  /**
   * d Δlog π / dη at η = 0 for every probe, −A(x_o)·K(x_o, x_u)·G(x_u): the predicted change of
   * one step is η times this. J_u is built once; each probe costs V backward passes.
   *
   * @param probes (N, ...)
   * @return (N, V)
   */
  public double[][] firstOrder(Tensor xu, int yu, Direction direction, Tensor probes) {
    double[][] ju = EmpiricalNtk.jacobian(model::call, params, xu);
    double[] g = updateGradient(xu, yu, direction);
    int n = probes.size(0);
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) out[i] = decompose(probes.narrow(0, i, 1), ju, g).rate();
    return out;
  }

  /**
   * The actual Δ log π of every probe after one plain SGD step of learning rate {@code eta} on
   * (x_u, y_u); the parameters are restored before returning.
   *
   * @return (N, V)
   */
  public double[][] actualChange(Tensor xu, int yu, Direction direction, Tensor probes, double eta) {
    double[][] before = logProbs(probes);
    double[][] after = afterStep(xu, yu, direction, probes, eta);
    for (int i = 0; i < after.length; i++) {
      for (int c = 0; c < after[i].length; c++) after[i][c] -= before[i][c];
    }
    return after;
  }

  /** log π of the probes after one SGD step (parameters restored before returning). */
  public double[][] afterStep(Tensor xu, int yu, Direction direction, Tensor probes, double eta) {
    if (!(eta > 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("eta: expected a positive learning rate, got " + eta);
    float[][] saved = Params.save(params);
    try {
      Tensor loss = F.crossEntropy(model.call(xu), Tensor.ofInts(new int[] {yu}, 1));
      Params.sgdStep(params, direction == Direction.POSITIVE ? loss : loss.neg(), eta);
      return logProbs(probes);
    } finally {
      Params.restore(params, saved);
    }
  }

  private Decomposition decompose(Tensor xo, double[][] ju, double[] g) {
    double[][] jo = EmpiricalNtk.jacobian(model::call, params, xo);
    double[] pi = LogSoftmax.probabilities(logProbs(xo)[0]);
    return new Decomposition(LogSoftmax.jacobian(pi), EmpiricalNtk.kernel(jo, ju), g);
  }

  /** G = s·(π_u − e_y). */
  private double[] updateGradient(Tensor xu, int yu, Direction direction) {
    double[] g = LogSoftmax.crossEntropyGradient(LogSoftmax.probabilities(logProbs(xu)[0]), yu);
    for (int i = 0; i < g.length; i++) g[i] *= direction.sign();
    return g;
  }
}
