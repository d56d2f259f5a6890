package dev.fathom.insight.dynamics;

import dev.fathom.autograd.Autograd;
import dev.fathom.optim.Sgd;
import dev.fathom.optim.SgdConfig;
import dev.fathom.tensor.Tensor;
import java.util.List;

/** Flat parameter-space vectors (gradients as double[P]), snapshots and the plain SGD step. */
final class Params {
  private Params() {}

  /** Total number of scalars P in {@code params}. */
  static int count(List<Tensor> params) {
    long n = 0;
    for (Tensor p : params) n += p.numel();
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("parameters: " + n + " scalars do not fit one flat vector");
    return (int) n;
  }

  /**
   * d(output·seed)/dθ flattened over {@code params} in order, as doubles; the parameters' own
   * {@code grad} fields are left untouched (the graph may be walked again with another seed).
   */
  static double[] gradient(Tensor output, Tensor seed, List<Tensor> params) {
    Tensor[] g = Autograd.grad(output, seed, params.toArray(new Tensor[0]));
    double[] flat = new double[count(params)];
    int off = 0;
    for (Tensor t : g) {
      float[] d = t.data();
      for (int i = 0; i < d.length; i++) flat[off + i] = d[i];
      off += d.length;
    }
    return flat;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  /** Copies of every parameter's values. */
  static float[][] save(List<Tensor> params) {
    float[][] s = new float[params.size()][];
    for (int i = 0; i < s.length; i++) s[i] = params.get(i).data().clone();
    return s;
  }

  /** Puts back values taken by {@link #save}. */
  static void restore(List<Tensor> params, float[][] saved) {
    for (int i = 0; i < saved.length; i++) System.arraycopy(saved[i], 0, params.get(i).data(), 0, saved[i].length);
  }

  /**
   * One step of plain SGD (no momentum, no weight decay) of learning rate {@code eta} on the
   * scalar {@code loss}: backward into the parameters' grads, {@link Sgd#step}, grads cleared.
   */
  static void sgdStep(List<Tensor> params, Tensor loss, double eta) {
    for (Tensor p : params) p.setGrad(null);
    loss.backward();
    new Sgd(params, SgdConfig.of(eta)).step();
    for (Tensor p : params) p.setGrad(null);
  }

  /** Parameters of a model that take part in a step: those that require grad. */
  static List<Tensor> trainable(dev.fathom.nn.Module model) {
    List<Tensor> ps = model.parameters().stream().filter(Tensor::requiresGrad).toList();
    if (ps.isEmpty()) throw new IllegalArgumentException("model: no parameter requires grad, nothing would move in a step");
    return ps;
  }
}
