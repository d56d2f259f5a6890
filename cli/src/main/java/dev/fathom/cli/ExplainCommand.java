package dev.fathom.cli;

import dev.fathom.io.AtomicFiles;
import dev.fathom.io.PngFiles;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Attribution;
import dev.fathom.xai.Baseline;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.IntegratedGradients;
import dev.fathom.xai.Output;
import dev.fathom.xai.report.Heatmap;
import dev.fathom.xai.report.HtmlReport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom explain}: attribution maps for a classifier's predictions, as heatmaps over images
 * or ranked feature tables for tabular rows, with an HTML page of all of it; {@code --evaluate N}
 * scores the methods instead (completeness, deletion/insertion, infidelity, max-sensitivity, the
 * cascading randomization check).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Explain a classifier's predictions: heatmaps (images) or ranked features (tables), and an HTML report.")
final class ExplainCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "checkpoint directory")
  Path model;

  @Option(names = "--input", description = "IDX images (.gz or plain), a PNG image, or CSV rows (the formats of 'fathom predict')")
  Path input;

  @Option(names = "--method", defaultValue = "ig", split = ",",
      description = "one or more of saliency, gradient (signed saliency), gradxinput, ig, smoothgrad, gradshap, occlusion, shap, lime (default: ${DEFAULT-VALUE})")
  List<String> methods;

  @Option(names = "--target", description = "class explained: a class name or index (default: the predicted class)")
  String target;

  @Option(names = "--output", defaultValue = "logit", description = "logit, probability or log-probability (default: ${DEFAULT-VALUE})")
  String output;

  @Option(names = "--steps", defaultValue = "64", description = "ig: Gauss-Legendre steps; smoothgrad, gradshap: samples (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--baseline", defaultValue = "0", description = "baseline feature value for ig and occlusion (default: ${DEFAULT-VALUE})")
  float baseline;

  @Option(names = "--window", defaultValue = "4", description = "occlusion window (default: ${DEFAULT-VALUE})")
  int window;

  @Option(names = "--limit", defaultValue = "16", description = "examples of --input explained (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--seed", defaultValue = "0", description = "seed of smoothgrad noise and gradshap draws (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--evaluate", description = "instead of explaining --input, score the methods on the first N test examples")
  Integer evaluate;

  @Option(names = "--randomization", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "with --evaluate: run the cascading randomization check for saliency and ig (default: ${DEFAULT-VALUE})")
  boolean randomization;

  @Option(names = "--data", description = "test data for --evaluate and gradshap's background (default: the model's own)")
  String data;

  @Option(names = "--out", description = "report directory (index.html, heatmaps, attributions.csv)")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (steps < 1) throw new CliException("--steps must be >= 1, got " + steps, 2);
    if (limit < 1) throw new CliException("--limit must be >= 1, got " + limit, 2);
    methods.forEach(AttributionMethods::check);
    if (window < 1) throw new CliException("--window must be >= 1, got " + window, 2);
    Output out0;
    try {
      out0 = Output.parse(output);
    } catch (IllegalArgumentException e) {
      throw new CliException("--output: " + e.getMessage(), 2);
    }
    ModelLoader m = ModelLoader.load(model);
    GradientModel gm = GradientModel.of(m.model(), out0, m.config().inputShape());
    if (evaluate != null) {
      if (evaluate < 1) throw new CliException("--evaluate must be >= 1, got " + evaluate, 2);
      new ExplainEvaluation(this, m, gm).run(evaluate);
      return 0;
    }
    if (input == null) throw new CliException("give --input FILE to explain (or --evaluate N to score the methods)", 2);
    if (out == null) throw new CliException("give --out DIR for the report", 2);
    Tensor x = Inputs.read(input, m.config());
    if (x.size(0) > limit) x = x.narrow(0, 0, limit);
    int n = x.size(0);
    int[] pred = gm.predictions(x);
    int[] targets = targets(m, pred);
    Tensor probs = gm.withOutput(Output.PROBABILITY).scores(x);
    Files.createDirectories(out);
    boolean image = m.config().inputShape().length == 3;
    Tensor background = background(m, 100);
    List<String> names = m.config().classNames();
    HtmlReport html = new HtmlReport("Fathom explanations: " + model.getFileName());
    html.paragraph("Model " + model + ", input " + input + ", output explained: " + output + ". Red raised the explained output, blue lowered it.");
    List<String> header = new ArrayList<>(List.of("#", "prediction", "p", "explained class"));
    header.addAll(methods);
    List<List<String>> rows = new ArrayList<>();
    Map<String, float[]> maps = new LinkedHashMap<>();
    for (String name : methods) {
      Attribution a = AttributionMethods.create(name, steps, Baseline.constant(baseline), background, window, seed);
      if (a instanceof IntegratedGradients ig) {
        var r = ig.explain(gm, x, targets);
        maps.put(name, r.attributions().data());
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.max(worst, r.relativeError(i));
        System.out.printf("ig: completeness error (|sum of attributions - (f(x) - f(baseline))| / |f(x) - f(baseline)|) at most %.3g%% over %d examples%n",
            100 * worst, n);
      } else {
        maps.put(name, a.attribute(gm, x, targets).data());
      }
    }
    int f = gm.features();
    int[] shape = m.config().inputShape();
    StringBuilder csv = new StringBuilder("index,method,feature,attribution\n");
    for (int i = 0; i < n; i++) {
      List<String> row = new ArrayList<>(List.of(Integer.toString(i), label(names, pred[i]),
          String.format(Locale.ROOT, "%.3f", probs.data()[i * probs.size(1) + pred[i]]), label(names, targets[i])));
      for (var e : maps.entrySet()) {
        float[] attr = Arrays.copyOfRange(e.getValue(), i * f, (i + 1) * f);
        if (image) {
          String file = String.format("example-%03d-%s.png", i, e.getKey());
          BufferedImage img = Heatmap.render(Arrays.copyOfRange(x.data(), i * f, (i + 1) * f), attr, shape[0], shape[1], shape[2], 6);
          PngFiles.write(out.resolve(file), img);
          row.add(file);
        } else {
          row.add(topFeatures(m.config().featureNames(), attr, 5));
          System.out.printf("%d %s %s: %s%n", i, label(names, targets[i]), e.getKey(), topFeatures(m.config().featureNames(), attr, 5));
        }
        for (int j = 0; j < f; j++) {
          String feature = image ? Integer.toString(j) : m.config().featureNames().get(j);
          csv.append(i).append(',').append(e.getKey()).append(',').append(feature).append(',').append(attr[j]).append('\n');
        }
      }
      rows.add(row);
    }
    html.table(header, rows);
    AtomicFiles.writeString(out.resolve("attributions.csv"), csv.toString());
    AtomicFiles.writeString(out.resolve("index.html"), html.render());
    System.out.printf("explained %d example%s with %s: %s%n", n, n == 1 ? "" : "s", String.join(", ", methods), out.resolve("index.html"));
    return 0;
  }

  private int[] targets(ModelLoader m, int[] pred) {
    if (target == null) return pred;
    int k = m.config().numClasses();
    int t = m.config().classNames().indexOf(target);
    if (t < 0) {
      try {
        t = Integer.parseInt(target);
      } catch (NumberFormatException e) {
        throw new CliException("--target: '" + target + "' is neither a class name " + m.config().classNames() + " nor an index", 2);
      }
    }
    if (t < 0 || t >= k) throw new CliException("--target: class index " + t + " is outside [0, " + k + ")", 2);
    int[] all = new int[pred.length];
    Arrays.fill(all, t);
    return all;
  }

  private static final List<String> BACKGROUND_METHODS = List.of("gradshap", "shap", "lime");

  /** The first {@code n} examples of --data (or of the model's test set): the reference distribution of gradshap, shap and lime. */
  Tensor background(ModelLoader m, int n) throws java.io.IOException {
    if (methods.stream().noneMatch(BACKGROUND_METHODS::contains)) return Tensor.zeros(1, 1);
    if (data == null && !m.config().featureNames().isEmpty()) {
      throw new CliException("--method " + String.join(",", methods) + " needs reference rows: give --data with the training table", 2);
    }
    var ds = DataSources.evalData(m.config(), data);
    return LabeledExamples.first(ds, n).x();
  }

  static String label(List<String> names, int c) {
    return names.isEmpty() ? Integer.toString(c) : names.get(c);
  }

  /** "name +0.31, name -0.12, ..." for the k features of largest |attribution|. */
  static String topFeatures(List<String> features, float[] attr, int k) {
    Integer[] idx = new Integer[attr.length];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(attr[b]), Math.abs(attr[a])));
    List<String> s = new ArrayList<>();
    for (int i = 0; i < Math.min(k, idx.length); i++) {
      s.add(String.format(Locale.ROOT, "%s %+.3g", features.get(idx[i]), attr[idx[i]]));
    }
    return String.join(", ", s);
  }
}
