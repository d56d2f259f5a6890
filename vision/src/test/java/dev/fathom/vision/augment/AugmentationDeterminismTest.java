package dev.fathom.vision.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.TensorDataset;
import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AugmentationDeterminismTest {
  private static final Augmentation ALL = Compose.of(
      new RandomResizedCrop(12, 12, 0.3, 1, 0.75, 1.33), new RandomHorizontalFlip(0.5), new RandomAffine(15, 0.1, 0.9, 1.1, 0f),
      new RandomApply(new ColorJitter(0.4, 0.4), 0.8), new GaussianBlur(3, 0.1, 1.5), new GaussianNoise(0, 0.05, true),
      RandomErasing.of());

  private static TensorDataset images(int n) {
    Rng rng = new Rng(42);
    float[] x = new float[n * 2 * 14 * 14];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();
    long[] y = new long[n];
    for (int i = 0; i < n; i++) y[i] = i % 3;
    return new TensorDataset(x, new int[] {2, 14, 14}, y);
  }

  private static List<float[]> epochs(DataLoader loader, int count) {
    List<float[]> out = new ArrayList<>();
    for (int e = 0; e < count; e++) for (Batch b : loader) out.add(b.inputs().data());
    return out;
  }

  @Test
  void sameSeedGivesIdenticalArraysAndADifferentSeedDoesNot() {
    Image img = AugmentationPropertiesTest.random(2, 14, 14, 7);
    float[] a = ALL.apply(img, new Rng(3)).data(), b = ALL.apply(img, new Rng(3)).data(), c = ALL.apply(img, new Rng(4)).data();
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
    var ds = AugmentedDataset.twoViews(images(10), 2, 14, 14, ALL, 1);
    assertThat(ds.batch(new int[] {3, 5}, 2).inputs().data()).isEqualTo(ds.batch(new int[] {3, 5}, 2).inputs().data());
    var other = AugmentedDataset.twoViews(images(10), 2, 14, 14, ALL, 2);
    assertThat(ds.batch(new int[] {3, 5}, 2).inputs().data()).isNotEqualTo(other.batch(new int[] {3, 5}, 2).inputs().data());
  }

  @Test
  void viewsEpochsAndBatchCompanyDoNotChangeAnExamplesDraw() {
    var ds = AugmentedDataset.twoViews(images(10), 2, 14, 14, ALL, 1);
    Batch pair = ds.batch(new int[] {4, 8}, 0);
    assertThat(pair.inputs().shape()).containsExactly(4, 2, 12, 12);
    int px = 2 * 12 * 12;
    float[] x = pair.inputs().data();
    float[] alone = ds.batch(new int[] {8}, 0).inputs().data();
    // view 0 of example 8 is row 1; view 1 is row 3, whoever shares the batch
    assertThat(java.util.Arrays.copyOfRange(x, px, 2 * px)).isEqualTo(java.util.Arrays.copyOfRange(alone, 0, px));
    assertThat(java.util.Arrays.copyOfRange(x, 3 * px, 4 * px)).isEqualTo(java.util.Arrays.copyOfRange(alone, px, 2 * px));
    assertThat(java.util.Arrays.copyOfRange(x, px, 2 * px)).isNotEqualTo(java.util.Arrays.copyOfRange(x, 3 * px, 4 * px));
    assertThat(ds.batch(new int[] {8}, 1).inputs().data()).isNotEqualTo(alone);
  }

  @Test
  void loaderResultsDoNotDependOnTheWorkerCount() {
    var ds = AugmentedDataset.twoViews(images(37), 2, 14, 14, ALL, 5);
    List<float[]> reference = epochs(new DataLoader(ds, new DataLoaderConfig(8, true, false, 3, 0, 0)), 2);
    for (int workers : new int[] {1, 3}) {
      List<float[]> got = epochs(new DataLoader(ds, new DataLoaderConfig(8, true, false, 3, 2, workers)), 2);
      assertThat(got).hasSameSizeAs(reference);
      for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).as("%d workers, batch %d", workers, i).isEqualTo(reference.get(i));
    }
  }

  @Test
  void badImagesAndParametersAreRejectedWithWhatWasExpected() {
    assertThatThrownBy(() -> new Image(new float[783], 1, 28, 28)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1x28x28 = 784").hasMessageContaining("got 783");
    float[] nan = new float[4];
    nan[3] = Float.NaN;
    assertThatThrownBy(() -> new Image(nan, 1, 2, 2)).hasMessageContaining("finite").hasMessageContaining("NaN").hasMessageContaining("y=1, x=1");
    assertThatThrownBy(() -> new Image(new float[0], 1, 0, 5)).hasMessageContaining("positive").hasMessageContaining("(1, 0, 5)");
    assertThatThrownBy(() -> new RandomResizedCrop(0, 5, 0.2, 1, 1, 1)).hasMessageContaining("0x5");
    assertThatThrownBy(() -> new RandomResizedCrop(5, 5, 0.9, 0.2, 1, 1)).hasMessageContaining("scale").hasMessageContaining("[0.9, 0.2]");
    assertThatThrownBy(() -> new GaussianBlur(4, 0.1, 1)).hasMessageContaining("odd").hasMessageContaining("4");
    assertThatThrownBy(() -> new RandomHorizontalFlip(1.5)).hasMessageContaining("[0, 1]").hasMessageContaining("1.5");
    assertThatThrownBy(() -> new GaussianNoise(0, -1, false)).hasMessageContaining("sigma").hasMessageContaining("-1");
    assertThatThrownBy(() -> new RandomAffine(200, 0, 1, 1, 0f)).hasMessageContaining("degrees");
    var ds = new AugmentedDataset(images(4), 1, 14, 14, ALL, 1, 0);
    assertThatThrownBy(() -> ds.batch(new int[] {0})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1x14x14 = 196").hasMessageContaining("got 392");
    float[] bad = new float[2 * 14 * 14];
    bad[5] = Float.POSITIVE_INFINITY;
    var inf = new AugmentedDataset(new TensorDataset(bad, new int[] {2, 14, 14}, new long[1]), 2, 14, 14, ALL, 1, 0);
    assertThatThrownBy(() -> inf.batch(new int[] {0})).hasMessageContaining("Infinity");
  }
}
