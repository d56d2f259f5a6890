package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.autograd.Grad;
import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.TensorDataset;
import dev.fathom.nn.F;
import dev.fathom.train.EvalResult;
import dev.fathom.train.Evaluator;
import dev.fathom.vision.models.ImageClassifiers;
import dev.fathom.vision.models.TokenReduction;
import dev.fathom.vision.models.Vit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom bench tokens}: token pruning and ToMe merging on a trained vit or hybrid without
 * retraining: for each setting the analytic forward FLOPs per image, test accuracy, and images/s
 * measured in one process, the settings timed in alternating rounds after a warm-up pass of each,
 * with the median ratio to the unreduced model.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
    description = "Token pruning / merging on a trained vit or hybrid: FLOPs per image, accuracy, images/s (alternating rounds).")
final class BenchTokensCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "checkpoint directory of a vit or hybrid classifier")
  Path model;

  @Option(names = "--keep", split = ",", defaultValue = "0.7,0.5", description = "pruning keep ratios (default: ${DEFAULT-VALUE})")
  List<Double> keep;

  @Option(names = "--layer", defaultValue = "1", description = "block whose class-token attention ranks the tokens (default: ${DEFAULT-VALUE})")
  int layer;

  @Option(names = "--merge", split = ",", defaultValue = "4,8", description = "ToMe tokens merged per block (default: ${DEFAULT-VALUE})")
  List<Integer> merge;

  @Option(names = "--proportional-attention", description = "ToMe settings add log(size) to the attention logits")
  boolean proportional;

  @Option(names = "--examples", defaultValue = "10000", description = "test examples for accuracy (default: ${DEFAULT-VALUE})")
  int examples;

  @Option(names = "--timing-examples", defaultValue = "2000", description = "images per timed pass (default: ${DEFAULT-VALUE})")
  int timingExamples;

  @Option(names = "--rounds", defaultValue = "5", description = "alternating timing rounds (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--batch", defaultValue = "250", description = "batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--json", description = "also print one JSON object")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (examples <= 0 || timingExamples <= 0 || rounds <= 0 || batch <= 0) {
      throw new CliException("--examples, --timing-examples, --rounds and --batch must be > 0", 2);
    }
    ModelLoader m = ModelLoader.load(model);
    if (m.vision() == null || !(ImageClassifiers.encoderOf(m.model()) instanceof Vit vit)) {
      throw new CliException("--model: bench tokens needs a vit or hybrid checkpoint", 2);
    }
    List<TokenReduction> settings = new ArrayList<>();
    List<String> names = new ArrayList<>();
    settings.add(TokenReduction.none());
    names.add("none");
    try {
      for (double k : keep) {
        settings.add(TokenReduction.prune(k, layer));
        names.add(String.format(Locale.ROOT, "prune keep %.2f after block %d", k, layer));
        vit.tokenReduction(settings.getLast());  // checks --layer against the depth
      }
      for (int r : merge) {
        settings.add(TokenReduction.merge(r, proportional));
        names.add("ToMe r=" + r + (proportional ? " (prop. attn)" : ""));
      }
    } catch (IllegalArgumentException e) {
      throw new CliException("--keep/--layer/--merge: " + e.getMessage(), 2);
    }
    TensorDataset test = DataSources.evalData(m.config(), null);
    if (test.size() > examples) test = test.subset(IntStream.range(0, examples).toArray());
    Batch timing = test.batch(IntStream.range(0, Math.min(timingExamples, test.size())).toArray());

    int n = settings.size();
    long[] flops = new long[n];
    double[] acc = new double[n];
    for (int i = 0; i < n; i++) {
      vit.tokenReduction(settings.get(i));
      flops[i] = ImageClassifiers.flops(m.model(), m.config().inputShape());
      EvalResult r = Evaluator.evaluate(m.model(), new DataLoader(test, DataLoaderConfig.eval(batch)), F::crossEntropy, m.config().numClasses());
      acc[i] = r.accuracy();
      forwardSeconds(vit, settings.get(i), m, timing);  // warm-up
    }
    double[][] rate = new double[n][rounds];
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < n; i++) rate[i][round] = timing.size() / forwardSeconds(vit, settings.get(i), m, timing);
    }
    System.out.printf(Locale.ROOT, "%s: %d test examples for accuracy, %d images x %d alternating rounds for speed, batch %d%n", model, test.size(),
        timing.size(), rounds, batch);
    System.out.println("| setting | MFLOP/image | FLOPs vs none | accuracy | drop (points) | images/s (median) | speed vs none (median of round ratios) |");
    System.out.println("|---|---|---|---|---|---|---|");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] ratios = new double[rounds];
      for (int round = 0; round < rounds; round++) ratios[round] = rate[i][round] / rate[0][round];
      double speed = median(rate[i]), ratio = median(ratios);
      System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.2f%% | %.2f | %.0f | %.2fx |%n", names.get(i), flops[i] / 1e6, (double) flops[i] / flops[0],
          100 * acc[i], 100 * (acc[0] - acc[i]), speed, ratio);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("setting", names.get(i));
      row.put("flops_per_image", flops[i]);
      row.put("accuracy", acc[i]);
      row.put("images_per_second", speed);
      row.put("speed_ratio", ratio);
      rows.add(row);
    }
    if (json) System.out.println(new ObjectMapper().writeValueAsString(Map.of("settings", rows)));
    vit.tokenReduction(TokenReduction.none());
    return 0;
  }

  /** Seconds for one no-grad forward over the timing images in batches. */
  private double forwardSeconds(Vit vit, TokenReduction r, ModelLoader m, Batch timing) {
    vit.tokenReduction(r);
    int total = timing.size();
    long t0 = System.nanoTime();
    try (var g = Grad.disabled()) {
      for (int s = 0; s < total; s += batch) {
        int len = Math.min(batch, total - s);
        m.model().call(timing.inputs().narrow(0, s, len));
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
