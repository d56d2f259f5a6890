package dev.fathom.insight.dynamics;

/**
 * The sign of a supervised update on a label or response: a positive gradient lowers
 * −log π(y) (SFT, the chosen side of DPO); a negative gradient raises it, pushing y down
 * (unlikelihood, the rejected side of DPO).
 */
public enum Direction {
  /** Gradient descent on the negative log-likelihood: loss = −log π(y). */
  POSITIVE(1),
  /** Gradient ascent on the negative log-likelihood: loss = +log π(y). */
  NEGATIVE(-1);

  private final int sign;

  Direction(int sign) {
    this.sign = sign;
  }

  /** +1 for {@link #POSITIVE}, −1 for {@link #NEGATIVE}: the loss is sign·(−log π(y)). */
  public int sign() {
    return sign;
  }
}
