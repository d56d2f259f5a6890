package dev.fathom.insight.dynamics;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.F;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * log π(y|x) = Σ_t log π(y_t | x, y_&lt;t) of a response under a causal language model, a Module
 * mapping token ids (1, T) to logits (1, T, V). The model reads prompt ++ response[0 .. R−1); the
 * logits at position |x|−1+t score response token t.
 */
public final class SequenceLogProb {
  private SequenceLogProb() {}

  /** log π(y|x) as a scalar with its graph (for ∇_θ). */
  public static Tensor of(Module lm, LmProbe p) {
    int[] ids = input(p);
    int r = p.response().length, start = p.prompt().length - 1;
    long[] targets = new long[ids.length];
    java.util.Arrays.fill(targets, -100);
    for (int t = 0; t < r; t++) targets[start + t] = p.response()[t];
    Tensor z = logits(lm, ids);
    int v = z.size(2);
    // crossEntropy averages over the R scored positions: −mean·R = Σ log π
    return F.crossEntropy(z.reshape(ids.length, v), Tensor.ofLongs(targets, ids.length), -100, 0).mul(-(float) r);
  }

  /**
   * The next-token log-probabilities at every response position, in double, without a graph.
   *
   * @return (R, V): row t is log π(· | x, y_&lt;t)
   */
  public static double[][] positions(Module lm, LmProbe p) {
    int[] ids = input(p);
    Tensor z;
    try (var g = Grad.disabled()) {
      z = logits(lm, ids);
    }
    int v = z.size(2), start = p.prompt().length - 1, r = p.response().length;
    double[][] out = new double[r][];
    for (int t = 0; t < r; t++) out[t] = LogSoftmax.of(z.data(), (start + t) * v, v);
    return out;
  }

  /** Σ_t positions[t][y_t]. */
  public static double sum(double[][] positions, int[] response) {
    double s = 0;
    for (int t = 0; t < response.length; t++) s += positions[t][response[t]];
    return s;
  }

  /** log π(y|x) in double. */
  public static double value(Module lm, LmProbe p) {
    return sum(positions(lm, p), p.response());
  }

  /** The greedy (argmax at every step) continuation of {@code prompt}, {@code length} tokens. */
  public static int[] greedy(Module lm, int[] prompt, int length) {
    int[] ids = java.util.Arrays.copyOf(prompt, prompt.length + length);
    try (var g = Grad.disabled()) {
      for (int t = 0; t < length; t++) {
        int n = prompt.length + t;
        Tensor z = logits(lm, java.util.Arrays.copyOf(ids, n));
        int v = z.size(2);
        ids[n] = LogSoftmax.argmax(LogSoftmax.of(z.data(), (n - 1) * v, v));
      }
    }
    return java.util.Arrays.copyOfRange(ids, prompt.length, ids.length);
  }

  private static int[] input(LmProbe p) {
    int[] ids = java.util.Arrays.copyOf(p.prompt(), p.prompt().length + p.response().length - 1);
    System.arraycopy(p.response(), 0, ids, p.prompt().length, p.response().length - 1);
    return ids;
  }

  private static Tensor logits(Module lm, int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < l.length; i++) l[i] = ids[i];
    Tensor z = lm.call(Tensor.ofLongs(l, 1, l.length));
    if (z.dim() != 3 || z.size(0) != 1 || z.size(1) != ids.length) {
      throw new ShapeException("language model: expected logits (1, " + ids.length + ", V), got " + Shape.str(z.shape()));
    }
    return z;
  }
}
