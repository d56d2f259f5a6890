package dev.fathom.cli;

import dev.fathom.insight.Auc;
import dev.fathom.insight.Correlation;
import dev.fathom.insight.ExactShapley;
import dev.fathom.insight.Examples;
import dev.fathom.insight.InRunConfig;
import dev.fathom.insight.InRunShapley;
import dev.fathom.insight.KnnShapley;
import dev.fathom.insight.LeaveOneOut;
import dev.fathom.insight.RemovalCurve;
import dev.fathom.insight.RidgeUtility;
import dev.fathom.insight.TmcConfig;
import dev.fathom.insight.TmcShapley;
import dev.fathom.insight.TracIn;
import dev.fathom.io.AtomicFiles;
import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs one valuation method of {@code fathom value} on its data. */
final class ValueMethods {
  static final List<String> NAMES = List.of("knn", "loo", "tmc", "inrun", "tracin");

  /** What a method produced: values in training order, its wall time and lines to print. */
  record Valuation(String label, double[] values, double seconds, List<String> notes) {}

  private final ValueCommand o;
  private final ValueData d;
  private final String stem;
  private final List<String> notes = new ArrayList<>();

  ValueMethods(ValueCommand o, ValueData d, String stem) {
    this.o = o;
    this.d = d;
    this.stem = stem;
  }

  Valuation run() throws IOException {
    long t0 = System.nanoTime();
    return switch (o.method) {
      case "knn" -> done("KNN-Shapley (K=" + o.k + ")", KnnShapley.values(d.train().x(), d.train().y(), d.valid().x(), d.valid().y(), d.train().features(), o.k), t0);
      case "loo" -> done("leave-one-out (ridge on " + ridgeInput() + ", validation accuracy)", LeaveOneOut.values(ridge()), t0);
      case "tmc" -> tmc(t0);
      case "inrun" -> inRun();
      case "tracin" -> tracIn(t0);
      default -> throw new CliException("--method must be one of " + NAMES + ", got '" + o.method + "'", 2);
    };
  }

  private Valuation done(String label, double[] v, long t0) {
    return new Valuation(label, v, (System.nanoTime() - t0) / 1e9, notes);
  }

  /** What the ridge learner of loo and tmc sees: pooled pixels, or the standardized features of a table. */
  private String ridgeInput() {
    if (!d.image()) return d.train().features() + " standardized features";
    int s = (d.height() + o.pool - 1) / o.pool;
    return s + "x" + s + " pooled pixels";
  }

  private RidgeUtility ridge() {
    Examples tr = d.image() ? ValueData.pooled(d.train(), d.height(), d.width(), o.pool) : d.train();
    Examples va = d.image() ? ValueData.pooled(d.valid(), d.height(), d.width(), o.pool) : d.valid();
    if (!(o.lambda > 0)) throw new CliException("--lambda must be > 0, got " + o.lambda, 2);
    return new RidgeUtility(tr.x(), tr.y(), va.x(), va.y(), tr.features(), d.train().classes(), o.lambda);
  }

