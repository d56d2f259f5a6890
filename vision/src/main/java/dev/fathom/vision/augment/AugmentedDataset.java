package dev.fathom.vision.augment;

import dev.fathom.data.Batch;
import dev.fathom.data.Dataset;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * A dataset whose images pass through an {@link Augmentation} when batched, so the transforms run
 * in the {@link dev.fathom.data.DataLoader}'s background workers. With {@code views} = V > 1 every
 * example is augmented V times independently (SimCLR's and BYOL's two views).
 *
 * <p>Determinism: view v of example i in epoch e is drawn from a generator seeded with a hash of
 * (seed, e, i, v) ({@link #rng}), so the result is a pure function of those four numbers, the
 * same bits whatever thread or worker count builds the batch.
 *
 * <p>Batch layout: inputs (V·N, C, H', W') view-major, rows [v·N, (v+1)·N) are view v of the N
 * examples in the order asked; targets are the base dataset's (N).
 */
public final class AugmentedDataset implements Dataset {
  private final Dataset base;
  private final int channels, height, width;
  private final Augmentation augmentation;
  private final int views;
  private final long seed;

  /**
   * @param base examples whose inputs are (N, C, H, W) or (N, C·H·W)
   * @param channels C
   * @param height H
   * @param width W
   * @param augmentation the transform applied to each view
   * @param views V >= 1
   * @param seed augmentation seed
   */
  public AugmentedDataset(Dataset base, int channels, int height, int width, Augmentation augmentation, int views, long seed) {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("AugmentedDataset: expected positive (C, H, W), got (" + channels + ", " + height + ", " + width + ")");
    }
    if (views < 1) throw new IllegalArgumentException("AugmentedDataset: expected views >= 1, got " + views);
    if (augmentation == null) throw new IllegalArgumentException("AugmentedDataset: expected an augmentation, got null");
    this.base = base;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.augmentation = augmentation;
    this.views = views;
    this.seed = seed;
  }

  /** Two independently augmented views of every example (SimCLR, BYOL). */
  public static AugmentedDataset twoViews(Dataset base, int channels, int height, int width, Augmentation augmentation, long seed) {
    return new AugmentedDataset(base, channels, height, width, augmentation, 2, seed);
  }

  public int views() {
    return views;
  }

  @Override
  public int size() {
    return base.size();
  }

  /** The batch as served in epoch 0. */
  @Override
  public Batch batch(int[] indices) {
    return batch(indices, 0);
  }

  @Override
  public Batch batch(int[] indices, int epoch) {
    Batch raw = base.batch(indices, epoch);
    int n = indices.length, px = channels * height * width;
    float[] x = raw.inputs().data();
    if (x.length != (long) n * px) {
      throw new IllegalArgumentException("AugmentedDataset: expected " + n + " images of " + channels + "x" + height + "x" + width
          + " = " + (long) n * px + " values, got " + x.length + " (input shape " + java.util.Arrays.toString(raw.inputs().shape()) + ")");
    }
    float[] out = null;
    int oc = 0, oh = 0, ow = 0;
    for (int v = 0; v < views; v++) {
      for (int i = 0; i < n; i++) {
        float[] pixels = new float[px];
        System.arraycopy(x, i * px, pixels, 0, px);
        Image img = augmentation.apply(new Image(pixels, channels, height, width), rng(seed, epoch, indices[i], v));
        if (out == null) {
          oc = img.channels();
          oh = img.height();
          ow = img.width();
          out = new float[views * n * img.data().length];
        } else if (img.channels() != oc || img.height() != oh || img.width() != ow) {
          throw new IllegalStateException("AugmentedDataset: the augmentation returned " + img.channels() + "x" + img.height() + "x"
              + img.width() + " after " + oc + "x" + oh + "x" + ow + "; every output must have one size");
        }
        System.arraycopy(img.data(), 0, out, (v * n + i) * img.data().length, img.data().length);
      }
    }
    if (out == null) out = new float[0];
    return new Batch(Tensor.of(out, views * n, oc == 0 ? channels : oc, oh == 0 ? height : oh, ow == 0 ? width : ow), raw.targets());
  }

  /**
   * The generator of view {@code view} of example {@code index} in epoch {@code epoch}: seeded
   * with a SplitMix64-style hash of the four numbers, so nearby tuples give unrelated streams.
   */
  public static Rng rng(long seed, int epoch, int index, int view) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    h = mix(h ^ epoch);
    h = mix(h ^ index);
    return new Rng(mix(h ^ view));
  }

  private static long mix(long z) {
    z = (z + 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
