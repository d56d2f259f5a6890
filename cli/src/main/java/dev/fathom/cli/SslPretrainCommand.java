package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.data.TensorDataset;
import dev.fathom.io.AtomicFiles;
import dev.fathom.tensor.Rng;
import dev.fathom.vision.augment.Augmentations;
import dev.fathom.vision.models.Encoder;
import dev.fathom.vision.models.ResNet;
import dev.fathom.vision.models.ResNetConfig;
import dev.fathom.vision.ssl.Byol;
import dev.fathom.vision.ssl.ByolConfig;
import dev.fathom.vision.ssl.PretrainConfig;
import dev.fathom.vision.ssl.PretrainState;
import dev.fathom.vision.ssl.Pretrainer;
import dev.fathom.vision.ssl.SimClr;
import dev.fathom.vision.ssl.SimClrConfig;
import dev.fathom.vision.ssl.SslCheckpoint;
import dev.fathom.vision.ssl.SslMethod;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom ssl pretrain}: trains a ResNet encoder on Fashion-MNIST's training images without
 * their labels, with SimCLR or BYOL, and saves it as an {@link SslCheckpoint} (config.json +
 * encoder.safetensors) with the loss per step (loss.csv) and its curve (loss.png).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Pretrain an image encoder without labels; writes DIR/config.json, DIR/encoder.safetensors, DIR/loss.csv, DIR/loss.png.")
final class SslPretrainCommand implements Callable<Integer> {
  static final List<String> METHODS = List.of("simclr", "byol", "mae");

  @Option(names = "--method", defaultValue = "simclr", description = "simclr, byol or mae (default: ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--data", defaultValue = "fashion-mnist", description = "fashion-mnist (default: ${DEFAULT-VALUE})")
  String data;

  @Option(names = "--out", required = true, description = "checkpoint directory")
  Path out;

