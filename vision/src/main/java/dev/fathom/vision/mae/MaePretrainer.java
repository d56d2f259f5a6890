package dev.fathom.vision.mae;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.Dataset;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Pretrains a {@link Mae} on the images of a dataset; the labels are never read. */
public final class MaePretrainer {
  /** One epoch's mean loss, wall time and throughput. */
  public record Epoch(int epoch, double loss, double seconds, double imagesPerSecond) {}

  private MaePretrainer() {}

  /**
   * Trains {@code mae} for {@code config.epochs()} passes over {@code images} (an augmenting
   * dataset runs its transforms in the loader's background thread) and reports each epoch.
   */
  public static List<Epoch> train(Mae mae, Dataset images, MaeTrainConfig config, Consumer<Epoch> progress) {
    DataLoader loader = new DataLoader(images, new DataLoaderConfig(config.batchSize(), true, true, config.seed(), 2));
    int steps = loader.numBatches();
    if (steps == 0) {
      throw new IllegalArgumentException("MAE pretraining: " + images.size() + " images make no full batch of " + config.batchSize());
    }
    AdamW opt = new AdamW(mae.parameters(), new AdamConfig(config.lr(), 0.9, 0.95, 1e-8, config.weightDecay()));
    LrSchedule lr = LrSchedule.cosineWithWarmup(config.lr(), (long) config.warmupEpochs() * steps, (long) config.epochs() * steps, 0);
    Rng maskRng = new Rng(config.seed() ^ 0x6D61736BL);
    List<Epoch> history = new ArrayList<>();
    long step = 0;
    mae.train();
    for (int e = 0; e < config.epochs(); e++) {
      long t0 = System.nanoTime();
      double sum = 0;
      int seen = 0;
      for (Batch b : loader) {
        opt.setLr(lr.lr(step++));
        opt.zeroGrad();
        Tensor loss = mae.loss(b.inputs(), mae.randomMask(b.size(), maskRng));
        loss.backward();
        opt.step();
        sum += loss.item() * b.size();
        seen += b.size();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      Epoch ep = new Epoch(e + 1, sum / seen, secs, seen / secs);
      history.add(ep);
      if (progress != null) progress.accept(ep);
    }
    return history;
  }
}
