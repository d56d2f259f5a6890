package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.insight.dynamics.ClassifierDynamics;
import dev.fathom.insight.dynamics.Direction;
import dev.fathom.insight.dynamics.SqueezeProbe;
import dev.fathom.insight.dynamics.SqueezeSummary;
import dev.fathom.insight.dynamics.Squeezing;
import dev.fathom.io.AtomicFiles;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * {@code fathom dynamics --mode classifier}: the explicit −η·A·K·G of a Fashion-MNIST classifier
 * against one real SGD step, for a few update images (their true labels, a positive gradient) and
 * many probe images; then the squeezing effect on every probe (a negative gradient on its least
 * likely class, and a positive one on the same class for comparison).
 */
final class DynamicsClassifier {
  private DynamicsClassifier() {}

  static int run(DynamicsCommand c, double eta, int n) throws IOException {
    PrintStream out = System.out;
    Sequential model;
    ClassifierConfig cfg;
    if (c.trainMlp) {
      Training.Result r = Training.run(new Training.Options(DataSources.FASHION, null, "mlp", c.trainEpochs, 128, 1e-3, 0, c.seed,
          c.out.resolve("mlp"), false), out);
      out.printf(Locale.ROOT, "trained MLP: test accuracy %.4f (checkpoint in %s)%n", r.test().accuracy(), c.out.resolve("mlp"));
      model = r.model();
      cfg = r.config();
    } else {
      ModelLoader ml = ModelLoader.load(c.model);
      model = ml.model();
      cfg = ml.config();
      if (!DataSources.FASHION.equalsIgnoreCase(cfg.data())) {
        throw new CliException("--model: classifier mode studies Fashion-MNIST classifiers; this one was trained on '" + cfg.data() + "'", 2);
      }
    }
    FashionMnist.LabeledImages te = FashionMnist.load(false);
    if (n + c.updates > te.count()) {
      throw new CliException("--probes + --updates must be at most " + te.count() + " test images, got " + (n + c.updates), 2);
    }
    int[] perm = new Rng(c.seed).permutation(te.count());
    Tensor probes = images(te, perm, c.updates, n, cfg.inputShape());
    ClassifierDynamics dyn = new ClassifierDynamics(model);
    int v = cfg.numClasses();
    out.printf(Locale.ROOT, "model: %s, %,d parameters; %d update images x %d probe images x %d classes; eta %.3g%n", cfg.model(),
        dyn.parameterCount(), c.updates, n, v, eta);

    StringBuilder csv = new StringBuilder("update_image,update_label,probe_image,class,predicted,actual\n");
    List<String> names = new ArrayList<>();
    List<DynamicsReport.Sweep> sweeps = new ArrayList<>();
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (int u = 0; u < c.updates; u++) {
      Tensor xu = images(te, perm, u, 1, cfg.inputShape());
      int yu = te.labels()[perm[u]];
      long t0 = System.nanoTime();
      double[] rate = DynamicsReport.concat(Arrays.asList(dyn.firstOrder(xu, yu, Direction.POSITIVE, probes)));
      double secs = (System.nanoTime() - t0) / 1e9;
      DynamicsReport.Sweep s = DynamicsReport.sweep(rate, eta, c.halvings,
          e -> DynamicsReport.concat(Arrays.asList(dyn.actualChange(xu, yu, Direction.POSITIVE, probes, e))));
      out.printf(Locale.ROOT, "update %d (test image %d, label %d): A·K·G for %d probes in %.1f s%n", u, perm[u], yu, n, secs);
      double[] p = s.predicted(), a = s.actual();
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < v; k++) {
          csv.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%.8g,%.8g%n", perm[u], yu, perm[c.updates + i], k, p[i * v + k], a[i * v + k]));
        }
      }
      names.add("image" + perm[u]);
      sweeps.add(s);
      series.put("update: test image " + perm[u] + " (" + FashionMnist.CLASS_NAMES.get(yu) + ")", new double[][] {p, a});
    }
    AtomicFiles.writeString(c.out.resolve("dynamics.csv"), csv.toString());
    DynamicsReport.writeResiduals(c.out.resolve("residuals.csv"), names, sweeps, out);
    DynamicsReport.scatter(c.out.resolve("scatter.png"),
        String.format(Locale.ROOT, "%s, eta %.3g: %d probes x %d classes", cfg.model(), eta, n, v), series);
    squeeze(c, dyn, probes, perm, eta, out);
    out.println("tables: dynamics.csv, residuals.csv, squeeze.csv; plots: scatter.png, squeeze.png in " + c.out);
    return 0;
  }

  /** Each probe is its own update: a step on its least likely class, negative then positive. */
  private static void squeeze(DynamicsCommand c, ClassifierDynamics dyn, Tensor probes, int[] perm, double eta, PrintStream out)
      throws IOException {
    int[] pushed = Squeezing.leastLikely(dyn.logProbs(probes));
    List<SqueezeProbe> neg = Squeezing.classifier(dyn, probes, pushed, Direction.NEGATIVE, eta);
    List<SqueezeProbe> pos = Squeezing.classifier(dyn, probes, pushed, Direction.POSITIVE, eta);
    StringBuilder csv = new StringBuilder("probe_image,argmax,pushed,p_argmax,p_argmax_after_negative,p_argmax_after_positive,"
        + "p_pushed,p_pushed_after_negative,p_pushed_after_positive,others_fell_negative,others_fell_positive\n");
    for (int i = 0; i < neg.size(); i++) {
      SqueezeProbe a = neg.get(i), b = pos.get(i);
      csv.append(String.format(Locale.ROOT, "%d,%d,%d,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.4f,%.4f%n", perm[c.updates + i], a.argmax(), a.pushed(),
          a.argmaxBefore(), a.argmaxAfter(), b.argmaxAfter(), a.pushedBefore(), a.pushedAfter(), b.pushedAfter(), a.othersFell(),
          b.othersFell()));
    }
    AtomicFiles.writeString(c.out.resolve("squeeze.csv"), csv.toString());
    SqueezeSummary sn = SqueezeSummary.of(neg), sp = SqueezeSummary.of(pos);
    out.printf(Locale.ROOT, "squeezing (%d probes, one step of eta %.3g on each probe's least likely class):%n", sn.probes(), eta);
    out.printf(Locale.ROOT, "  negative gradient: argmax rose in %.1f%%, pushed label fell in %.1f%%, other classes fell %.1f%% (mean)%n",
        100 * sn.argmaxRose(), 100 * sn.pushedFell(), 100 * sn.othersFell());
    out.printf(Locale.ROOT, "  positive gradient: argmax rose in %.1f%%, pushed label fell in %.1f%%, other classes fell %.1f%% (mean)%n",
        100 * sp.argmaxRose(), 100 * sp.pushedFell(), 100 * sp.othersFell());
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    bars.put("negative gradient", List.of(sn.argmaxRose(), sn.pushedFell(), sn.othersFell()));
    bars.put("positive gradient", List.of(sp.argmaxRose(), sp.pushedFell(), sp.othersFell()));
    DynamicsReport.barChart(c.out.resolve("squeeze.png"), "Squeezing: one step on the least likely class (" + sn.probes() + " probes)",
        List.of("argmax rose", "pushed label fell", "other classes fell (mean)"), bars);
  }

  /** Images perm[from .. from+count) of the test set as (count, inputShape...). */
  private static Tensor images(FashionMnist.LabeledImages te, int[] perm, int from, int count, int[] inputShape) {
    int d = te.height() * te.width();
    float[] x = new float[count * d];
    for (int i = 0; i < count; i++) System.arraycopy(te.images(), perm[from + i] * d, x, i * d, d);
    int[] shape = new int[inputShape.length + 1];
    shape[0] = count;
    System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
    return Tensor.of(x, shape);
  }
}
