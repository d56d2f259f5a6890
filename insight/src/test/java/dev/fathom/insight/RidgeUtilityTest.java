package dev.fathom.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

class RidgeUtilityTest {
  /** Three Gaussian blobs in 4-D; {@code flips} of the training labels moved to another class. */
  static RidgeUtility blobs(int n, int m, int flips, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[n * 4], vx = new float[m * 4];
    int[] y = new int[n], vy = new int[m];
    fill(rng, x, y);
    fill(rng, vx, vy);
    for (int i = 0; i < flips; i++) y[i] = (y[i] + 1) % 3;
    return new RidgeUtility(x, y, vx, vy, 4, 3, 1.0);
  }

  static void fill(Rng rng, float[] x, int[] y) {
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 3;
      for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) ((j == y[i] ? 2.0 : 0.0) + rng.nextGaussian());
    }
  }

  @Test
  void pathMatchesDirectFitsOfEveryPrefix() {
    RidgeUtility u = blobs(40, 60, 0, 1);
    int[] order = new Rng(9).permutation(40);
    Utility.Path path = u.path(order);
    for (int k = 1; k <= 40; k++) assertThat(path.next()).as("prefix %d", k).isEqualTo(u.of(order, k));
  }

  @Test
  void fullDataSeparatesTheBlobsAndEmptySetIsClassZero() {
    RidgeUtility u = blobs(60, 90, 0, 2);
    int[] all = java.util.stream.IntStream.range(0, 60).toArray();
    assertThat(u.of(all, 60)).isGreaterThan(0.8);
    assertThat(u.of(all, 0)).isCloseTo(1.0 / 3, within(1e-12)); // validation labels cycle 0,1,2
  }

  @Test
  void exactAndMonteCarloValuesAgreeAndFindTheFlippedLabel() {
    RidgeUtility u = blobs(10, 300, 1, 4); // point 0 is mislabelled
    double[] exact = ExactShapley.values(u);
    TmcShapley.Result tmc = TmcShapley.values(u, new TmcConfig(3000, 3000, 0, 1e-9, 100, 11));
    assertThat(Correlation.spearman(exact, tmc.values())).isGreaterThan(0.9);
    for (int i = 1; i < 10; i++) assertThat(exact[0]).as("point %d", i).isLessThan(exact[i]);
  }

  @Test
  void badInputIsRejected() {
    float[] x = new float[8];
    int[] y = {0, 1};
    assertThatThrownBy(() -> new RidgeUtility(x, y, x, y, 3, 2, 1)).hasMessageContaining("expected 2 x 3 training features, got 8");
    assertThatThrownBy(() -> new RidgeUtility(x, y, x, y, 4, 2, 0)).hasMessageContaining("lambda must be > 0, got 0.0");
    assertThatThrownBy(() -> new RidgeUtility(x, new int[] {0, 2}, x, y, 4, 2, 1)).hasMessageContaining("training label 1 must be in [0, 2), got 2");
  }
}