  private Valuation tmc(long t0) {
    TmcConfig cfg;
    try {
      cfg = new TmcConfig(o.permutations, Math.min(100, o.permutations), o.truncation, o.convergence, 100, o.seed);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage().replace("tmc: ", "--"), 2);
    }
    RidgeUtility u = ridge();
    if (o.exactCheck && u.size() > ExactShapley.MAX_PLAYERS) {
      throw new CliException("--exact-check needs --train-size <= " + ExactShapley.MAX_PLAYERS + ", got " + u.size(), 2);
    }
    TmcShapley.Result r = TmcShapley.values(u, cfg);
    double secs = (System.nanoTime() - t0) / 1e9;
    notes.add(String.format(Locale.ROOT, "permutations: %d (%s, last change %.4f), utility calls: %d", r.permutations(),
        r.converged() ? "converged" : "not converged", r.finalChange(), r.utilityCalls()));
    if (o.exactCheck) {
      long t1 = System.nanoTime();
      double[] exact = ExactShapley.values(u);
      notes.add(String.format(Locale.ROOT, "exact Shapley by enumeration (%d subsets, %.1f s): Spearman rho = %.4f, Pearson r = %.4f",
          1L << u.size(), (System.nanoTime() - t1) / 1e9, Correlation.spearman(exact, r.values()), Correlation.pearson(exact, r.values())));
    }
    return new Valuation("TMC-Shapley (ridge on " + ridgeInput() + ", validation accuracy)", r.values(), secs, notes);
  }

  private Valuation inRun() throws IOException {
    InRunConfig cfg = config().withSecondOrder(o.secondOrder).withTrackEvery(o.track);
    if (o.validBatch < 1) throw new CliException("--valid-batch must be >= 1, got " + o.validBatch, 2);
    if (o.timingRounds < 1) throw new CliException("--timing-rounds must be >= 1, got " + o.timingRounds, 2);
    Examples train = mlpInput(d, d.train()), valid = mlpInput(d, d.valid());
    InRunShapley.Result r;
    if (o.noBaseline) {
      r = InRunShapley.values(mlp(), train, valid, cfg);
    } else {
      // warm the JIT on both loops, then alternate plain and valuing runs and keep each one's fastest
      InRunShapley.train(mlp(), train, valid, config());
      InRunShapley.values(mlp(), train, valid, cfg.withTrackEvery(0));
      double plain = Double.POSITIVE_INFINITY, plainCpu = Double.POSITIVE_INFINITY, valuing = Double.POSITIVE_INFINITY, valuingCpu = Double.POSITIVE_INFINITY;
      r = null;
      for (int rep = 0; rep < o.timingRounds; rep++) {
        InRunShapley.Result p = InRunShapley.train(mlp(), train, valid, config());
        InRunShapley.Result v = InRunShapley.values(mlp(), train, valid, cfg.withTrackEvery(0));
        plain = Math.min(plain, p.seconds());
        plainCpu = Math.min(plainCpu, p.cpuSeconds());
        valuing = Math.min(valuing, v.seconds());
        valuingCpu = Math.min(valuingCpu, v.cpuSeconds());
        r = v;
      }
      notes.add(String.format(Locale.ROOT, "cost (fastest of %d alternating runs after a warm-up): plain training %.2f s wall / %.2f s CPU, valuing run %.2f s wall / %.2f s CPU: %.2fx wall, %.2fx CPU",
          o.timingRounds, plain, plainCpu, valuing, valuingCpu, valuing / plain, valuingCpu / plainCpu));
      if (o.track > 0) r = InRunShapley.values(mlp(), train, valid, cfg);
    }
    if (!r.trace().isEmpty()) {
      Path steps = Path.of(o.out.toString()).resolveSibling(stem + "-steps.csv");
      StringBuilder csv = new StringBuilder("step,predicted,predicted_first_order,actual\n");
      for (InRunShapley.StepTrace t : r.trace()) csv.append(String.format(Locale.ROOT, "%d,%.8g,%.8g,%.8g%n", t.step(), t.predicted(), t.predictedFirst(), t.actual()));
      AtomicFiles.writeString(steps, csv.toString());
      double[] p = r.trace().stream().mapToDouble(InRunShapley.StepTrace::predicted).toArray();
      double[] a = r.trace().stream().mapToDouble(InRunShapley.StepTrace::actual).toArray();
      notes.add(String.format(Locale.ROOT, "per-step predicted vs actual change of the validation loss over %d tracked steps: Pearson r = %.4f (%s)",
          p.length, p.length > 1 ? Correlation.pearson(p, a) : Double.NaN, steps));
    }
    return new Valuation("In-Run Data Shapley (" + (o.secondOrder ? "first + second order" : "first order") + ", MLP " + shape() + ", "
        + o.epochs + " epochs)", r.values(), r.seconds(), notes);
  }

  private Valuation tracIn(long t0) {
    Sequential model = mlp();
    Examples train = mlpInput(d, d.train()), valid = mlpInput(d, d.valid());
    InRunShapley.Result r = InRunShapley.train(model, train, valid, config().withCheckpoints(true));
    TracIn.Result t = TracIn.values(model, r.checkpoints(), r.epochLr(), train, valid);
    if (d.flips() > 0) notes.add(String.format(Locale.ROOT, "self-influence (high = flipped) detection ROC AUC: %.4f", Auc.of(t.selfInfluence(), d.flipped())));
    return done("TracInCP (" + r.checkpoints().size() + " epoch checkpoints, MLP " + shape() + ")", t.values(), t0);
  }

  private InRunConfig config() {
    return InRunConfig.of(o.epochs, o.batchSize, o.lr, o.validBatch, o.seed).withCosine(o.cosine());
  }

  private Sequential mlp() {
    return mlp(o.hidden, d.train().features(), d.train().classes(), o.seed);
  }

  private String shape() {
    return d.train().features() + "-" + o.hidden + "-" + d.train().classes();
  }

  static Sequential mlp(int hidden, int features, int classes, long seed) {
    Rng rng = new Rng(seed);
    return new Sequential(new Linear(features, hidden, rng), Activation.relu(), new Linear(hidden, classes, rng));
  }

  /**
   * Scores for the removal curve: the MLP retrained on the kept rows with plain SGD at
   * {@code --removal-lr} for {@code --removal-epochs} under {@code --removal-schedule}, accuracy
   * on the evaluation rows. Repeat r seeds the initialization and batch order with seed + r. The
   * inputs are standardized once, not per retraining.
   *
   * @param fit filled by the first retraining on all rows: the share of training labels the model
   *     fits, and of the flipped ones (0 when none are flipped)
   */
  static RemovalCurve.Retrain removalScore(ValueCommand o, ValueData d, double[] fit) {
    Examples train = mlpInput(d, d.train()), valid = mlpInput(d, d.valid()), eval = mlpInput(d, d.eval());
    return (drop, rep) -> {
      long seed = o.seed + rep;
      InRunConfig cfg = InRunConfig.of(o.removalEpochs, o.batchSize, o.removalLr, 1, seed).withCosine("cosine".equals(o.removalSchedule));
      Sequential model = mlp(o.hidden, train.features(), train.classes(), seed);
      InRunShapley.train(model, train.without(drop), valid, cfg);
      if (rep == 0 && noneDropped(drop)) {
        fit[0] = InRunShapley.accuracy(model, train);
        boolean[] clean = d.flipped().clone();
        for (int i = 0; i < clean.length; i++) clean[i] = !clean[i];
        fit[1] = d.flips() > 0 ? InRunShapley.accuracy(model, train.without(clean)) : 0;  // the flipped rows alone
      }
      return InRunShapley.accuracy(model, eval);
    };
  }

  private static boolean noneDropped(boolean[] drop) {
    for (boolean b : drop) if (b) return false;
    return true;
  }

  /** Fashion-MNIST pixel mean and standard deviation (training set): MLP inputs are standardized with them. */
  static final float PIXEL_MEAN = 0.2860f, PIXEL_STD = 0.3530f;

  /** The MLP's input: images standardized with the pixel statistics; table features are already standardized. */
  static Examples mlpInput(ValueData d, Examples e) {
    return d.image() ? standardized(e) : e;
  }

  static Examples standardized(Examples e) {
    float[] x = e.x().clone();
    for (int i = 0; i < x.length; i++) x[i] = (x[i] - PIXEL_MEAN) / PIXEL_STD;
    return new Examples(x, e.y(), e.features(), e.classes());
  }
}
