package dev.fathom.insight.dynamics;

/**
 * One probe of the squeezing effect: a distribution before and after an update that pushed on
 * one label (or token), seen from its argmax (the class most likely before the update).
 *
 * @param pushed the label the update acted on
 * @param argmax the most likely class before the update
 * @param argmaxBefore π(argmax) before
 * @param argmaxAfter π(argmax) after
 * @param pushedBefore π(pushed) before
 * @param pushedAfter π(pushed) after
 * @param othersFell fraction of the classes other than argmax and pushed whose probability fell
 */
public record SqueezeProbe(int pushed, int argmax, double argmaxBefore, double argmaxAfter, double pushedBefore, double pushedAfter,
    double othersFell) {

  /** True when the argmax class gained probability. */
  public boolean argmaxRose() {
    return argmaxAfter > argmaxBefore;
  }

  /** True when the pushed class lost probability. */
  public boolean pushedFell() {
    return pushedAfter < pushedBefore;
  }

  /**
   * Compares two log-probability vectors.
   *
   * @param logBefore log π before (V)
   * @param logAfter log π after (V)
   * @param pushed the label the update acted on
   */
  public static SqueezeProbe of(double[] logBefore, double[] logAfter, int pushed) {
    if (logBefore.length != logAfter.length) {
      throw new IllegalArgumentException("squeeze: " + logBefore.length + " classes before but " + logAfter.length + " after");
    }
    int v = logBefore.length;
    if (pushed < 0 || pushed >= v) throw new IllegalArgumentException("squeeze: pushed label must be in [0, " + v + "), got " + pushed);
    int top = LogSoftmax.argmax(logBefore);
    int others = 0, fell = 0;
    for (int c = 0; c < v; c++) {
      if (c == top || c == pushed) continue;
      others++;
      if (logAfter[c] < logBefore[c]) fell++;
    }
    return new SqueezeProbe(pushed, top, Math.exp(logBefore[top]), Math.exp(logAfter[top]), Math.exp(logBefore[pushed]),
        Math.exp(logAfter[pushed]), others == 0 ? Double.NaN : (double) fell / others);
  }
}
