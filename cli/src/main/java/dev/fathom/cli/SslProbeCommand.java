package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.Checkpoint;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.probe.Features;
import java.io.UncheckedIOException;
import java.util.Map;
import dev.fathom.tensor.Rng;
import dev.fathom.vision.probe.FineTune;
import dev.fathom.vision.probe.KnnProbe;
import dev.fathom.vision.probe.LinearProbe;
import dev.fathom.vision.probe.ProbeSuite;
import dev.fathom.vision.ssl.SslCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom ssl probe}: evaluates a pretrained encoder (any {@code ssl pretrain} method) with
 * few labels: a linear, k-NN or fine-tuning probe per labels-per-class count, averaged over label
 * draws, optionally beside the baselines (logistic regression on pixels, the probe on a random
 * encoder, supervised training from scratch on the same labels). Prints a table and writes
 * results.csv (one line per draw).
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
    description = "Evaluate a pretrained encoder with few labels (linear, k-NN or fine-tuning probe, mean ± sd over label draws); writes results.csv.")
final class SslProbeCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "directory written by 'fathom ssl pretrain'")
  Path model;

  @Option(names = "--labels-per-class", required = true, split = ",", description = "labels per class, e.g. 1,10,100,all")
  List<String> labelsPerClass;

  @Option(names = "--draws", defaultValue = "3", description = "label draws per count (seeds 0..D-1) (default: ${DEFAULT-VALUE})")
  int draws;

  @Option(names = "--probe", defaultValue = "linear", description = "linear, knn or finetune (default: ${DEFAULT-VALUE})")
  String probe;

  @Option(names = "--baselines", description = "also score logistic regression on pixels, the probe on a random encoder and supervised training on the same labels")
  boolean baselines;

  @Option(names = "--test-size", defaultValue = "10000", description = "test images scored (the first N of the test split) (default: ${DEFAULT-VALUE})")
  int testSize;

  @Option(names = "--train-pool", description = "draw labels from the first N training images only (default: all 60000)")
  Integer trainPool;

  @Option(names = "--l2", defaultValue = "1e-3",
      description = "linear probe: L2 penalty on the weights, or 'auto': chosen from 1e-5..1 on the labelled rows alone, by 5-fold cross-validation on subsets of up to 5000 rows and on a held-out tenth above (default: ${DEFAULT-VALUE})")
  String l2;

  @Option(names = "--probe-steps", defaultValue = "300", description = "linear probe: full-batch Adam steps (default: ${DEFAULT-VALUE}; all 60000 labels need about 1000 to converge)")
  int probeSteps;

  @Option(names = "--knn-k", defaultValue = "20", description = "knn: neighbours (default: ${DEFAULT-VALUE})")
  int knnK;

  @Option(names = "--knn-temperature", defaultValue = "0.07", description = "knn: vote temperature (default: ${DEFAULT-VALUE})")
  double knnTemperature;

  @Option(names = "--ft-steps", defaultValue = "300", description = "finetune and supervised baseline: optimizer steps (default: ${DEFAULT-VALUE})")
  int ftSteps;

  @Option(names = "--ft-lr", defaultValue = "5e-4", description = "finetune: AdamW lr from the pretrained weights (default: ${DEFAULT-VALUE})")
  double ftLr;

  @Option(names = "--supervised-lr", defaultValue = "2e-3", description = "supervised baseline: AdamW lr from random weights (default: ${DEFAULT-VALUE})")
  double supervisedLr;

  @Option(names = "--no-cache", description = "recompute the frozen features instead of reading and writing MODEL/features-*.safetensors")
  boolean noCache;

  @Option(names = "--out", description = "results CSV (default: MODEL/results.csv)")
  Path out;

  @Override
  public Integer call() throws Exception {
    ProbeSuite.Probe p = switch (probe) {
      case "linear" -> ProbeSuite.Probe.LINEAR;
      case "knn" -> ProbeSuite.Probe.KNN;
      case "finetune" -> ProbeSuite.Probe.FINETUNE;
      default -> throw new CliException("--probe must be linear, knn or finetune, got '" + probe + "'");
    };
    int[] counts = counts();
    if (draws < 1) throw new CliException("--draws must be >= 1, got " + draws);
    if (probeSteps < 1) throw new CliException("--probe-steps must be >= 1, got " + probeSteps);
    if (!Files.isDirectory(model)) throw new CliException("--model: '" + model + "' is not a directory");
    SslCheckpoint.Loaded loaded;
    try {
      loaded = SslCheckpoint.load(model);
    } catch (IOException e) {
      throw new CliException("--model: " + e.getMessage());
    }
    LinearProbe lin;
    KnnProbe knn;
    FineTune ft, sup;
    try {
      lin = new LinearProbe(l2.equals("auto") ? 1e-3 : parseL2(), probeSteps, 0.05);
      knn = new KnnProbe(knnK, knnTemperature);
      ft = new FineTune(ftSteps, 64, ftLr, 1e-4);
      sup = new FineTune(ftSteps, 64, supervisedLr, 1e-4);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    FashionMnist.LabeledImages tr = FashionMnist.load(true), te = FashionMnist.load(false);
    int[] img = loaded.image();
    if (img[0] != 1 || img[1] != tr.height() || img[2] != tr.width()) {
      throw new CliException("--model: the encoder was pretrained on " + img[0] + "x" + img[1] + "x" + img[2] + " images, Fashion-MNIST has 1x"
          + tr.height() + "x" + tr.width());
    }
    if (testSize < 1 || testSize > te.count()) throw new CliException("--test-size must be in [1, " + te.count() + "], got " + testSize);
    int pool = trainPool == null ? tr.count() : trainPool;
    if (pool < 1 || pool > tr.count()) throw new CliException("--train-pool must be in [1, " + tr.count() + "], got " + pool);
    int px = tr.height() * tr.width();
    var data = new ProbeSuite.Data(Arrays.copyOf(tr.images(), pool * px), Arrays.copyOf(tr.labels(), pool), Arrays.copyOf(te.images(), testSize * px), Arrays.copyOf(te.labels(), testSize),
        1, tr.height(), tr.width(), FashionMnist.CLASS_NAMES.size());
    var suite = new ProbeSuite(data, lin, knn, ft, sup, System.out::println);
    if (!noCache) suite.withFeatureSource(cache(pool));
    if (l2.equals("auto")) suite.withL2Grid(new double[] {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1}, 5000);
    long start = System.nanoTime();
    List<ProbeSuite.Row> rows = suite.run(loaded.method(), loaded.encoder(), seed -> {
      try {
        return SslCheckpoint.buildEncoder(loaded.config().get("encoder"), new Rng(seed));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, counts, draws, p, baselines);
    System.out.printf(Locale.ROOT, "%n%s encoder from %s, %s probe, accuracy on %d test images (mean ± sd over label draws), %.0f s%n",
        loaded.method(), model, probe, testSize, (System.nanoTime() - start) / 1e9);
    System.out.println(table(rows, counts));
    Path csv = out != null ? out : model.resolve("results.csv");
    StringBuilder sb = new StringBuilder("model,probe,labels_per_class,draw,accuracy\n");
    for (var r : rows) {
      for (int i = 0; i < r.accuracies().length; i++) {
        sb.append(r.model()).append(',').append(r.probe()).append(',').append(r.labelsPerClass() == 0 ? "all" : r.labelsPerClass()).append(',')
            .append(i).append(',').append(String.format(Locale.ROOT, "%.4f", r.accuracies()[i])).append('\n');
      }
    }
    AtomicFiles.writeString(csv, sb.toString());
    System.out.println("results: " + csv);
    return 0;
  }

  /** Frozen features cached beside the encoder, keyed by the images they were computed on (pool and test size). */
  private ProbeSuite.FeatureSource cache(int pool) {
    return (key, encoder, images, c, h, w) -> {
      Path file = model.resolve("features-" + key + "-" + pool + "-" + testSize + ".safetensors");
      try {
        if (Files.isRegularFile(file)) {
          var t = Checkpoint.loadTensors(file).get("features");
          if (t != null && t.size(0) * encoder.featureDim() == t.numel() && t.size(0) == images.length / (c * h * w)) return t.data();
        }
        float[] f = Features.extract(encoder, images, c, h, w, 500);
        Checkpoint.saveTensors(file, Map.of("features", Tensor.of(f, images.length / (c * h * w), encoder.featureDim())), Map.of());
        return f;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private double parseL2() {
    try {
      return Double.parseDouble(l2);
    } catch (NumberFormatException e) {
      throw new CliException("--l2: expected a number >= 0 or 'auto', got '" + l2 + "'");
    }
  }

  private int[] counts() {
    int[] c = new int[labelsPerClass.size()];
    for (int i = 0; i < c.length; i++) {
      String s = labelsPerClass.get(i).trim();
      if (s.equalsIgnoreCase("all")) continue;
      try {
        c[i] = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new CliException("--labels-per-class: expected positive integers or 'all', got '" + s + "'");
      }
      if (c[i] < 1) throw new CliException("--labels-per-class: expected positive integers or 'all', got " + c[i]);
    }
    return c;
  }

  static String table(List<ProbeSuite.Row> rows, int[] counts) {
    List<String> models = new ArrayList<>();
    for (var r : rows) if (!models.contains(r.model() + " / " + r.probe())) models.add(r.model() + " / " + r.probe());
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-32s", "model / probe"));
    for (int k : counts) sb.append(String.format(Locale.ROOT, "%18s", (k == 0 ? "all" : k) + " labels/class"));
    sb.append('\n');
    for (String m : models) {
      sb.append(String.format(Locale.ROOT, "%-32s", m));
      for (int k : counts) {
        var cell = rows.stream().filter(r -> (r.model() + " / " + r.probe()).equals(m) && r.labelsPerClass() == k).findFirst();
        sb.append(cell.map(r -> String.format(Locale.ROOT, "%18s", String.format(Locale.ROOT, "%.2f ± %.2f", 100 * r.mean(), 100 * r.sd()))).orElse(String.format("%18s", "-")));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