  @Option(names = "--epochs", defaultValue = "3", description = "passes over the images (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "images per batch, two views each (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--lr", defaultValue = "2e-3", description = "AdamW peak learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--weight-decay", defaultValue = "1e-4", description = "AdamW weight decay (default: ${DEFAULT-VALUE})")
  double weightDecay;

  @Option(names = "--temperature", defaultValue = "0.5", description = "simclr: NT-Xent temperature (default: ${DEFAULT-VALUE})")
  double temperature;

  @Option(names = "--momentum", defaultValue = "0.99", description = "byol: base EMA rate of the target network (default: ${DEFAULT-VALUE})")
  double momentum;

  @Option(names = "--widths", defaultValue = "16,32,64", split = ",", description = "ResNet stage widths (default: ${DEFAULT-VALUE})")
  int[] widths;

  @Option(names = "--workers", defaultValue = "1", description = "DataLoader workers that augment (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--seed", defaultValue = "1", description = "initialization, shuffle and augmentation seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--train-size", description = "use only the first N training images (default: all 60000)")
  Integer trainSize;

  @Option(names = "--resume", description = "simclr, byol: continue the run whose state (saved after every epoch) is in --out, "
      + "bit for bit as if it had not stopped; the settings must be the same (the worker count may differ)")
  boolean resume;

  @Option(names = "--stop-after", description = "simclr, byol: stop once this many epochs of the --epochs schedule are done, "
      + "leaving the state in --out for --resume (a long run in sittings)")
  Integer stopAfter;

  @picocli.CommandLine.Mixin
  MaeOptions maeOptions;

  @Override
  public Integer call() throws Exception {
    if (!METHODS.contains(method)) throw new CliException("--method must be one of " + METHODS + ", got '" + method + "'");
    if (!DataSources.FASHION.equalsIgnoreCase(data)) throw new CliException("--data: only fashion-mnist is available so far, got '" + data + "'");
    if (method.equals("mae")) {
      if (resume || stopAfter != null) {
        throw new CliException((resume ? "--resume" : "--stop-after") + ": expected --method simclr or byol, got mae (its mask generator's state is not saved yet)");
      }
      return MaePretrain.run(new MaePretrain.Settings(epochs, batch, lr, weightDecay, workers, seed, trainSize, out), maeOptions);
    }
    if (stopAfter != null && (stopAfter < 1 || stopAfter > epochs)) {
      throw new CliException("--stop-after: expected an epoch count in [1, --epochs = " + epochs + "], got " + stopAfter);
    }
    PretrainConfig cfg;
    ResNetConfig rc;
    SimClrConfig sc = null;
    ByolConfig bc = null;
    try {
      if (method.equals("simclr")) sc = new SimClrConfig(256, 128, temperature);
      else bc = new ByolConfig(256, 128, momentum);
      cfg = new PretrainConfig(epochs, batch, lr, weightDecay, Math.min(epochs, 0.5), workers, seed);
      int[] blocks = new int[widths.length];
      Arrays.fill(blocks, 1);
      rc = new ResNetConfig(1, widths, blocks);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    FashionMnist.LabeledImages tr = FashionMnist.load(true);
    var images = unlabelled(tr, trainSize, batch);
    int n = images.size();
    Rng rng = new Rng(seed);
    SslMethod m;
    Map<String, Object> extra = new LinkedHashMap<>();
    if (sc != null) {
      m = new SimClr(new ResNet(rc, rng), sc, rng);
      extra.put("simclr", sc);
    } else {
      m = new Byol(new ResNet(rc, rng), new ResNet(rc, rng), bc, rng);
      extra.put("byol", bc);
    }
    extra.put("pretrain", cfg);
    extra.put("trainSize", n);
    System.out.printf(Locale.ROOT, "%s: ResNet %s (%d parameters, %.1f MFLOP per 28x28 image), %d images, %d epochs, batch %d%n", method,
        Arrays.toString(widths), m.encoder().numParameters(), ((ResNet) m.encoder()).flops(28, 28) / 1e6, n, epochs, batch);
    if (resume && PretrainState.exists(out)) {
      System.out.println("resuming after epoch " + PretrainState.load(out).epochsDone() + " from " + out.resolve(PretrainState.FILE));
    } else if (PretrainState.exists(out)) {
      System.out.println("starting over: the state saved in " + out + " is replaced after the first epoch (--resume continues it)");
    }
    Pretrainer p = new Pretrainer(m, cfg).saveEpochsTo(out, resume);
    if (stopAfter != null) p.stopAfter(stopAfter);
    Pretrainer.Result result;
    try {
      result = p.fit(images, 1, tr.height(), tr.width(), Augmentations.simclr(tr.height(), tr.width()), progress(epochs));
    } catch (java.io.UncheckedIOException e) {
      throw new CliException((resume ? "--resume: " : "") + e.getMessage());
    }
    if (result.epochsDone() < epochs) {
      System.out.printf(Locale.ROOT, "stopped after epoch %d of %d (%.1f s so far); the state is in %s: continue with the same options and --resume%n",
          result.epochsDone(), epochs, result.seconds(), out.resolve(PretrainState.FILE));
      return 0;
    }
    extra.put("seconds", result.seconds());
    extra.put("epochLoss", result.epochLoss());
    saveRun(out, method, m.encoder(), new int[] {1, tr.height(), tr.width()}, extra, result);
    PretrainState.clear(out);  // the run is whole: nothing left to resume
    System.out.printf(Locale.ROOT, "pretrained in %.1f s (%.1f images/s); final epoch loss %.4f%n", result.seconds(), result.images() / result.seconds(),
        result.epochLoss()[epochs - 1]);
    System.out.println("checkpoint: " + out.resolve(SslCheckpoint.CONFIG) + ", " + out.resolve(SslCheckpoint.WEIGHTS) + "; loss curve: " + out.resolve("loss.png"));
    return 0;
  }

  /** A progress line about every tenth of an epoch and at its end. */
  static Pretrainer.Listener progress(int epochs) {
    return (e, b, bs, loss, rate) -> {
      if ((b + 1) % Math.max(1, bs / 10) == 0 || b + 1 == bs) {
        System.out.printf(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  %.0f images/s%n", e + 1, epochs, b + 1, bs, loss, rate);
      }
    };
  }

  /** The first {@code trainSize} (default: all) training images as a dataset whose labels are zeros: pretraining never reads them. */
  static TensorDataset unlabelled(FashionMnist.LabeledImages tr, Integer trainSize, int batch) {
    int n = trainSize == null ? tr.count() : trainSize;
    if (n < batch || n > tr.count()) throw new CliException("--train-size must be in [--batch = " + batch + ", " + tr.count() + "], got " + n);
    return TensorDataset.of(Arrays.copyOf(tr.images(), n * tr.height() * tr.width()), new int[] {1, tr.height(), tr.width()}, new int[n]);
  }

  /**
   * Writes a pretraining run to {@code out}: drops frozen features that 'ssl probe' cached for a
   * previous encoder, saves the checkpoint, and the loss per step (loss.csv) and its curve (loss.png).
   */
  static void saveRun(Path out, String method, Encoder encoder, int[] image, Map<String, Object> extra, Pretrainer.Result result)
      throws java.io.IOException {
    try (var old = java.nio.file.Files.newDirectoryStream(out, "features-*.safetensors")) {
      for (Path f : old) java.nio.file.Files.delete(f);  // frozen features cached by 'ssl probe' belong to the previous encoder
    } catch (java.nio.file.NoSuchFileException e) {
      // a new directory: nothing cached
    }
    SslCheckpoint.save(out, method, encoder, image, extra);
    StringBuilder csv = new StringBuilder("step,loss\n");
    double[] steps = result.stepLoss();
    for (int i = 0; i < steps.length; i++) csv.append(i + 1).append(',').append(String.format(Locale.ROOT, "%.6f", steps[i])).append('\n');
    AtomicFiles.writeString(out.resolve("loss.csv"), csv.toString());
    SslPlots.loss(out.resolve("loss.png"), steps, method);
  }
}
