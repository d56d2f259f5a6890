package dev.fathom.vision.ssl;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.Dataset;
import dev.fathom.io.FormatException;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.augment.Augmentation;
import dev.fathom.vision.augment.AugmentedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains any {@link SslMethod} on unlabelled images: augmented views built in the DataLoader's
 * workers ({@link AugmentedDataset}), AdamW (betas 0.9/0.999) with warmup and cosine decay, the
 * method's {@link SslMethod#afterStep} hook after every step. Labels of the dataset are never read.
 *
 * <p>With {@link #saveEpochsTo} the run leaves its state after every epoch ({@link PretrainState}:
 * weights, optimizer, step, losses) and a later run with the same settings resumes from the last
 * one it finds, bit for bit the same as a run that was never interrupted.
 */
public final class Pretrainer {
  /** Receives every step's loss. */
  @FunctionalInterface
  public interface Listener {
    void onStep(int epoch, int batch, int batches, double loss, double imagesPerSecond);
  }

  /**
   * What a run produced: mean loss per epoch, every step's loss, the wall time (earlier sittings
   * of a resumed run included), and the epochs done (fewer than configured after {@link #stopAfter}).
   */
  public record Result(double[] epochLoss, double[] stepLoss, double seconds, long images, int epochsDone) {}

  private final SslMethod method;
  private final PretrainConfig config;
  private Path stateDir;
  private boolean resume;
  private int stopAfter = Integer.MAX_VALUE;

  public Pretrainer(SslMethod method, PretrainConfig config) {
    this.method = method;
    this.config = config;
  }

  /**
   * Saves the run's state into {@code dir} after every epoch; with {@code resume}, {@link #fit}
   * first continues from the state it finds there (none: from the start).
   */
  public Pretrainer saveEpochsTo(Path dir, boolean resume) {
    this.stateDir = dir;
    this.resume = resume;
    return this;
  }

  /**
   * Ends the run once {@code epochs} epochs of the schedule are done (counting those of earlier
   * sittings), leaving the state for a later resume: a long run in sittings.
   */
  public Pretrainer stopAfter(int epochs) {
    if (epochs < 1) throw new IllegalArgumentException("Pretrainer: stopAfter must be >= 1 epoch, got " + epochs);
    this.stopAfter = epochs;
    return this;
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
    double[] epochLoss = new double[config.epochs()];
    List<Double> steps = new ArrayList<>();
    long start = System.nanoTime(), seen = 0, step = 0, seenBefore = 0;
    double secondsBefore = 0;
    int first = 0;
    if (resume && PretrainState.exists(stateDir)) {
      PretrainState st = restore(images.size(), batches, opt);
      first = st.epochsDone();
      step = st.step();
      seen = seenBefore = st.images();
      secondsBefore = st.seconds();
      System.arraycopy(st.epochLoss(), 0, epochLoss, 0, first);
      for (double v : st.stepLoss()) steps.add(v);
      loader.setEpoch(first);
    }
    method.model().train();
    int last = Math.min(config.epochs(), Math.max(stopAfter, first));
    for (int epoch = first; epoch < last; epoch++) {
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
        double rate = (seen - seenBefore) / ((System.nanoTime() - start) / 1e9);
        if (listener != null) listener.onStep(epoch, b, batches, value, rate);
        b++;
      }
      epochLoss[epoch] = sum / batches;
      if (stateDir != null) {
        double[] stepLoss = steps.stream().mapToDouble(Double::doubleValue).toArray();
        PretrainState st = new PretrainState(method.name(), config, images.size(), epoch + 1, step, seen,
            secondsBefore + (System.nanoTime() - start) / 1e9, java.util.Arrays.copyOf(epochLoss, epoch + 1), stepLoss);
        try {
          st.save(stateDir, method, opt);
        } catch (IOException e) {
          throw new UncheckedIOException("Pretrainer: could not save the state of epoch " + (epoch + 1) + " in " + stateDir + ": " + e.getMessage(), e);
        }
      }
    }
    method.model().eval();
    return new Result(java.util.Arrays.copyOf(epochLoss, last), steps.stream().mapToDouble(Double::doubleValue).toArray(),
        secondsBefore + (System.nanoTime() - start) / 1e9, seen, last);
  }

  private static PretrainConfig sansWorkers(PretrainConfig c) {
    return new PretrainConfig(c.epochs(), c.batchSize(), c.lr(), c.weightDecay(), c.warmupEpochs(), 0, c.seed());
  }

  /** Loads the saved state into the method and optimizer after checking it belongs to this run. */
  private PretrainState restore(int imageCount, int batches, AdamW opt) {
    try {
      PretrainState st = PretrainState.load(stateDir);
      // the worker count does not change a single bit of the run (AugmentedDataset), so it may differ
      if (!st.method().equals(method.name()) || !sansWorkers(st.config()).equals(sansWorkers(config)) || st.imageCount() != imageCount) {
        throw new FormatException(stateDir.resolve(PretrainState.FILE) + ": expected a " + method.name() + " run with " + config + " over "
            + imageCount + " images, got a " + st.method() + " run with " + st.config() + " over " + st.imageCount() + " images");
      }
      if (st.epochsDone() > config.epochs() || st.step() != (long) st.epochsDone() * batches || st.stepLoss().length != st.step()
          || st.epochLoss().length != st.epochsDone()) {
        throw new FormatException(stateDir.resolve(PretrainState.FILE) + ": expected " + batches + " steps per epoch and at most "
            + config.epochs() + " epochs, got " + st.epochsDone() + " epochs, step " + st.step() + ", " + st.stepLoss().length + " step losses, "
            + st.epochLoss().length + " epoch losses");
      }
      st.loadInto(stateDir, method, opt);
      return st;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }
}
