package dev.fathom.insight.dynamics;

/**
 * The three terms of one (probe, update) pair: Δ log π(x_o) ≈ −η·A(x_o)·K(x_o, x_u)·G(x_u).
 *
 * @param a (V, V) Jacobian of log-softmax at the probe, I − 1·π_oᵀ
 * @param k (V, V) empirical NTK J_o·J_uᵀ
 * @param g (V) gradient of the update's loss w.r.t. its logits (sign of the direction included)
 */
public record Decomposition(double[][] a, double[][] k, double[] g) {
  public Decomposition {
    int v = g.length;
    if (a.length != v || k.length != v) {
      throw new IllegalArgumentException("decomposition: A is " + a.length + " rows, K " + k.length + " rows, G " + v + " entries; expected equal");
    }
  }

  /** d Δlog π(x_o) / dη at η = 0: −A·K·G (V). */
  public double[] rate() {
    double[] r = LogSoftmax.matVec(a, LogSoftmax.matVec(k, g));
    for (int i = 0; i < r.length; i++) r[i] = -r[i];
    return r;
  }

  /** The predicted change after one SGD step of learning rate η: −η·A·K·G (V). */
  public double[] predicted(double eta) {
    double[] r = rate();
    for (int i = 0; i < r.length; i++) r[i] *= eta;
    return r;
  }
}
