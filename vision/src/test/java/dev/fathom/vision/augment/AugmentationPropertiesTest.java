package dev.fathom.vision.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

class AugmentationPropertiesTest {
  static Image random(int c, int h, int w, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[c * h * w];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();
    return new Image(x, c, h, w);
  }

  @Test
  void flippingTwiceIsTheIdentityAndOnceMirrors() {
    Image img = random(3, 5, 7, 1);
    Image once = RandomHorizontalFlip.hflip(img);
    assertThat(once.get(2, 4, 0)).isEqualTo(img.get(2, 4, 6));
    assertThat(once.data()).isNotEqualTo(img.data());
    assertThat(RandomHorizontalFlip.hflip(once).data()).isEqualTo(img.data());
    assertThat(new RandomHorizontalFlip(1).apply(img, new Rng(3)).data()).isEqualTo(once.data());
    assertThat(new RandomHorizontalFlip(0).apply(img, new Rng(3)).data()).isEqualTo(img.data());
  }

  @Test
  void resizedCropHasTheOutputSizeAndAFullCropOfTheSameSizeIsTheImage() {
    Image img = random(1, 28, 28, 2);
    var crop = new RandomResizedCrop(20, 24, 0.2, 1, 0.75, 1.33);
    Rng rng = new Rng(5);
    for (int i = 0; i < 20; i++) {
      Image out = crop.apply(img, rng);
      assertThat(new int[] {out.channels(), out.height(), out.width()}).containsExactly(1, 20, 24);
    }
    var same = new RandomResizedCrop(28, 28, 1, 1, 1, 1);
    assertThat(same.crop(img, 0, 0, 28, 28).data()).isEqualTo(img.data());
    // a 2x upsample of a constant-per-column ramp keeps the ramp's range
    Image up = new RandomResizedCrop(8, 8, 1, 1, 1, 1).crop(img, 3, 4, 4, 4);
    float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
    for (float v : up.data()) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    float rlo = Float.MAX_VALUE, rhi = -Float.MAX_VALUE;
    for (int y = 3; y < 7; y++) for (int x = 4; x < 8; x++) { rlo = Math.min(rlo, img.get(0, y, x)); rhi = Math.max(rhi, img.get(0, y, x)); }
    assertThat(lo).isGreaterThanOrEqualTo(rlo - 1e-6f);
    assertThat(hi).isLessThanOrEqualTo(rhi + 1e-6f);
  }

  @Test
  void noiseHasTheRequestedMeanAndVariance() {
    Image zero = Image.zeros(1, 100, 100);
    Image noisy = new GaussianNoise(0.1, 0.3, false).apply(zero, new Rng(11));
    double m = 0, v = 0;
    for (float x : noisy.data()) m += x;
    m /= noisy.data().length;
    for (float x : noisy.data()) v += (x - m) * (x - m);
    v /= noisy.data().length - 1;
    // 10^4 samples: standard error of the mean 0.003, of the variance about 0.0013
    assertThat(m).isCloseTo(0.1, within(0.015));
    assertThat(v).isCloseTo(0.09, within(0.007));
    for (float x : new GaussianNoise(0, 2, true).apply(zero, new Rng(1)).data()) assertThat(x).isBetween(0f, 1f);
  }

  @Test
  void blurKeepsConstantImagesAndSmoothsAnImpulse() {
    float[] c = new float[2 * 6 * 9];
    java.util.Arrays.fill(c, 0.37f);
    var blur = new GaussianBlur(5, 0.5, 2);
    Image out = blur.apply(new Image(c, 2, 6, 9), new Rng(4));
    for (float v : out.data()) assertThat(v).isCloseTo(0.37f, within(1e-6f));
    Image impulse = Image.zeros(1, 9, 9);
    impulse.data()[4 * 9 + 4] = 1;
    Image b = blur.blur(impulse, 1.0);
    double sum = 0;
    for (float v : b.data()) sum += v;
    assertThat(sum).isCloseTo(1, within(1e-5));
    double[] k = blur.kernel(1.0);
    assertThat(b.get(0, 4, 4)).isCloseTo((float) (k[2] * k[2]), within(1e-6f));
    assertThat(b.get(0, 3, 5)).isCloseTo((float) (k[1] * k[3]), within(1e-6f));
    assertThat(GaussianBlur.reflect(-1, 5)).isEqualTo(1);
    assertThat(GaussianBlur.reflect(5, 5)).isEqualTo(3);
  }

  @Test
  void erasingCoversAnAreaWithinTheScaleRange() {
    float[] ones = new float[28 * 28];
    java.util.Arrays.fill(ones, 1);
    var erase = new RandomErasing(1, 0.05, 0.2, 0.3, 3.3, 0f);
    Rng rng = new Rng(9);
    for (int t = 0; t < 50; t++) {
      Image out = erase.apply(new Image(ones, 1, 28, 28), rng);
      int zeros = 0;
      for (float v : out.data()) if (v == 0) zeros++;
      // rounding each side of the rectangle moves the area by at most about one row and column
      assertThat(zeros).isBetween((int) (0.05 * 784) - 28, (int) (0.2 * 784) + 28).isPositive();
    }
    assertThat(new RandomErasing(0, 0.05, 0.2, 0.3, 3.3, 0f).apply(new Image(ones, 1, 28, 28), rng).data()).isEqualTo(ones);
  }

  @Test
  void affineIdentityWarpKeepsTheImageAndAQuarterTurnRotates() {
    Image img = random(1, 7, 7, 3);
    var affine = new RandomAffine(30, 0.1, 0.9, 1.1, 0f);
    assertThat(affine.warp(img, 0, 0, 0, 1).data()).isEqualTo(img.data());
    Image rot = affine.warp(img, Math.PI / 2, 0, 0, 1);
    // output (i, j) reads input at x = cx + (i − cy), y = cy − (j − cx): a quarter turn
    assertThat(rot.get(0, 1, 2)).isCloseTo(img.get(0, 4, 1), within(1e-5f));
    Image shifted = affine.warp(img, 0, 1, 0, 1);
    assertThat(shifted.get(0, 3, 0)).isZero();
    assertThat(shifted.get(0, 3, 4)).isEqualTo(img.get(0, 3, 3));
  }

  @Test
  void jitterWithZeroStrengthIsTheIdentityAndStaysInRange() {
    Image img = random(1, 10, 10, 6);
    assertThat(new ColorJitter(0, 0).apply(img, new Rng(1)).data()).containsExactly(img.data(), within(1e-6f));
    for (float v : new ColorJitter(0.9, 0.9).apply(img, new Rng(2)).data()) assertThat(v).isBetween(0f, 1f);
  }
}
