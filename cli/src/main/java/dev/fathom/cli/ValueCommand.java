package dev.fathom.cli;

import dev.fathom.insight.Auc;
import dev.fathom.insight.RemovalCurve;
import dev.fathom.io.AtomicFiles;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom value}: the worth of each training example. With {@code --flip F}, a fraction F
 * of the training labels is first replaced by a different random class, and the command reports
 * how well low values find them (ROC AUC of −value against "flipped"). Beside values.csv it
 * writes a removal curve ({@code <stem>-removal.png}, an MLP retrained without the highest, the
 * lowest or random examples) and the lowest-valued images ({@code <stem>-lowest.png}).
 */
@Command(name = "value", mixinStandardHelpOptions = true,
    description = "Data valuation: a value per training example (values.csv: index,label,value), a removal curve and the lowest-valued images.")
final class ValueCommand implements Callable<Integer> {
  @Option(names = "--data", defaultValue = "fashion-mnist",
      description = "fashion-mnist, or a .csv/.arff table (rows shuffled into training, validation and evaluation rows, features standardized on the training rows) (default: ${DEFAULT-VALUE})")
  String data;

  @Option(names = "--target", description = "target column of a table (default: 'label', else the last column)")
  String target;

  @Option(names = "--method", defaultValue = "knn",
      description = "knn (exact KNN-Shapley), loo (leave-one-out), tmc (truncated Monte Carlo Shapley), inrun (In-Run Data Shapley), tracin (TracInCP) (default: ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--train-size", description = "training examples valued (default: 5000; tmc 200, loo 1000; a table: the rows left after validation and evaluation)")
  Integer trainSize;

  @Option(names = "--valid-size", description = "validation examples the values are measured on (default: 1000; a table: 20%% of its rows)")
  Integer validSize;

  @Option(names = "--eval-size", description = "held-out examples that score the removal curve (default: 2000; a table: 20%% of its rows)")
  Integer evalSize;

