package dev.fathom.train;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.nn.Module;
import dev.fathom.optim.GradClip;
import dev.fathom.optim.LrSchedule;
import dev.fathom.optim.Optimizer;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A small training loop for classifiers: forward, loss, backward, optional gradient accumulation
 * and clipping, optimizer step with a learning-rate schedule, evaluation after each epoch, and
 * callbacks (progress, metrics, checkpoints, curves).
 *
 * <pre>{@code
 * var trainer = new Trainer(model, new AdamW(model.parameters(), AdamConfig.adamW(1e-3)), F::crossEntropy,
 *     trainLoader, testLoader, 10, TrainerConfig.epochs(5));
 * trainer.addCallback(new MetricsLog(out.resolve("metrics.jsonl")));
 * List<EpochResult> history = trainer.fit();
 * }</pre>
 */
public final class Trainer {
  private final Module model;
  private final Optimizer optimizer;
  private final LossFn loss;
  private UnaryOperator<Batch> batchTransform;
  private final DataLoader train;
  private final DataLoader val;
  private final int numClasses;
  private final TrainerConfig config;
  private final List<Callback> callbacks = new ArrayList<>();
  private LrSchedule schedule;
  private int epochsDone;
  private long step;
  private final List<EpochResult> history = new ArrayList<>();

  public Trainer(Module model, Optimizer optimizer, LossFn loss, DataLoader train, DataLoader val, int numClasses,
      TrainerConfig config) {
    this.model = model;
    this.optimizer = optimizer;
    this.loss = loss;
    this.train = train;
    this.val = val;
    this.numClasses = numClasses;
    this.config = config;
  }

  public Trainer addCallback(Callback c) {
    callbacks.add(c);
    return this;
  }

  /** Sets the learning rate per optimizer step (default: the optimizer's own, constant). */
  /**
   * Replaces each training batch before the step, e.g. with adversarial examples or augmented
   * copies. The transform may switch the model to eval mode (to attack it with running
   * statistics); the trainer puts it back in training mode before the forward pass.
   */
  public Trainer transformBatches(UnaryOperator<Batch> transform) {
    this.batchTransform = transform;
    return this;
  }

  public Trainer schedule(LrSchedule schedule) {
    this.schedule = schedule;
    return this;
  }

  public Module model() {
    return model;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public TrainerConfig config() {
    return config;
  }

  public List<EpochResult> history() {
    return List.copyOf(history);
  }

  /** Where the run stands (for checkpoints). */
  public TrainingState state() {
    return new TrainingState(epochsDone, step);
  }

  /** Continues a run from a saved state: the next epoch is {@code state.epochsDone() + 1}. */
  public void restore(TrainingState state, List<EpochResult> previous) {
    this.epochsDone = state.epochsDone();
    this.step = state.step();
    history.clear();
    if (previous != null) history.addAll(previous);
  }

  /** Trains until {@link TrainerConfig#epochs()} epochs are done; returns the full history. */
  public List<EpochResult> fit() {
    try {
      for (Callback c : callbacks) c.onTrainStart(this);
      while (epochsDone < config.epochs()) {
        EpochResult r = runEpoch(epochsDone);
        epochsDone++;
        history.add(r);
        for (Callback c : callbacks) c.onEpochEnd(this, r);
      }
      for (Callback c : callbacks) c.onTrainEnd(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return history();
  }

  private EpochResult runEpoch(int epoch) throws IOException {
    model.train();
    train.setEpoch(epoch);
    int batches = train.numBatches();
    long t0 = System.nanoTime();
    long gc0 = gcMillis();
    double lossSum = 0;
    long correct = 0, seen = 0;
    int b = 0;
    int accum = config.accumulationSteps();
    optimizer.zeroGrad();
    for (Batch original : train) {
      Batch batch = original;
      if (batchTransform != null) {
        batch = batchTransform.apply(original);
        model.train();
      }
      Tensor out = model.call(batch.inputs());
      Tensor l = loss.apply(out, batch.targets());
      (accum == 1 ? l : l.div(accum)).backward();
      boolean last = b == batches - 1;
      if ((b + 1) % accum == 0 || last) {
        if (config.clipGradNorm() > 0) GradClip.clipGradNorm(optimizer.params(), config.clipGradNorm());
        if (schedule != null) optimizer.setLr(schedule.lr(step));
        optimizer.step();
        optimizer.zeroGrad();
        step++;
      }
      int bs = batch.size();
      double lv = l.item();
      lossSum += lv * bs;
      seen += bs;
      if (batch.targets().dim() == 1 && out.dim() == 2) {
        Tensor pred = out.argmax(1, false);
        for (int i = 0; i < bs; i++) if (pred.getLong(i) == batch.targets().getLong(i)) correct++;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      StepInfo info = new StepInfo(epoch, b, batches, step, lv, optimizer.lr(), seen / Math.max(secs, 1e-9));
      for (Callback c : callbacks) c.onStep(this, info);
      b++;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    double gcSecs = (gcMillis() - gc0) / 1e3;
    double valLoss = Double.NaN, valAcc = Double.NaN;
    if (val != null) {
      EvalResult e = Evaluator.evaluate(model, val, loss, numClasses);
      valLoss = e.loss();
      valAcc = e.accuracy();
    }
    return new EpochResult(epoch + 1, step, lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen), valLoss, valAcc,
        secs, seen / Math.max(secs, 1e-9), optimizer.lr(), gcSecs);
  }

  /**
   * Total collection time reported by the JVM's garbage collectors so far, in milliseconds (pauses,
   * and for G1 its remark and cleanup): what {@link EpochResult#gcSeconds()} is measured with.
   */
  public static long gcMillis() {
    long total = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, gc.getCollectionTime());
    return total;
  }
}
