package dev.fathom.cli;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.Dataset;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.F;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Rng;
import dev.fathom.train.CheckpointCallback;
import dev.fathom.train.CurvePlot;
import dev.fathom.train.EvalResult;
import dev.fathom.train.LossFn;
import dev.fathom.train.Evaluator;
import dev.fathom.train.MetricsLog;
import dev.fathom.train.ProgressCallback;
import dev.fathom.train.Trainer;
import dev.fathom.train.TrainerConfig;
import dev.fathom.vision.augment.AugmentedDataset;
import dev.fathom.vision.augment.Augmentations;
import dev.fathom.vision.models.ImageClassifierConfig;
import dev.fathom.vision.models.ImageClassifiers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The training run behind {@code fathom train} and {@code fathom demo}: data, model, AdamW with
 * cosine decay, the trainer with its callbacks (progress, metrics.jsonl, checkpoint per epoch,
 * curves.png), and a final test evaluation.
 */
final class Training {
  private Training() {}

  /** What to train. */
  record Options(String data, String target, String model, int epochs, int batch, double lr, double weightDecay, long seed,
      Path out, boolean resume, Fold fold, String augment) {
    /** The training-image augmentations {@code --augment} accepts. */
    static final List<String> AUGMENTS = List.of("none", "light");

    Options(String data, String target, String model, int epochs, int batch, double lr, double weightDecay, long seed, Path out, boolean resume) {
      this(data, target, model, epochs, batch, lr, weightDecay, seed, out, resume, null, "none");
    }

    Options {
      if (!"mlp".equals(model) && !"cnn".equals(model) && !ImageClassifierConfig.MODELS.contains(model)) {
        throw new CliException("--model must be mlp, cnn, vit, hybrid or resnet, got '" + model + "'");
      }
      if (epochs <= 0) throw new CliException("--epochs must be > 0, got " + epochs);
      if (batch <= 0) throw new CliException("--batch must be > 0, got " + batch);
      if (!(lr > 0) || Double.isInfinite(lr)) throw new CliException("--lr must be a positive number, got " + lr);
      if (weightDecay < 0) throw new CliException("--weight-decay must be >= 0, got " + weightDecay);
      if (fold != null && DataSources.FASHION.equalsIgnoreCase(data)) throw new CliException("--fold: fashion-mnist has its own test set; folds are for tables");
      if (augment == null) augment = "none";
      if (!AUGMENTS.contains(augment)) throw new CliException("--augment must be one of " + AUGMENTS + ", got '" + augment + "'");
      if (!"none".equals(augment) && !DataSources.FASHION.equalsIgnoreCase(data)) {
        throw new CliException("--augment " + augment + " needs image data (fashion-mnist), got " + data);
      }
    }
  }

  /** The outcome: final test metrics, the model and its config. */
  record Result(EvalResult test, ClassifierConfig config, Sequential model, double seconds, double trainExamplesPerSecond) {}

  static Result run(Options o, PrintStream out) throws IOException {
    return run(o, out, null);
  }

  /**
   * Trains; {@code batchTransform}, when not null, makes from the built model and its input shape the transform each
   * training batch goes through (adversarial training).
   */
  static Result run(Options o, PrintStream out, BiFunction<Sequential, int[], UnaryOperator<Batch>> batchTransform) throws IOException {
    return run(o, out, batchTransform, null, null, 0);
  }

  /**
   * Trains; for a vision model ({@code vit}, {@code hybrid}, {@code resnet}) {@code vision} gives
   * its sizes and {@code tokens} the token reduction to train with (both may be null otherwise);
   * {@code limit} > 0 keeps only the first that many training and test examples.
   */
  static Result run(Options o, PrintStream out, BiFunction<Sequential, int[], UnaryOperator<Batch>> batchTransform,
      VisionModelOptions vision, TokenOptions tokens, int limit) throws IOException {
    return run(o, out, batchTransform, vision, tokens, limit, UnaryOperator.identity(), F::crossEntropy);
  }

