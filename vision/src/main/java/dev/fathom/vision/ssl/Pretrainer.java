package dev.fathom.vision.ssl;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.Dataset;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.augment.Augmentation;
import dev.fathom.vision.augment.AugmentedDataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains any {@link SslMethod} on unlabelled images: augmented views built in the DataLoader's
 * workers ({@link AugmentedDataset}), AdamW (betas 0.9/0.999) with warmup and cosine decay, the
 * method's {@link SslMethod#afterStep} hook after every step. Labels of the dataset are never read.
 */
public final class Pretrainer {
  /** Receives every step's loss. */
  @FunctionalInterface
  public interface Listener {
    void onStep(int epoch, int batch, int batches, double loss, double imagesPerSecond);
  }

  /** What a run produced: mean loss per epoch, every step's loss, and the wall time. */
  public record Result(double[] epochLoss, double[] stepLoss, double seconds, long images) {}

  private final SslMethod method;
  private final PretrainConfig config;

  public Pretrainer(SslMethod method, PretrainConfig config) {
    this.method = method;
    this.config = config;
  }

  /**
   * @param images examples whose inputs are (N, C, H, W)
   * @param augmentation applied independently to each view
   */
  public Result fit(Dataset images, int channels, int height, int width, Augmentation augmentation, Listener listener) {
    var views = new AugmentedDataset(images, channels, height, width, augmentation, method.viewCount(), config.seed());
    int workers = config.numWorkers();
    var loader = new DataLoader(views, new DataLoaderConfig(config.batchSize(), true, true, config.seed(), workers == 0 ? 0 : 2, workers));
    int batches = loader.numBatches();
    if (batches == 0) {
      throw new IllegalArgumentException("Pretrainer: " + images.size() + " images make no full batch of " + config.batchSize());
    }
    long total = (long) batches * config.epochs();
    LrSchedule schedule = LrSchedule.cosineWithWarmup(config.lr(), Math.round(config.warmupEpochs() * batches), total, 0);
    var opt = new AdamW(method.parameters().stream().filter(Tensor::requiresGrad).toList(),
        new AdamConfig(config.lr(), 0.9, 0.999, 1e-8, config.weightDecay()));
    method.model().train();
    double[] epochLoss = new double[config.epochs()];
    List<Double> steps = new ArrayList<>();
    long start = System.nanoTime(), seen = 0, step = 0;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      int b = 0;
      double sum = 0;
      for (Batch batch : loader) {
        opt.setLr(schedule.lr(step));
        Tensor loss = method.loss(batch.inputs(), method.viewCount());
        double value = loss.item();
        if (!Double.isFinite(value)) throw new IllegalStateException(method.name() + ": loss became " + value + " at epoch " + (epoch + 1) + ", step " + (b + 1));
        opt.zeroGrad();
        loss.backward();
        opt.step();
        method.afterStep(step, total);
        step++;
        seen += batch.targets().numel();
        sum += value;
        steps.add(value);
        double rate = seen / ((System.nanoTime() - start) / 1e9);
        if (listener != null) listener.onStep(epoch, b, batches, value, rate);
        b++;
      }
      epochLoss[epoch] = sum / batches;
    }
    method.model().eval();
    return new Result(epochLoss, steps.stream().mapToDouble(Double::doubleValue).toArray(), (System.nanoTime() - start) / 1e9, seen);
  }
}
