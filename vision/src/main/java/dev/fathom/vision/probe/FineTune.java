package dev.fathom.vision.probe;

import dev.fathom.autograd.Grad;
import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.TensorDataset;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.augment.Augmentations;
import dev.fathom.vision.augment.AugmentedDataset;
import dev.fathom.vision.models.Encoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Fine-tuning: the encoder and a new linear head trained together on the labelled images
 * (cross-entropy, AdamW, cosine schedule, light augmentations: resized crop and flip). From a
 * pretrained encoder with a small lr this is the fine-tuning probe; from a randomly initialized one
 * it is the supervised baseline on the same labels.
 *
 * @param steps optimizer steps (epochs follow from the subset size)
 * @param batchSize images per step (capped at the subset size)
 * @param lr AdamW peak learning rate
 * @param weightDecay AdamW weight decay
 */
public record FineTune(int steps, int batchSize, double lr, double weightDecay) {
  public FineTune {
    if (steps < 1 || batchSize < 1) throw new IllegalArgumentException("FineTune: steps and batchSize must be >= 1, got " + steps + ", " + batchSize);
    if (!(lr > 0)) throw new IllegalArgumentException("FineTune: lr must be > 0, got " + lr);
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("FineTune: weightDecay must be >= 0, got " + weightDecay);
  }

  /**
   * Trains {@code encoder} (in place) and a head on the labelled images, then returns the accuracy
   * on the test images.
   */
  public double run(Encoder encoder, float[] images, int[] labels, int c, int h, int w, int numClasses, float[] testImages, int[] testLabels,
      long seed) {
    Rng rng = new Rng(seed);
    Linear head = new Linear(encoder.featureDim(), numClasses, rng);
    List<Tensor> params = new ArrayList<>(encoder.parameters());
    params.addAll(head.parameters());
    var opt = new AdamW(params, new AdamConfig(lr, 0.9, 0.999, 1e-8, weightDecay));
    LrSchedule schedule = LrSchedule.cosineWithWarmup(lr, Math.min(steps / 10, 50), steps, 0);
    var data = new AugmentedDataset(TensorDataset.of(images, new int[] {c, h, w}, labels), c, h, w, Augmentations.light(h, w), 1, seed);
    int b = Math.min(batchSize, labels.length);
    var loader = new DataLoader(data, new DataLoaderConfig(b, true, true, seed, 2, 1));
    encoder.train();
    head.train();
    int step = 0;
    while (step < steps) {
      for (Batch batch : loader) {
        if (step >= steps) break;
        opt.setLr(schedule.lr(step++));
        Tensor loss = F.crossEntropy(head.call(encoder.call(batch.inputs())), batch.targets());
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    }
    encoder.eval();
    head.eval();
    return accuracy(encoder, head, testImages, testLabels, c, h, w);
  }

  private static double accuracy(Encoder encoder, Linear head, float[] images, int[] labels, int c, int h, int w) {
    float[] feats = Features.extract(encoder, images, c, h, w, 500);
    int d = encoder.featureDim(), n = labels.length;
    int[] pred = new int[n];
    try (var g = Grad.disabled()) {
      float[] logits = head.call(Tensor.of(feats, n, d)).data();
      int k = logits.length / n;
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + best]) best = j;
        pred[i] = best;
      }
    }
    return Features.accuracy(pred, labels);
  }
}
