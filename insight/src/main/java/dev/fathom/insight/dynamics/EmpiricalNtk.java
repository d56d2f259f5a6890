package dev.fathom.insight.dynamics;

import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The empirical neural tangent kernel of a V-output model: K(x_o, x_u) = J_o·J_uᵀ (V×V), where
 * J = ∂z/∂θ (V×P) is the Jacobian of the logits w.r.t. all trainable parameters.
 *
 * <p>J is built row by row, one backward pass per output (V passes over one recorded forward),
 * so it costs V backward passes and V·P doubles per example. K(x, x) is a Gram matrix, hence
 * symmetric and positive semi-definite.
 */
public final class EmpiricalNtk {
  private EmpiricalNtk() {}

  /**
   * J = ∂f(x)/∂θ for one example.
   *
   * @param forward the model: (1, ...) → logits (1, V)
   * @param params the trainable parameters θ, flattened in this order
   * @param x one example (1, ...)
   * @return (V, P)
   * @throws ShapeException if the forward does not give (1, V)
   */
  public static double[][] jacobian(UnaryOperator<Tensor> forward, List<Tensor> params, Tensor x) {
    if (x.dim() < 1 || x.size(0) != 1) throw new ShapeException("jacobian: expected one example (1, ...), got " + Shape.str(x.shape()));
    Tensor z = forward.apply(x);
    if (z.dim() != 2 || z.size(0) != 1) throw new ShapeException("jacobian: the model must give logits (1, V), got " + Shape.str(z.shape()));
    int v = z.size(1);
    double[][] j = new double[v][];
    for (int c = 0; c < v; c++) {
      float[] seed = new float[v];
      seed[c] = 1;
      j[c] = Params.gradient(z, Tensor.of(seed, 1, v), params);
    }
    return j;
  }

  /**
   * K = J_o·J_uᵀ.
   *
   * @param jo (V, P)
   * @param ju (V, P)
   * @return (V, V), K[i][j] = ⟨∂z_o,i/∂θ, ∂z_u,j/∂θ⟩
   */
  public static double[][] kernel(double[][] jo, double[][] ju) {
    double[][] k = new double[jo.length][ju.length];
    for (int i = 0; i < jo.length; i++) {
      for (int j = 0; j < ju.length; j++) k[i][j] = Params.dot(jo[i], ju[j]);
    }
    return k;
  }
}
