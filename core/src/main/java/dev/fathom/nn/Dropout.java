package dev.fathom.nn;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** Zeroes elements with probability p in training mode, scaling the rest by 1/(1−p); identity in eval. */
public class Dropout extends Module {
  public final double p;
  private final Rng rng;

  public Dropout(double p, Rng rng) {
    if (p < 0 || p >= 1) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
    this.p = p;
    this.rng = rng;
  }

  @Override
  public Tensor forward(Tensor x) {
    return F.dropout(x, p, isTraining(), rng);
  }

  @Override
  protected String extraRepr() {
    return "p=" + p;
  }
}
