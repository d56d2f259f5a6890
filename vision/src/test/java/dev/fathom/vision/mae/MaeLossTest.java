package dev.fathom.vision.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MaeLossTest {
  @Test
  void normalizedPatchesHaveZeroMeanAndUnitUnbiasedVariance() {
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 10, 10, 10, 10}, 1, 2, 4);
    Tensor n = MaeLoss.normalizePatches(t);
    double sd = Math.sqrt(5.0 / 3 + MaeLoss.EPS);
    assertThat(n.get(0, 0, 0)).isCloseTo((float) (-1.5 / sd), within(1e-6f));
    assertThat(n.get(0, 0, 3)).isCloseTo((float) (1.5 / sd), within(1e-6f));
    assertThat(n.get(0, 1, 2)).isEqualTo(0f); // a constant patch maps to zeros, not NaN
  }

  @Test
  void lossCountsOnlyHiddenPatches() {
    Tensor target = Tensor.randn(new Rng(3), 2, 4, 5);
    PatchMask mask = new PatchMask(new int[][] {{0, 1}, {2, 3}}, new int[][] {{2, 3}, {0, 1}}, 4);
    Tensor pred = Tensor.zeros(2, 4, 5).requiresGrad(true);
    float[] p = pred.data(), t = target.data();
    // Perfect on the hidden patches, garbage on the visible ones: the loss must be 0.
    for (int i = 0; i < 2; i++) {
      for (int h : mask.hidden()[i]) for (int j = 0; j < 5; j++) p[(i * 4 + h) * 5 + j] = t[(i * 4 + h) * 5 + j];
      for (int v : mask.keep()[i]) for (int j = 0; j < 5; j++) p[(i * 4 + v) * 5 + j] = 100;
    }
    assertThat(MaeLoss.loss(pred, target, mask, false).item()).isEqualTo(0f);
    Tensor loss = MaeLoss.loss(Tensor.zeros(2, 4, 5).requiresGrad(true), target, mask, false);
    double expected = 0;
    for (int i = 0; i < 2; i++) for (int h : mask.hidden()[i]) for (int j = 0; j < 5; j++) expected += t[(i * 4 + h) * 5 + j] * t[(i * 4 + h) * 5 + j];
    assertThat(loss.item()).isCloseTo((float) (expected / 20), within(1e-5f));
  }

  @Test
  void baselinesScoreTheirOwnPredictions() {
    // Two images, 2 patches of 2 pixels; train mean at position 1 is (2, 2).
    Tensor train = Tensor.of(new float[] {0, 0, 1, 1, 0, 0, 3, 3}, 2, 2, 2);
    MeanPatchBaseline b = MeanPatchBaseline.fit(train);
    Tensor test = Tensor.of(new float[] {5, 5, 4, 4}, 1, 2, 2);
    PatchMask mask = new PatchMask(new int[][] {{0}}, new int[][] {{1}}, 2);
    assertThat(b.positionError(test, mask)).isCloseTo(4.0, within(1e-9)); // (4-2)^2
    assertThat(MeanPatchBaseline.visibleMeanError(test, mask)).isCloseTo(1.0, within(1e-9)); // (4-5)^2
  }
}
