package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.insight.Auc;
import dev.fathom.insight.KnnShapley;
import dev.fathom.io.AtomicFiles;
import dev.fathom.tensor.Rng;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom value}: the worth of each training example. With {@code --flip F}, a fraction F
 * of the training labels is first replaced by a different random class, and the command reports
 * how well low values find them (ROC AUC of −value against "flipped").
 */
@Command(name = "value", mixinStandardHelpOptions = true,
    description = "Data valuation: a value per training example (values.csv: index,label,value), optionally with injected label noise.")
final class ValueCommand implements Callable<Integer> {
  @Option(names = "--data", defaultValue = "fashion-mnist", description = "fashion-mnist (default: ${DEFAULT-VALUE})")
  String data;

  @Option(names = "--method", defaultValue = "knn", description = "knn (exact KNN-Shapley) (default: ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--train-size", defaultValue = "5000", description = "training examples valued (default: ${DEFAULT-VALUE})")
  int trainSize;

  @Option(names = "--valid-size", defaultValue = "1000", description = "validation examples the values are measured on (default: ${DEFAULT-VALUE})")
  int validSize;

  @Option(names = "--k", defaultValue = "10", description = "neighbours (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--flip", defaultValue = "0", description = "fraction of training labels to corrupt before valuing (default: ${DEFAULT-VALUE})")
  double flip;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the subset and of the flips (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "values.csv path")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (!"knn".equals(method)) throw new CliException("--method: only 'knn' is available so far, got '" + method + "'", 2);
    if (!DataSources.FASHION.equalsIgnoreCase(data)) throw new CliException("--data: only fashion-mnist is available so far, got '" + data + "'", 2);
    if (!(flip >= 0 && flip < 1)) throw new CliException("--flip must be in [0, 1), got " + flip, 2);
    if (k < 1) throw new CliException("--k must be >= 1, got " + k, 2);
    FashionMnist.LabeledImages tr = FashionMnist.load(true), te = FashionMnist.load(false);
    int d = tr.height() * tr.width();
    if (trainSize < 2 || trainSize > tr.labels().length) throw new CliException("--train-size must be in [2, " + tr.labels().length + "], got " + trainSize, 2);
    if (validSize < 1 || validSize > te.labels().length) throw new CliException("--valid-size must be in [1, " + te.labels().length + "], got " + validSize, 2);
    Rng rng = new Rng(seed);
    int[] pick = rng.permutation(tr.labels().length);
    float[] x = new float[trainSize * d];
    int[] y = new int[trainSize];
    int[] original = new int[trainSize];
    for (int i = 0; i < trainSize; i++) {
      System.arraycopy(tr.images(), pick[i] * d, x, i * d, d);
      y[i] = original[i] = tr.labels()[pick[i]];
    }
    boolean[] flipped = new boolean[trainSize];
    int flips = (int) Math.round(flip * trainSize);
    int[] which = rng.permutation(trainSize);
    for (int f = 0; f < flips; f++) {
      int i = which[f];
      y[i] = (y[i] + 1 + rng.nextInt(9)) % 10;
      flipped[i] = true;
    }
    float[] vx = java.util.Arrays.copyOf(te.images(), validSize * d);
    int[] vy = java.util.Arrays.copyOf(te.labels(), validSize);
    long t0 = System.nanoTime();
    double[] v = KnnShapley.values(x, y, vx, vy, d, k);
    double secs = (System.nanoTime() - t0) / 1e9;
    StringBuilder csv = new StringBuilder("index,label,value" + (flips > 0 ? ",flipped" : "") + "\n");
    for (int i = 0; i < trainSize; i++) {
      csv.append(pick[i]).append(',').append(y[i]).append(',').append(String.format(Locale.ROOT, "%.8g", v[i]));
      if (flips > 0) csv.append(',').append(flipped[i] ? 1 : 0);
      csv.append('\n');
    }
    AtomicFiles.writeString(out, csv.toString());
    System.out.printf("KNN-Shapley (K=%d): %d training examples valued on %d validation examples in %.1f s%n", k, trainSize, validSize, secs);
    if (flips > 0) {
      double[] score = new double[trainSize];
      for (int i = 0; i < trainSize; i++) score[i] = -v[i];
      System.out.printf(Locale.ROOT, "flipped labels: %d; detection ROC AUC (low value = flipped): %.4f%n", flips, Auc.of(score, flipped));
    }
    System.out.println("values: " + out + " (index = row of the Fashion-MNIST training set)");
    return 0;
  }
}