  @Option(names = "--flip", defaultValue = "0", description = "fraction of training labels to corrupt before valuing (default: ${DEFAULT-VALUE})")
  double flip;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the subset, the flips and the training runs (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--k", defaultValue = "10", description = "knn: neighbours (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--pool", defaultValue = "4", description = "loo, tmc: average-pool images over PxP cells for the ridge learner (default: ${DEFAULT-VALUE}, 7x7 features)")
  int pool;

  @Option(names = "--lambda", defaultValue = "1", description = "loo, tmc: ridge penalty (default: ${DEFAULT-VALUE})")
  double lambda;

  @Option(names = "--permutations", defaultValue = "2000", description = "tmc: at most this many permutations (default: ${DEFAULT-VALUE})")
  int permutations;

  @Option(names = "--truncation", defaultValue = "0.01", description = "tmc: truncation tolerance, relative to U(N) (default: ${DEFAULT-VALUE})")
  double truncation;

  @Option(names = "--convergence", defaultValue = "0.05", description = "tmc: stop when the values move less than this over 100 permutations (default: ${DEFAULT-VALUE})")
  double convergence;

  @Option(names = "--exact-check", description = "tmc: also enumerate all 2^n subsets (n <= 20) and report Spearman's rho against the exact values")
  boolean exactCheck;

  @Option(names = "--hidden", defaultValue = "128", description = "inrun, tracin, removal curve: MLP hidden units (default: ${DEFAULT-VALUE})")
  int hidden;

  @Option(names = "--epochs", defaultValue = "20", description = "inrun, tracin, removal curve: epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "256", description = "inrun, tracin, removal curve: batch size (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.05", description = "inrun, tracin, removal curve: plain SGD step size (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--schedule", defaultValue = "cosine", description = "inrun, tracin, removal curve: SGD step size schedule, cosine or constant (default: ${DEFAULT-VALUE})")
  String schedule;

  @Option(names = "--valid-batch", defaultValue = "56", description = "inrun: validation rows per step, classes interleaved (default: ${DEFAULT-VALUE})")
  int validBatch;

  @Option(names = "--second-order", description = "inrun: add the second-order term (a Hessian-vector product per step)")
  boolean secondOrder;

  @Option(names = "--track", defaultValue = "0", description = "inrun: every N steps, record the predicted and actual change of the whole validation loss to <stem>-steps.csv (0: off)")
  int track;

  @Option(names = "--no-baseline", description = "inrun: skip the warm-up and the alternating plain and valuing runs that measure the cost")
  boolean noBaseline;

  @Option(names = "--timing-rounds", defaultValue = "3", description = "inrun: alternating plain and valuing runs timed for the cost; each one's fastest counts (default: ${DEFAULT-VALUE})")
  int timingRounds;

  @Option(names = "--removal-epochs", defaultValue = "200",
      description = "removal curve: epochs of each retraining, long enough at --removal-lr to fit every training label, flipped ones included (default: ${DEFAULT-VALUE})")
  int removalEpochs;

  @Option(names = "--removal-lr", defaultValue = "0.2", description = "removal curve: plain SGD step size of each retraining (default: ${DEFAULT-VALUE})")
  double removalLr;

  @Option(names = "--removal-schedule", defaultValue = "constant", description = "removal curve: step size schedule of the retraining, cosine or constant (default: ${DEFAULT-VALUE})")
  String removalSchedule;

  @Option(names = "--removal-repeats", defaultValue = "3", description = "removal curve: retrainings (seeds) averaged per point (default: ${DEFAULT-VALUE})")
  int removalRepeats;

  @Option(names = "--no-removal", description = "skip the removal curve")
  boolean noRemoval;

  @Option(names = "--out", required = true, description = "values.csv path")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (!ValueMethods.NAMES.contains(method)) throw new CliException("--method must be one of " + ValueMethods.NAMES + ", got '" + method + "'", 2);
    if (!(flip >= 0 && flip < 1)) throw new CliException("--flip must be in [0, 1), got " + flip, 2);
    if (k < 1) throw new CliException("--k must be >= 1, got " + k, 2);
    if (pool < 1 || pool > 28) throw new CliException("--pool must be in [1, 28], got " + pool, 2);
    if (hidden < 1 || epochs < 1 || batchSize < 1) throw new CliException("--hidden, --epochs and --batch-size must be >= 1, got " + hidden + ", " + epochs + ", " + batchSize, 2);
    if (!(lr > 0)) throw new CliException("--lr must be > 0, got " + lr, 2);
    if (!"cosine".equals(schedule) && !"constant".equals(schedule)) throw new CliException("--schedule must be cosine or constant, got '" + schedule + "'", 2);
    if (track < 0) throw new CliException("--track must be >= 0, got " + track, 2);
    if (removalEpochs < 1 || removalRepeats < 1) throw new CliException("--removal-epochs and --removal-repeats must be >= 1, got " + removalEpochs + " and " + removalRepeats, 2);
    if (!(removalLr > 0)) throw new CliException("--removal-lr must be > 0, got " + removalLr, 2);
    if (!"cosine".equals(removalSchedule) && !"constant".equals(removalSchedule)) throw new CliException("--removal-schedule must be cosine or constant, got '" + removalSchedule + "'", 2);
    int defaultSize = switch (method) {
      case "tmc" -> 200;
      case "loo" -> 1000;
      default -> 5000;
    };
    ValueData d = ValueData.load(data, target, trainSize, validSize, evalSize, defaultSize, flip, seed);
    int n = d.train().size();
    String stem = stem(out);
    ValueMethods.Valuation v = new ValueMethods(this, d, stem).run();
    writeCsv(d, v.values());
    System.out.printf(Locale.ROOT, "%s: %d training examples valued on %d validation examples in %.1f s%n", v.label(), n, d.valid().size(), v.seconds());
    v.notes().forEach(System.out::println);
    if (d.flips() > 0) {
      double[] score = new double[n];
      for (int i = 0; i < n; i++) score[i] = -v.values()[i];
      System.out.printf(Locale.ROOT, "flipped labels: %d; detection ROC AUC (low value = flipped): %.4f%n", d.flips(), Auc.of(score, d.flipped()));
    }
    System.out.println("values: " + out + " (index = " + d.indexMeaning() + ")");
    if (d.image()) {
      Path gallery = out.resolveSibling(stem + "-lowest.png");
      ValuePlots.lowest(gallery, d, v.values(), 32);
      System.out.println("lowest-valued images: " + gallery);
    } else {
      Path rows = out.resolveSibling(stem + "-lowest.csv");
      ValuePlots.lowestRows(rows, d, v.values(), 32);
      System.out.println("lowest-valued rows: " + rows);
    }
    if (!noRemoval) {
      double[] fractions = {0, 0.05, 0.1, 0.2, 0.3, 0.5};
      double[] fit = new double[2];
      RemovalCurve.Result r = RemovalCurve.of(v.values(), fractions, ValueMethods.removalScore(this, d, fit), removalRepeats, seed);
      Path png = out.resolveSibling(stem + "-removal.png");
      ValuePlots.removal(png, r, v.label());
      System.out.printf(Locale.ROOT, "removal curve (MLP retrained %d epochs, %s step size %s, mean ± sd of %d seeds; accuracy on %d held-out examples):%n",
          removalEpochs, removalSchedule, removalLr, removalRepeats, d.eval().size());
      System.out.printf(Locale.ROOT, "  the retrained MLP fits %.1f%% of its training labels%s (first seed, nothing removed)%n", 100 * fit[0],
          d.flips() > 0 ? String.format(Locale.ROOT, ", %.1f%% of the flipped ones", 100 * fit[1]) : "");
      System.out.println("  removed  high-first       low-first        random");
      for (int i = 0; i < fractions.length; i++) {
        System.out.printf(Locale.ROOT, "  %6.0f%%  %.4f ± %.4f  %.4f ± %.4f  %.4f ± %.4f%n", 100 * fractions[i], r.highFirst()[i], r.highSd()[i], r.lowFirst()[i],
            r.lowSd()[i], r.random()[i], r.randomSd()[i]);
      }
      System.out.println("removal curve: " + png);
    }
    return 0;
  }

  boolean cosine() {
    return "cosine".equals(schedule);
  }

  private void writeCsv(ValueData d, double[] v) throws java.io.IOException {
    boolean flips = d.flips() > 0;
    StringBuilder csv = new StringBuilder("index,label,value" + (flips ? ",flipped" : "") + "\n");
    for (int i = 0; i < v.length; i++) {
      csv.append(d.source()[i]).append(',').append(d.train().y()[i]).append(',').append(String.format(Locale.ROOT, "%.8g", v[i]));
      if (flips) csv.append(',').append(d.flipped()[i] ? 1 : 0);
      csv.append('\n');
    }
    AtomicFiles.writeString(out, csv.toString());
  }

  static String stem(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
