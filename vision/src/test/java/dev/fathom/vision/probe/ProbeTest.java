package dev.fathom.vision.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import dev.fathom.vision.models.ResNet;
import dev.fathom.vision.models.ResNetConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProbeTest {
  private static int[] labels(int n, int classes) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) y[i] = (i * 7) % classes;
    return y;
  }

  @Test
  void labelSubsetsHaveExactlyKPerClassAndDifferAcrossDraws() {
    int[] y = labels(500, 10);
    int[] a = LabelSubsets.perClass(y, 10, 7, 0), b = LabelSubsets.perClass(y, 10, 7, 1);
    for (int[] s : new int[][] {a, b}) {
      assertThat(s).hasSize(70);
      assertThat(Arrays.stream(s).distinct().count()).isEqualTo(70);
      int[] counts = new int[10];
      for (int i : s) counts[y[i]]++;
      assertThat(counts).containsOnly(7);
    }
    assertThat(a).isNotEqualTo(b);
    assertThat(LabelSubsets.perClass(y, 10, 7, 0)).isEqualTo(a);
    assertThatThrownBy(() -> LabelSubsets.perClass(y, 10, 51, 0)).hasMessageContaining("at least 51").hasMessageContaining("got 50");
    assertThatThrownBy(() -> LabelSubsets.perClass(new int[] {0, 3}, 2, 1, 0)).hasMessageContaining("[0, 2)").hasMessageContaining("got 3");
  }

  /** Three Gaussian blobs, far apart in 5 dimensions, one feature pure noise with a large scale. */
  private static float[] blobs(int[] y, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[y.length * 5];
    for (int i = 0; i < y.length; i++) {
      for (int j = 0; j < 4; j++) x[i * 5 + j] = (float) ((j == y[i] ? 3 : 0) + 0.5 * rng.nextGaussian());
      x[i * 5 + 4] = (float) (100 * rng.nextGaussian());
    }
    return x;
  }

  @Test
  void linearProbeSeparatesASeparableSetAndFailsOnShuffledLabels() {
    int[] y = labels(300, 3), yt = labels(200, 3);
    float[] x = blobs(y, 1), xt = blobs(yt, 2);
    var fitted = LinearProbe.defaults().fit(x, 5, y, 3);
    assertThat(Features.accuracy(fitted.predict(xt), yt)).isGreaterThan(0.97);
    int[] shuffled = y.clone();
    int[] perm = new Rng(4).permutation(y.length);
    for (int i = 0; i < y.length; i++) shuffled[i] = y[perm[i]];
    assertThat(Features.accuracy(LinearProbe.defaults().fit(x, 5, shuffled, 3).predict(xt), yt)).isLessThan(0.6);
  }

  /** Feature 0 separates the classes (2·y plus a little noise); features 1 .. d−1 are pure noise of scale 3. */
  private static float[] oneInformativeFeature(int[] y, int d, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[y.length * d];
    for (int i = 0; i < y.length; i++) {
      x[i * d] = (float) (2 * y[i] + 0.3 * rng.nextGaussian());
      for (int j = 1; j < d; j++) x[i * d + j] = (float) (3 * rng.nextGaussian());
    }
    return x;
  }

  @Test
  void crossValidationPrefersStrongPenaltiesWhenFewRowsMeetManyNoiseFeatures() {
    // 30 rows, one informative feature among 40 of pure noise: a weak penalty fits the noise
    int n = 30, d = 41;
    int[] y = labels(n, 3);
    float[] x = oneInformativeFeature(y, d, 8);
    LinearProbe tuned = new LinearProbe(0, 100, 0.1).tuned(x, d, y, 3, new double[] {1e-6, 1}, 5);
    assertThat(tuned.weightDecay()).isEqualTo(1.0);
    assertThatThrownBy(() -> LinearProbe.defaults().tuned(x, d, y, 3, new double[] {1}, 1)).hasMessageContaining("folds");
  }

  @Test
  void aHeldOutSplitChoosesLikeCrossValidationAndChecksItsFoldCount() {
    // 90 rows, 50 of them noise features: a weak penalty interpolates the 81 training rows of the split
    int n = 90, d = 51;
    int[] y = labels(n, 3);
    float[] x = oneInformativeFeature(y, d, 9);
    LinearProbe probe = new LinearProbe(0, 100, 0.1);
    assertThat(probe.tuned(x, d, y, 3, new double[] {1e-6, 1}, 10, 1).weightDecay()).isEqualTo(1.0);
    assertThatThrownBy(() -> probe.tuned(x, d, y, 3, new double[] {1}, 10, 0)).hasMessageContaining("1 <= foldsUsed <= 10").hasMessageContaining("got 0");
    assertThatThrownBy(() -> probe.tuned(x, d, y, 3, new double[] {1}, 10, 11)).hasMessageContaining("got 11");
  }

  @Test
  void knnVotesForTheNearestClassAndWeighsByTemperature() {
    int[] y = labels(300, 3), yt = labels(100, 3);
    float[] x = blobs(y, 1), xt = blobs(yt, 2);
    // drop the noisy feature: cosine similarity on the informative four
    float[] a = new float[300 * 4], b = new float[100 * 4];
    for (int i = 0; i < 300; i++) System.arraycopy(x, i * 5, a, i * 4, 4);
    for (int i = 0; i < 100; i++) System.arraycopy(xt, i * 5, b, i * 4, 4);
    assertThat(Features.accuracy(KnnProbe.defaults().predict(a, 4, y, 3, b), yt)).isGreaterThan(0.95);
    // one close neighbour of class 1 outvotes two far ones of class 0 at a low temperature, not at a high one
    float[] train = {1, 0, 0.6f, 0.8f, 0.6f, 0.8f}, query = {1, 0.01f};
    int[] ty = {1, 0, 0};
    assertThat(new KnnProbe(3, 0.05).predict(train, 2, ty, 2, query)).containsExactly(1);
    assertThat(new KnnProbe(3, 100).predict(train, 2, ty, 2, query)).containsExactly(0);
  }

  @Test
  void featuresComeFromTheEncoderInEvalModeAndFineTuningLearns() {
    var enc = new ResNet(new ResNetConfig(1, new int[] {4, 8}, new int[] {1, 1}), new Rng(1));
    Rng rng = new Rng(2);
    int n = 40;
    float[] img = new float[n * 64];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      for (int p = 0; p < 64; p++) img[i * 64 + p] = (y[i] == 1 ? (p % 8 < 4 ? 0.9f : 0.1f) : 0.1f) + 0.05f * rng.nextFloat();
    }
    float[] f = Features.extract(enc, img, 1, 8, 8, 7);
    assertThat(f).hasSize(n * 8);
    assertThat(enc.isTraining()).isTrue();
    assertThat(Arrays.copyOf(f, 8)).isEqualTo(Features.extract(enc, Arrays.copyOf(img, 64), 1, 8, 8, 1));
    double acc = new FineTune(30, 20, 2e-2, 0).run(enc, img, y, 1, 8, 8, 2, img, y, 3);
    assertThat(acc).isGreaterThan(0.9);
    assertThatThrownBy(() -> Features.extract(enc, new float[65], 1, 8, 8, 4)).hasMessageContaining("1x8x8").hasMessageContaining("65");
  }
}
