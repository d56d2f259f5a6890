package dev.fathom.vision.probe;

import dev.fathom.vision.models.Encoder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The few-label evaluation of an encoder: for every labels-per-class count and every label draw
 * (draw d uses seed d), a probe fitted on the drawn subset and scored on the test images; with
 * baselines, the same draws also score logistic regression on raw pixels, the probe on a randomly
 * initialized encoder of the same architecture, and supervised training of that architecture from
 * scratch on the same labels. Features are computed once per encoder.
 */
public final class ProbeSuite {
  /** The probes. */
  public enum Probe { LINEAR, KNN, FINETUNE }

  /** One cell of the results table: what was evaluated, with which probe and labels, and the accuracy of every draw. */
  public record Row(String model, String probe, int labelsPerClass, double[] accuracies) {
    public double mean() {
      double s = 0;
      for (double a : accuracies) s += a;
      return s / accuracies.length;
    }

    /** Sample standard deviation over the draws (0 for one draw). */
    public double sd() {
      if (accuracies.length < 2) return 0;
      double m = mean(), ss = 0;
      for (double a : accuracies) ss += (a - m) * (a - m);
      return Math.sqrt(ss / (accuracies.length - 1));
    }
  }

  /** The labelled data, the encoder under test and how to build fresh ones of its architecture. */
  public record Data(float[] trainImages, int[] trainLabels, float[] testImages, int[] testLabels, int channels, int height, int width,
      int numClasses) {}

  /** Computes (or fetches from a cache) an encoder's features of a set of images; {@code key} names the pair. */
  @FunctionalInterface
  public interface FeatureSource {
    float[] features(String key, Encoder encoder, float[] images, int c, int h, int w);
  }

  private final Data data;
  private double[] l2Grid;
  private int cvMaxRows;
  private FeatureSource features = (key, e, x, c, h, w) -> Features.extract(e, x, c, h, w, 500);
  private final LinearProbe linear;
  private final KnnProbe knn;
  private final FineTune fineTune, supervised;
  private final Consumer<String> log;

  /**
   * @param fineTune settings of the fine-tuning probe (from the pretrained weights)
   * @param supervised settings of the supervised baseline (from random weights)
   */
  public ProbeSuite(Data data, LinearProbe linear, KnnProbe knn, FineTune fineTune, FineTune supervised, Consumer<String> log) {
    this.data = data;
    this.linear = linear;
    this.knn = knn;
    this.fineTune = fineTune;
    this.supervised = supervised;
    this.log = log == null ? s -> {} : log;
  }

  /**
   * Chooses the linear probe's λ from {@code grid} on each labelled subset, for the encoder and the
   * baselines alike: by 5-fold cross-validation on subsets of at most {@code maxRows} rows, and on
   * one stratified held-out tenth of the labelled rows for larger ones. Test images are never used.
   */
  public ProbeSuite withL2Grid(double[] grid, int maxRows) {
    this.l2Grid = grid.clone();
    this.cvMaxRows = maxRows;
    return this;
  }

  /** Uses {@code source} for the frozen features (e.g. a cache on disk). */
  public ProbeSuite withFeatureSource(FeatureSource source) {
    this.features = source;
    return this;
  }