  /**
   * Trains an mlp or cnn whose default config {@code resize} may change (distillation's student
   * sizes), with training objective {@code loss} (the final test loss stays cross-entropy).
   */
  static Result run(Options o, PrintStream out, BiFunction<Sequential, int[], UnaryOperator<Batch>> batchTransform,
      VisionModelOptions vision, TokenOptions tokens, int limit, UnaryOperator<ClassifierConfig> resize, LossFn loss) throws IOException {
    long t0 = System.nanoTime();
    LoadedData d = DataSources.load(o.data(), o.target(), o.seed(), o.fold());
    if (limit > 0) d = d.limit(limit);
    ClassifierConfig cfg;
    Object checkpointConfig;
    Sequential model;
    if (ImageClassifierConfig.MODELS.contains(o.model())) {
      ImageClassifierConfig v = (vision == null ? new VisionModelOptions() : vision).config(o.model(), d.inputShape(), d.classNames(), d.source());
      model = ImageClassifiers.build(v, new Rng(o.seed()));
      if (tokens != null) tokens.apply(model);
      cfg = ModelLoader.commonView(v);
      checkpointConfig = v;
    } else {
      cfg = o.model().equals("cnn")
          ? ClassifierConfig.cnn(d.inputShape(), d.classNames(), d.source())
          : ClassifierConfig.mlp(d.inputShape(), d.classNames(), d.source());
      if (d.standardizer() != null) cfg = cfg.withTabular(d.target(), d.featureNames(), d.standardizer().toMap());
      cfg = resize.apply(cfg);
      model = Classifiers.build(cfg, new Rng(o.seed()));
      checkpointConfig = cfg;
    }
    out.printf("data: %s (%d train, %d test examples, %d classes)%n", d.source(), d.train().size(), d.test().size(), cfg.numClasses());
    out.printf("model: %s, %,d parameters%s%n", o.model(), model.numParameters(), ImageClassifierConfig.MODELS.contains(o.model())
        ? String.format(", %.2f MFLOP forward per image", ImageClassifiers.flops(model, cfg.inputShape()) / 1e6) : "");

    DataLoader train = new DataLoader(trainingImages(d, o), DataLoaderConfig.train(o.batch(), o.seed()));
    DataLoader test = new DataLoader(d.test(), DataLoaderConfig.eval(500));
    AdamW opt = new AdamW(model.parameters(), new AdamConfig(o.lr(), 0.9, 0.999, 1e-8, o.weightDecay()));
    long total = (long) o.epochs() * train.numBatches();
    Trainer trainer = new Trainer(model, opt, loss, train, test, cfg.numClasses(), TrainerConfig.epochs(o.epochs()))
        .schedule(LrSchedule.cosineWithWarmup(o.lr(), Math.min(100, total / 10), total, o.lr() * 0.01));
    if (batchTransform != null) trainer.transformBatches(batchTransform.apply(model, cfg.inputShape()));
    Files.createDirectories(o.out());
    if (o.resume() && CheckpointCallback.canResume(o.out())) {
      CheckpointCallback.resume(o.out(), trainer);
      out.printf("resuming from %s after epoch %d%n", o.out(), trainer.state().epochsDone());
    } else {
      Files.deleteIfExists(o.out().resolve("metrics.jsonl"));
    }
    trainer.addCallback(new ProgressCallback(out))
        .addCallback(new MetricsLog(o.out().resolve("metrics.jsonl")))
        .addCallback(new CheckpointCallback(o.out(), checkpointConfig))
        .addCallback(new CurvePlot(o.out().resolve("curves.png")));
    trainer.fit();
    EvalResult r = Evaluator.evaluate(model, test, F::crossEntropy, cfg.numClasses());
    double secs = (System.nanoTime() - t0) / 1e9;
    double eps = trainer.history().stream().mapToDouble(e -> e.examplesPerSecond()).average().orElse(Double.NaN);
    return new Result(r, cfg, model, secs, eps);
  }

  /**
   * The training set, augmented when {@code --augment light} asks: each image passes through a random
   * resized crop (scale 0.7 to 1) and a horizontal flip in the loader's background worker, drawn
   * from (seed, epoch, example) so a run repeats bit for bit; the test set is never augmented.
   */
  private static Dataset trainingImages(LoadedData d, Options o) {
    if ("none".equals(o.augment())) return d.train();
    int[] s = d.inputShape();
    int c = s.length == 3 ? s[0] : 1, h = s[s.length - 2], w = s[s.length - 1];
    return new AugmentedDataset(d.train(), c, h, w, Augmentations.light(h, w), 1, o.seed());
  }
}
