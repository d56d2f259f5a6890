package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.data.IdxArray;
import dev.fathom.data.IdxReader;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.PngFiles;
import dev.fathom.io.FormatException;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.Output;
import dev.fathom.xai.robust.MaskingChecks;
import dev.fathom.xai.robust.Norm;
import dev.fathom.xai.robust.Pgd;
import dev.fathom.xai.robust.PgdConfig;
import dev.fathom.xai.robust.Robustness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom attack}: accuracy under FGSM or PGD, the gradient-masking checks, and an accuracy-vs-ε plot. */
@Command(name = "attack", mixinStandardHelpOptions = true,
    description = "Adversarial accuracy of a classifier under FGSM or PGD (L-inf or L2), with gradient-masking checks.")
final class AttackCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "checkpoint directory")
  Path model;

  @Option(names = "--data", description = "fashion-mnist or a .csv/.arff file (default: the test set of the training data)")
  String data;

  @Option(names = "--input", description = "examples in the formats of 'fathom predict': IDX images (with --labels) or CSV rows with the target column")
  Path input;

  @Option(names = "--labels", description = "IDX labels (one byte per example) for --input images")
  Path labels;

  @Option(names = "--method", defaultValue = "pgd", description = "fgsm or pgd (default: ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--eps", defaultValue = "0.1", description = "radius of the threat ball (default: ${DEFAULT-VALUE})")
  double eps;

  @Option(names = "--steps", defaultValue = "20", description = "PGD steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--alpha", description = "PGD step size (default: 2.5 * eps / steps)")
  Double alpha;

  @Option(names = "--restarts", defaultValue = "1", description = "PGD random restarts (default: ${DEFAULT-VALUE})")
  int restarts;

  @Option(names = "--norm", defaultValue = "linf", description = "linf or l2 (default: ${DEFAULT-VALUE})")
  String norm;

  @Option(names = "--limit", defaultValue = "1000", description = "test examples attacked, 0 for all (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the random starts (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--checks", description = "also run the gradient-masking checks")
  boolean checks;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--out", description = "directory for the accuracy-vs-eps plot (attack.png) and its table (attack.csv)")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (!"fgsm".equals(method) && !"pgd".equals(method)) throw new CliException("--method must be fgsm or pgd, got '" + method + "'", 2);
    if (limit < 0) throw new CliException("--limit must be >= 0, got " + limit, 2);
    ModelLoader m = ModelLoader.load(model);
    image = m.config().inputShape().length == 3;
    PgdConfig cfg = config(eps);
    LabeledExamples ex = examples(m);
    GradientModel gm = GradientModel.of(m.model(), Output.LOGIT, m.config().inputShape());
    long t0 = System.nanoTime();
    Robustness.Accuracy acc = Robustness.evaluate(gm, ex.x(), ex.labels(), new Pgd(cfg), 500);
    double secs = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("method", method);
    o.put("norm", cfg.norm().name().toLowerCase(java.util.Locale.ROOT));
    o.put("eps", eps);
    o.put("steps", cfg.steps());
    o.put("restarts", cfg.restarts());
    o.put("examples", acc.examples());
    o.put("clean_accuracy", acc.clean());
    o.put("adversarial_accuracy", acc.adversarial());
    if (!json) {
      System.out.printf("%s (%s, eps %.4g, %d steps, %d restarts) on %d examples, %.1f s%n", method, o.get("norm"), eps, cfg.steps(), cfg.restarts(),
          acc.examples(), secs);
      System.out.printf("clean accuracy:       %6.2f%%%nadversarial accuracy: %6.2f%%%n", 100 * acc.clean(), 100 * acc.adversarial());
    }
    if (checks) {
      List<MaskingChecks.Check> cs = MaskingChecks.run(gm, ex.x(), ex.labels(), cfg, acc.adversarial());
      if (!json) {
        System.out.println("gradient-masking checks:");
        for (var c : cs) System.out.printf("  %-4s %s: %s%n", c.passed() ? "ok" : "FAIL", c.name(), c.detail());
      }
      o.put("checks", cs);
    }
    if (out != null) sweep(gm, ex);
    if (json) System.out.println(new ObjectMapper().writeValueAsString(o));
    return 0;
  }

  /** --input (+ --labels) when given, else the test set of --data or of the model's own data; the first --limit. */
  private LabeledExamples examples(ModelLoader m) throws java.io.IOException {
    if (input == null) return LabeledExamples.first(DataSources.evalData(m.config(), data), limit);
    if (data != null) throw new CliException("give --input or --data, not both", 2);
    if (input.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
      return LabeledExamples.first(DataSources.evalData(m.config(), input.toString()), limit);
    }
    if (labels == null) throw new CliException("--input images need --labels FILE (IDX labels, one per image)", 2);
    Tensor x = Inputs.read(input, m.config());
    IdxArray a = IdxReader.read(labels);
    float[] y = a.toFloats();
    if (a.dims().length != 1 || y.length != x.size(0)) {
      throw new FormatException(labels + ": expected " + x.size(0) + " labels (IDX dims [" + x.size(0) + "]), got dims " + java.util.Arrays.toString(a.dims()));
    }
    int n = limit <= 0 ? y.length : Math.min(limit, y.length);
    int[] yi = new int[n];
    for (int i = 0; i < n; i++) {
      yi[i] = (int) y[i];
      if (yi[i] != y[i] || yi[i] < 0 || yi[i] >= m.config().numClasses()) {
        throw new FormatException(labels + ": label " + y[i] + " of example " + i + " is not a class index in [0, " + m.config().numClasses() + ")");
      }
    }
    return new LabeledExamples(n == x.size(0) ? x : x.narrow(0, 0, n), yi);
  }

  /** Images live in [0, 1]; standardized tabular features are unbounded. */
  private boolean image;

  private float clipMin() {
    return image ? 0f : -Float.MAX_VALUE;
  }

  private float clipMax() {
    return image ? 1f : Float.MAX_VALUE;
  }

  private PgdConfig config(double e) {
    Norm n;
    try {
      n = Norm.parse(norm);
    } catch (IllegalArgumentException ex) {
      throw new CliException("--norm: " + ex.getMessage(), 2);
    }
    try {
      if ("fgsm".equals(method)) {
        if (n != Norm.LINF) throw new CliException("--method fgsm is an L-inf attack; use --method pgd --steps 1 --norm l2 for its L2 form", 2);
        return PgdConfig.fgsm(e, clipMin(), clipMax());
      }
      double a = alpha != null ? alpha : (e == 0 ? 1e-3 : 2.5 * e / steps);
      return new PgdConfig(e, a, steps, restarts, n, true, clipMin(), clipMax(), seed);
    } catch (IllegalArgumentException ex) {
      throw new CliException(ex.getMessage(), 2);
    }
  }

  /** Accuracy of FGSM and of L∞ PGD (--steps, --restarts, step 2.5ε/steps) over ε ∈ {0, ε/4, ε/2, ε, 2ε, 3ε}: attack.csv and attack.png. */
  private void sweep(GradientModel gm, LabeledExamples ex) throws Exception {
    PgdConfig pgd = new PgdConfig(eps, eps == 0 ? 1e-3 : 2.5 * eps / steps, steps, restarts, Norm.LINF, true, clipMin(), clipMax(), seed);
    Files.createDirectories(out);
    double[] grid = {0, eps / 4, eps / 2, eps, 2 * eps, 3 * eps};
    List<double[]> rows = new ArrayList<>();
    StringBuilder csv = new StringBuilder("eps,fgsm_accuracy,pgd_accuracy\n");
    for (double e : grid) {
      double f = Robustness.evaluate(gm, ex.x(), ex.labels(), new Pgd(PgdConfig.fgsm(e, clipMin(), clipMax())), 500).adversarial();
      double p = Robustness.evaluate(gm, ex.x(), ex.labels(), new Pgd(pgd.withEps(e)), 500).adversarial();
      rows.add(new double[] {e, f, p});
      csv.append(String.format(java.util.Locale.ROOT, "%.5f,%.5f,%.5f%n", e, f, p));
    }
    AtomicFiles.writeString(out.resolve("attack.csv"), csv.toString());
    XYChart c = new XYChartBuilder().width(640).height(420).title("Accuracy under attack (L-inf, " + ex.labels().length + " test examples)")
        .xAxisTitle("eps").yAxisTitle("accuracy").build();
    c.addSeries("FGSM", rows.stream().mapToDouble(r -> r[0]).toArray(), rows.stream().mapToDouble(r -> r[1]).toArray());
    c.addSeries("PGD-" + steps, rows.stream().mapToDouble(r -> r[0]).toArray(), rows.stream().mapToDouble(r -> r[2]).toArray());
    PngFiles.write(out.resolve("attack.png"), c);
    if (!json) System.out.println("plot: " + out.resolve("attack.png") + " (table: attack.csv)");
  }
}
