package dev.fathom.xai.attention;

import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.util.List;

/**
 * Attention rollout (Abnar and Zuidema, "Quantifying Attention Flow in Transformers", ACL 2020):
 * how much each input position reaches each output position through the stack of attention
 * layers, residual connections included.
 *
 * <p>Per layer l, the heads' attention is averaged, Ā_l = (1/H) Σ_h A_{l,h}; the residual
 * connection is modelled by adding the identity and renormalizing rows,
 * Â_l = (Ā_l + I) / rowsum (= 0.5 Ā_l + 0.5 I, since Ā_l is row-stochastic); and the layers are
 * composed from the first: R_1 = Â_1, R_l = Â_l · R_{l−1}. Row p of R_L is the relevance of every
 * input position for output position p (for a classifier, its [CLS] position). Raw attention of
 * one layer ignores where the attended vectors got their content; the product follows it back to
 * the inputs. Computed in double.
 */
public final class AttentionRollout {
  private AttentionRollout() {}

  /**
   * The rollout matrices.
   *
   * @param attentions per layer, first layer first, (B, H, T, T) attention probabilities (rows
   *     sum to 1), all with the same B and T, e.g. {@link AttentionRecorder#attentions()}
   * @return (B, T, T) R_L: row p is the relevance of each input position for position p
   * @throws IllegalArgumentException if the list is empty or a tensor is not (B, H, T, T) like the first
   */
  public static double[][][] rollout(List<Tensor> attentions) {
    if (attentions == null || attentions.isEmpty()) {
      throw new IllegalArgumentException("AttentionRollout: expected at least 1 layer of attention, got none");
    }
    int[] first = check(attentions.getFirst(), 0, null);
    int b = first[0], t = first[2];
    double[][][] r = null;
    for (int l = 0; l < attentions.size(); l++) {
      check(attentions.get(l), l, first);
      double[][][] a = headAverage(attentions.get(l));
      for (double[][] batch : a) {
        for (int i = 0; i < t; i++) {
          batch[i][i] += 1;
          double sum = 0;
          for (double v : batch[i]) sum += v;
          for (int j = 0; j < t; j++) batch[i][j] /= sum;
        }
      }
      if (r == null) {
        r = a;
        continue;
      }
      double[][][] next = new double[b][t][t];
      for (int n = 0; n < b; n++) {
        for (int i = 0; i < t; i++) {
          for (int k = 0; k < t; k++) {
            double aik = a[n][i][k];
            if (aik == 0) continue;
            for (int j = 0; j < t; j++) next[n][i][j] += aik * r[n][k][j];
          }
        }
      }
      r = next;
    }
    return r;
  }

  /**
   * One row of the rollout: the relevance of each input position for output position
   * {@code position}.
   *
   * @param attentions per layer (B, H, T, T), first layer first
   * @param position the output position, e.g. 0 for a leading [CLS] token
   * @return (B, T) relevance, each row summing to 1
   * @throws IllegalArgumentException as {@link #rollout}, or if the position is outside [0, T)
   */
  public static double[][] relevance(List<Tensor> attentions, int position) {
    double[][][] r = rollout(attentions);
    return row(r, position);
  }

  /**
   * The head-averaged attention of one layer, Ā = (1/H) Σ_h A_h: the raw-attention baseline
   * that rollout is compared with.
   *
   * @param attention (B, H, T, S) probabilities
   * @return (B, T, S)
   * @throws IllegalArgumentException if the tensor is not 4-D
   */
  public static double[][][] headAverage(Tensor attention) {
    if (attention.dim() != 4) {
      throw new IllegalArgumentException("AttentionRollout: expected attention (B, H, T, S), got " + Shape.str(attention.shape()));
    }
    int b = attention.size(0), h = attention.size(1), t = attention.size(2), s = attention.size(3);
    float[] p = attention.data();
    double[][][] out = new double[b][t][s];
    for (int n = 0; n < b; n++) {
      for (int head = 0; head < h; head++) {
        int base = (n * h + head) * t * s;
        for (int i = 0; i < t; i++) for (int j = 0; j < s; j++) out[n][i][j] += p[base + i * s + j] / (double) h;
      }
    }
    return out;
  }

  /**
   * Row {@code position} of each batch entry of a (B, T, S) array, e.g. the [CLS] row of
   * {@link #headAverage} or {@link #rollout}.
   *
   * @param m (B, T, S)
   * @param position the row, in [0, T)
   * @return (B, S)
   * @throws IllegalArgumentException if the position is outside [0, T)
   */
  public static double[][] row(double[][][] m, int position) {
    int t = m.length == 0 ? 0 : m[0].length;
    if (position < 0 || position >= t) {
      throw new IllegalArgumentException("AttentionRollout: position " + position + " is outside [0, " + t + ")");
    }
    double[][] out = new double[m.length][];
    for (int n = 0; n < m.length; n++) out[n] = m[n][position].clone();
    return out;
  }

  private static int[] check(Tensor a, int layer, int[] like) {
    int[] s = a.shape();
    boolean ok = s.length == 4 && s[2] == s[3] && (like == null || (s[0] == like[0] && s[2] == like[2]));
    if (!ok) {
      throw new IllegalArgumentException("AttentionRollout: layer " + layer + " attention is " + Shape.str(s) + ", expected (B, H, T, T)"
          + (like == null ? "" : " with B = " + like[0] + " and T = " + like[2] + " like layer 0"));
    }
    return s;
  }
}
