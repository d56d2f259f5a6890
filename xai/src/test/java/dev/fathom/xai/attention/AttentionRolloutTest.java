package dev.fathom.xai.attention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttentionRolloutTest {

  /** (1, heads, T, T) from row-major matrices, one per head. */
  private static Tensor layer(float[]... heads) {
    int t = (int) Math.round(Math.sqrt(heads[0].length));
    float[] all = new float[heads.length * t * t];
    for (int h = 0; h < heads.length; h++) System.arraycopy(heads[h], 0, all, h * t * t, t * t);
    return Tensor.of(all, 1, heads.length, t, t);
  }

  @Test
  void twoLayersComposeFromTheFirstByHand() {
    // A1: both positions attend to position 0; A2: both attend to position 1.
    // Â1 = ([[1,0],[1,0]] + I)/rowsum = [[1, 0], [.5, .5]];  Â2 = [[.5, .5], [0, 1]]
    // R = Â2 · Â1 = [[.75, .25], [.5, .5]]   (the other order would give [[.5, .5], [.25, .75]])
    double[][][] r = AttentionRollout.rollout(List.of(layer(new float[] {1, 0, 1, 0}), layer(new float[] {0, 1, 0, 1})));
    assertThat(r[0][0]).containsExactly(new double[] {0.75, 0.25}, within(1e-12));
    assertThat(r[0][1]).containsExactly(new double[] {0.5, 0.5}, within(1e-12));
  }

  @Test
  void oneLayerIsHalfTheHeadMeanPlusHalfTheIdentity() {
    Rng rng = new Rng(1);
    Tensor a = Tensor.randn(rng, 3, 4, 5, 5).softmax(-1);  // (B, H, T, T)
    double[][][] mean = AttentionRollout.headAverage(a);
    double[][][] r = AttentionRollout.rollout(List.of(a));
    for (int b = 0; b < 3; b++) {
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) {
          double head = 0;
          for (int h = 0; h < 4; h++) head += a.get(b, h, i, j) / 4.0;
          assertThat(mean[b][i][j]).isCloseTo(head, within(1e-7));
          assertThat(r[b][i][j]).isCloseTo(0.5 * mean[b][i][j] + (i == j ? 0.5 : 0), within(1e-7));
        }
      }
    }
  }

  @Test
  void rowsOfADeepRolloutStaySumToOne() {
    Rng rng = new Rng(2);
    List<Tensor> layers = List.of(Tensor.randn(rng, 2, 3, 7, 7).softmax(-1), Tensor.randn(rng, 2, 3, 7, 7).softmax(-1),
        Tensor.randn(rng, 2, 3, 7, 7).softmax(-1));
    double[][] rel = AttentionRollout.relevance(layers, 3);
    assertThat(rel).hasNumberOfRows(2);
    for (double[] row : rel) {
      double sum = 0;
      for (double v : row) {
        assertThat(v).isGreaterThanOrEqualTo(0);
        sum += v;
      }
      assertThat(sum).isCloseTo(1, within(1e-6));
    }
  }

  @Test
  void badShapesAreRejected() {
    assertThatThrownBy(() -> AttentionRollout.rollout(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 layer");
    assertThatThrownBy(() -> AttentionRollout.rollout(List.of(Tensor.zeros(1, 2, 3, 4)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("layer 0 attention is [1, 2, 3, 4], expected (B, H, T, T)");
    assertThatThrownBy(() -> AttentionRollout.rollout(List.of(Tensor.zeros(1, 2, 3, 3), Tensor.zeros(1, 2, 4, 4))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 1").hasMessageContaining("T = 3");
    assertThatThrownBy(() -> AttentionRollout.relevance(List.of(Tensor.zeros(1, 1, 3, 3).add(1f / 3)), 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 3 is outside [0, 3)");
  }
}
