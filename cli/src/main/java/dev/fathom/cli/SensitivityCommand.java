package dev.fathom.cli;

import dev.fathom.insight.sensitivity.BitTransformerConfig;
import dev.fathom.insight.sensitivity.BooleanTask;
import dev.fathom.insight.sensitivity.Parity;
import dev.fathom.insight.sensitivity.ProbeConfig;
import dev.fathom.insight.sensitivity.ProbeResult;
import dev.fathom.insight.sensitivity.SensitivityProbe;
import dev.fathom.io.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom sensitivity}: the probe of Hahn and Rofin (ACL 2024). For every task and input
 * length, a small transformer is trained on fresh random inputs and its accuracy, sharpness,
 * parameter norm and LayerNorm blow-up are measured; {@code --scratchpad} adds parity with a
 * scratchpad of running parities. Writes {@code results.csv} (after every run, so an interrupted
 * sweep keeps what it has) and the plots {@code accuracy.png}, {@code sharpness.png} and
 * {@code norms.png}.
 */
@Command(name = "sensitivity", mixinStandardHelpOptions = true,
    description = "Sensitivity probe (Hahn & Rofin 2024): train small transformers on Boolean functions of growing length and measure "
        + "accuracy, sharpness, parameter norm and LayerNorm blow-up (DIR/results.csv and PNG plots).")
final class SensitivityCommand implements Callable<Integer> {
  @Option(names = "--tasks", defaultValue = "parity,majority,sparse-parity,first", split = ",",
      description = "tasks among parity, majority, sparse-parity, first (default: ${DEFAULT-VALUE})")
  List<String> tasks;

  @Option(names = "--lengths", defaultValue = "3,5,7,9", split = ",", description = "input lengths n (default: ${DEFAULT-VALUE})")
  List<Integer> lengths;

  @Option(names = "--scratchpad", description = "also train parity with a scratchpad of running parities at every length")
  boolean scratchpad;

  @Option(names = "--steps", defaultValue = "4000", description = "the most optimizer steps per model (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--stop-loss", defaultValue = "0.01",
      description = "stop a model once its training loss (mean of the last 50 steps) is at most this; 0 never stops early (default: ${DEFAULT-VALUE})")
  double stopLoss;

  @Option(names = "--batch-size", defaultValue = "64", description = "fresh random inputs per step (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--lr", defaultValue = "3e-3", description = "peak AdamW learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW weight decay; 0 leaves the norm free to grow (default: ${DEFAULT-VALUE})")
  double weightDecay;

  @Option(names = "--d-model", defaultValue = "32", description = "model width (default: ${DEFAULT-VALUE})")
  int dModel;

  @Option(names = "--heads", defaultValue = "2", description = "attention heads (default: ${DEFAULT-VALUE})")
  int heads;

  @Option(names = "--layers", defaultValue = "2", description = "transformer blocks (default: ${DEFAULT-VALUE})")
  int layers;

  @Option(names = "--sparse-k", defaultValue = "2", description = "relevant bits of sparse-parity (default: ${DEFAULT-VALUE})")
  int sparseK;

  @Option(names = "--test-size", defaultValue = "2048", description = "test inputs (all 2^n when fewer) (default: ${DEFAULT-VALUE})")
  int testSize;

  @Option(names = "--sharpness-radius", defaultValue = "0.1",
      description = "relative radius of the Gaussian parameter perturbations (default: ${DEFAULT-VALUE})")
  double sharpnessRadius;

  @Option(names = "--sharpness-draws", defaultValue = "8", description = "perturbations averaged (default: ${DEFAULT-VALUE})")
  int sharpnessDraws;

  @Option(names = "--fit-accuracy", defaultValue = "0.99",
      description = "test accuracy from which a model counts as fitting its task (default: ${DEFAULT-VALUE})")
  double fitAccuracy;

  @Option(names = "--seed", defaultValue = "1", description = "seed of everything (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<String> names = new ArrayList<>(new LinkedHashSet<>(tasks));
    for (String t : names) {
      if (!BooleanTask.NAMES.contains(t)) throw new CliException("--tasks: unknown task '" + t + "', expected some of " + BooleanTask.NAMES, 2);
    }
    for (int n : lengths) {
      if (n < 1 || n > BooleanTask.MAX_LENGTH) throw new CliException("--lengths: each must be in [1, " + BooleanTask.MAX_LENGTH + "], got " + n, 2);
      if (names.contains("sparse-parity") && n < sparseK) {
        throw new CliException("--lengths: sparse-parity needs n >= --sparse-k = " + sparseK + ", got " + n, 2);
      }
    }
    if (!(fitAccuracy > 0 && fitAccuracy <= 1)) throw new CliException("--fit-accuracy must be in (0, 1], got " + fitAccuracy, 2);
    if (sparseK < 1) throw new CliException("--sparse-k must be >= 1, got " + sparseK, 2);
    ProbeConfig config;
    BitTransformerConfig shape;
    try {
      config = new ProbeConfig(steps, batchSize, lr, weightDecay, ProbeConfig.warmupFor(steps), 1.0, testSize, sharpnessRadius,
          sharpnessDraws, stopLoss, seed);
      shape = BitTransformerConfig.of(dModel, heads, layers, 2);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), 2);
    }
    Files.createDirectories(out);
    List<Integer> ns = lengths.stream().distinct().sorted().toList();
    List<ProbeResult> results = new ArrayList<>();
    System.out.println(String.format(Locale.ROOT, "%-20s %4s %8s %9s %11s %10s %9s %9s %6s %7s", "task", "n", "as_n", "accuracy", "sharpness",
        "param_norm", "moved", "ln_answer", "steps", "secs"));
    for (String name : names) {
      for (int n : ns) results.add(runOne(BooleanTask.of(name, n, sparseK, seed), false, shape, config, results));
    }
    if (scratchpad) for (int n : ns) results.add(runOne(new Parity(n), true, shape, config, results));
    SensitivityPlots.write(out, results);
    System.out.println(SensitivitySummary.of(results, fitAccuracy));
    System.out.println("results: " + out.resolve("results.csv") + "; plots: accuracy.png, sharpness.png, norms.png");
    return 0;
  }

  private ProbeResult runOne(BooleanTask task, boolean pad, BitTransformerConfig shape, ProbeConfig config, List<ProbeResult> done)
      throws java.io.IOException {
    ProbeResult r = SensitivityProbe.run(task, pad, shape, config);
    System.out.println(String.format(Locale.ROOT, "%-20s %4d %8.3f %9.4f %11.3g %10.2f %9.2f %9.3f %6d %7.1f", r.series(), r.length(),
        r.sensitivity(), r.accuracy(), r.sharpness(), r.paramNorm(), r.paramDistance(), r.lnBlowupAnswer(), r.steps(), r.seconds()));
    StringBuilder csv = new StringBuilder(ProbeResult.csvHeader()).append('\n');
    for (ProbeResult p : done) csv.append(p.csvRow()).append('\n');
    csv.append(r.csvRow()).append('\n');
    AtomicFiles.writeString(out.resolve("results.csv"), csv.toString());
    return r;
  }
}
