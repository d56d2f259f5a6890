package dev.fathom.cli;

import dev.fathom.io.AtomicFiles;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Attribution;
import dev.fathom.xai.Baseline;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.IntegratedGradients;
import dev.fathom.xai.Output;
import dev.fathom.xai.metrics.DeletionCurve;
import dev.fathom.xai.metrics.Infidelity;
import dev.fathom.xai.metrics.MaxSensitivity;
import dev.fathom.xai.metrics.RandomizationCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

/**
 * {@code fathom explain --evaluate N}: how faithful and how sane each method's maps are on the
 * first N test examples, explaining the predicted class. Prints Markdown tables (and writes them
 * to evaluation.md with --out): IG's completeness error; deletion and insertion AUC against a
 * random order (scored on the class probability, the baseline value as "removed"); infidelity and
 * max-sensitivity on up to 100 and 50 examples; the cascading randomization check on up to 100.
 */
final class ExplainEvaluation {
  private final ExplainCommand cmd;
  private final ModelLoader loaded;
  private final GradientModel model;
  private final StringBuilder report = new StringBuilder();

  ExplainEvaluation(ExplainCommand cmd, ModelLoader loaded, GradientModel model) {
    this.cmd = cmd;
    this.loaded = loaded;
    this.model = model;
  }

  void run(int n) throws IOException {
    LabeledExamples ex = LabeledExamples.first(DataSources.evalData(loaded.config(), cmd.data), n);
    Tensor x = ex.x();
    n = x.size(0);
    int[] t = model.predictions(x);
    GradientModel prob = model.withOutput(Output.PROBABILITY);
    Baseline base = Baseline.constant(cmd.baseline);
    Tensor background = x.narrow(0, 0, Math.min(64, n));
    int curveSteps = Math.min(28, model.features());
    var random = DeletionCurve.randomAttributions(model, n, cmd.seed);
    double randDel = DeletionCurve.deletion(prob, x, t, random, curveSteps, base).meanAuc();
    double randIns = DeletionCurve.insertion(prob, x, t, random, curveSteps, base).meanAuc();
    int small = Math.min(n, 100), tiny = Math.min(n, 50);
    print("Explaining the predicted class of %d test examples, output %s, baseline %s%n%n", n, model.output().name().toLowerCase(), base);
    print("| method | seconds | deletion AUC (random %.4f) | ratio | insertion AUC (random %.4f) | ratio | infidelity (n=%d) | max-sensitivity (n=%d) |%n",
        randDel, randIns, small, tiny);
    print("|---|---|---|---|---|---|---|---|%n");
    String completeness = "";
    for (String name : cmd.methods) {
      Attribution a = AttributionMethods.create(name, cmd.steps, base, background, cmd.window, cmd.seed);
      long t0 = System.nanoTime();
      Tensor maps;
      if (a instanceof IntegratedGradients ig) {
        var r = ig.explain(model, x, t);
        maps = r.attributions();
        double mean = 0, worst = 0;
        int under = 0;
        for (int i = 0; i < n; i++) {
          double e = r.relativeError(i);
          mean += e / n;
          worst = Math.max(worst, e);
          if (e < 0.01) under++;
        }
        completeness = String.format("IG completeness (%d Gauss-Legendre steps): mean relative error %.4f%%, max %.4f%%, %d of %d examples under 1%%%n",
            cmd.steps, 100 * mean, 100 * worst, under, n);
      } else {
        maps = a.attribute(model, x, t);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      double del = DeletionCurve.deletion(prob, x, t, maps, curveSteps, base).meanAuc();
      double ins = DeletionCurve.insertion(prob, x, t, maps, curveSteps, base).meanAuc();
      Tensor xs = x.narrow(0, 0, small), ms = maps.narrow(0, 0, small);
      double infd = mean(Infidelity.of(model, xs, Arrays.copyOf(t, small), ms, 0.01, 32, true, cmd.seed));
      double sens = mean(MaxSensitivity.of(a, model, x.narrow(0, 0, tiny), Arrays.copyOf(t, tiny), 0.02, 8, cmd.seed));
      print("| %s | %.1f | %.4f | %.2f | %.4f | %.2f | %.4g | %.3f |%n", name, secs, del, del / randDel, ins, ins / randIns, infd, sens);
    }
    if (!completeness.isEmpty()) print("%n%s", completeness);
    for (String name : List.of("saliency", "ig")) {
      if (!cmd.randomization || !cmd.methods.contains(name)) continue;
      Attribution a = AttributionMethods.create(name, cmd.steps, base, background, cmd.window, cmd.seed);
      var steps = RandomizationCheck.cascade(loaded.model(), model.output(), model.inputShape(), a, x.narrow(0, 0, small),
          Arrays.copyOf(t, small), cmd.baseline, cmd.seed);
      print("%nCascading randomization, %s (mean Spearman rho of |map| with the trained model's, %d examples; foreground: the pixels"
          + " that differ from the baseline):%n%n| layers randomized down to | rho, all features | rho, foreground |%n|---|---|---|%n", name, small);
      for (var s : steps) {
        print("| %s | %.3f | %.3f |%n", s.layer().isEmpty() ? "(none)" : s.layer(), s.meanCorrelation(), s.foregroundCorrelation());
      }
    }
    if (cmd.out != null) {
      Files.createDirectories(cmd.out);
      AtomicFiles.writeString(cmd.out.resolve("evaluation.md"), report.toString());
      System.out.println("\nwritten: " + cmd.out.resolve("evaluation.md"));
    }
  }

  private void print(String fmt, Object... args) {
    String s = String.format(java.util.Locale.ROOT, fmt, args);
    report.append(s);
    System.out.print(s);
    System.out.flush();
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) s += d / v.length;
    return s;
  }
}