  /**
   * @param name the pretrained model's label in the table
   * @param encoder the pretrained encoder (not modified)
   * @param fresh builds a randomly initialized encoder of the same architecture from a seed
   * @param labelsPerClass counts to evaluate; 0 means all labels (one draw: there is nothing to draw)
   */
  public List<Row> run(String name, Encoder encoder, LongFunction<Encoder> fresh, int[] labelsPerClass, int draws, Probe probe, boolean baselines) {
    Data d = data;
    int dim = encoder.featureDim();
    float[] ftr = null, fte = null, rtr = null, rte = null;
    if (probe != Probe.FINETUNE) {
      log.accept("features of " + name + " (" + d.trainLabels().length + " + " + d.testLabels().length + " images)");
      ftr = features.features("train", encoder, d.trainImages(), d.channels(), d.height(), d.width());
      fte = features.features("test", encoder, d.testImages(), d.channels(), d.height(), d.width());
    }
    if (baselines && probe != Probe.FINETUNE) {
      Encoder random = fresh.apply(12345);
      log.accept("features of a random encoder");
      rtr = features.features("random-train", random, d.trainImages(), d.channels(), d.height(), d.width());
      rte = features.features("random-test", random, d.testImages(), d.channels(), d.height(), d.width());
    }
    int px = d.channels() * d.height() * d.width();
    List<Row> rows = new ArrayList<>();
    for (int k : labelsPerClass) {
      int nd = k == 0 ? 1 : draws;
      double[] main = new double[nd], pix = new double[nd], rnd = new double[nd], sup = new double[nd];
      for (int draw = 0; draw < nd; draw++) {
        int[] idx = k == 0 ? all(d.trainLabels().length) : LabelSubsets.perClass(d.trainLabels(), d.numClasses(), k, draw);
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) y[i] = d.trainLabels()[idx[i]];
        main[draw] = switch (probe) {
          case LINEAR -> linearAccuracy(name, Features.rows(ftr, dim, idx), dim, y, fte);
          case KNN -> Features.accuracy(knn.predict(Features.rows(ftr, dim, idx), dim, y, d.numClasses(), fte), d.testLabels());
          case FINETUNE -> {
            Encoder copy = fresh.apply(0);
            copy.loadStateDict(encoder.stateDict(), true);
            yield fineTune.run(copy, Features.rows(d.trainImages(), px, idx), y, d.channels(), d.height(), d.width(), d.numClasses(),
                d.testImages(), d.testLabels(), draw);
          }
        };
        if (baselines) {
          pix[draw] = linearAccuracy("pixels", Features.rows(d.trainImages(), px, idx), px, y, d.testImages());
          if (probe == Probe.LINEAR) rnd[draw] = linearAccuracy("random encoder", Features.rows(rtr, dim, idx), dim, y, rte);
          else if (probe == Probe.KNN) rnd[draw] = Features.accuracy(knn.predict(Features.rows(rtr, dim, idx), dim, y, d.numClasses(), rte), d.testLabels());
          sup[draw] = supervised.run(fresh.apply(1000 + draw), Features.rows(d.trainImages(), px, idx), y, d.channels(), d.height(), d.width(),
              d.numClasses(), d.testImages(), d.testLabels(), draw);
        }
        log.accept(String.format(java.util.Locale.ROOT, "%s labels/class, draw %d: %s %.4f%s", k == 0 ? "all" : String.valueOf(k), draw + 1,
            probe.name().toLowerCase(java.util.Locale.ROOT), main[draw], baselines
                ? String.format(java.util.Locale.ROOT, "; pixels %.4f, random encoder %s, supervised %.4f", pix[draw],
                    probe == Probe.FINETUNE ? "-" : String.format(java.util.Locale.ROOT, "%.4f", rnd[draw]), sup[draw])
                : ""));
      }
      String p = probe.name().toLowerCase(java.util.Locale.ROOT);
      rows.add(new Row(name, p, k, main));
      if (baselines) {
        rows.add(new Row("pixels", "linear", k, pix));
        if (probe != Probe.FINETUNE) rows.add(new Row("random encoder", p, k, rnd));
        rows.add(new Row("supervised", "from scratch", k, sup));
      }
    }
    return rows;
  }

  private double linearAccuracy(String what, float[] xtr, int dim, int[] y, float[] xte) {
    LinearProbe p = l2Grid == null ? linear
        : y.length <= cvMaxRows ? linear.tuned(xtr, dim, y, data.numClasses(), l2Grid, 5)
        : linear.tuned(xtr, dim, y, data.numClasses(), l2Grid, 10, 1);
    if (l2Grid != null) log.accept(String.format(java.util.Locale.ROOT, "  %s: λ %.0e chosen on %s", what, p.weightDecay(), y.length <= cvMaxRows ? "5 folds" : "a held-out tenth"));
    return Features.accuracy(p.fit(xtr, dim, y, data.numClasses()).predict(xte), data.testLabels());
  }

  private static int[] all(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }
}
