package dev.fathom.insight.dynamics;

import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The squeezing effect (Ren &amp; Sutherland, ICLR 2025, Sec. 3.3) on a classifier: a negative
 * gradient on a label y that already has low probability, G = −(π − e_y), moves each logit of
 * the example by about −η·K·G. With K ≈ c·I this is η·c·(π_c − δ_cy): every logit rises in
 * proportion to its probability, so after renormalisation the mass drains from the low classes
 * (y and the rest) into the peak, and the argmax class gains. A positive gradient on the same
 * label moves the mass the other way, towards y.
 *
 * <p>Each probe is its own update example: one SGD step on (x_i, y_i), the distribution of x_i
 * before and after, parameters restored.
 */
public final class Squeezing {
  private Squeezing() {}

  /**
   * @param images (N, ...) the probes, each also the update example
   * @param pushed the label pushed on each probe (N)
   * @param direction {@link Direction#NEGATIVE} to push the label down, POSITIVE to pull it up
   * @param eta learning rate of the step
   */
  public static List<SqueezeProbe> classifier(ClassifierDynamics dynamics, Tensor images, int[] pushed, Direction direction,
      double eta) {
    int n = images.size(0);
    if (pushed.length != n) throw new IllegalArgumentException("squeeze: " + n + " images but " + pushed.length + " pushed labels");
    List<SqueezeProbe> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Tensor x = images.narrow(0, i, 1);
      double[] before = dynamics.logProbs(x)[0];
      double[] after = dynamics.afterStep(x, pushed[i], direction, x, eta)[0];
      out.add(SqueezeProbe.of(before, after, pushed[i]));
    }
    return out;
  }

  /**
   * The token-level view for a language model: at every position of a response whose token is
   * not already the model's argmax there, the next-token distribution before and after an update.
   * Positions whose token is the argmax are left out (pushing down the peak itself is not the
   * squeezing regime).
   *
   * @param before log π per position before the update (R, V)
   * @param after log π per position after the update (R, V)
   * @param response the tokens the update pushed on (R)
   */
  public static List<SqueezeProbe> tokens(double[][] before, double[][] after, int[] response) {
    if (before.length != response.length || after.length != response.length) {
      throw new IllegalArgumentException("squeeze: " + response.length + " tokens but " + before.length + " rows before and "
          + after.length + " after");
    }
    List<SqueezeProbe> out = new ArrayList<>();
    for (int t = 0; t < response.length; t++) {
      if (LogSoftmax.argmax(before[t]) != response[t]) out.add(SqueezeProbe.of(before[t], after[t], response[t]));
    }
    return out;
  }

  /** For each row of log-probabilities, the least likely class: the natural target of a negative gradient. */
  public static int[] leastLikely(double[][] logProbs) {
    int[] y = new int[logProbs.length];
    for (int i = 0; i < y.length; i++) y[i] = LogSoftmax.argmin(logProbs[i]);
    return y;
  }
}
