package dev.fathom.cli;

import dev.fathom.compress.CalibrationSet;
import dev.fathom.compress.PruneConfig;
import dev.fathom.compress.PruneScope;
import dev.fathom.compress.Pruner;
import dev.fathom.compress.PruningMethod;
import dev.fathom.compress.StructuredMethod;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fathom compress prune}: zeroes weights of the decoder projections and saves an ordinary float checkpoint. */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = "Prune the decoder projections of a language model (magnitude, Wanda, SparseGPT; unstructured or n:m), or remove whole "
        + "MLP neurons, attention heads or CNN conv channels (the matrices shrink), and save it as a float model.")
final class CompressPruneCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "float model directory (Hugging Face layout)")
  Path model;

  @Option(names = "--method", required = true, description = "magnitude | wanda | sparsegpt | neurons | heads (language models) | channels (CNN classifiers)")
  String method;

  @Option(names = "--sparsity", description = "share of weights set to zero, in [0, 1); with --pattern n:m it is 1 - n/m and may be left out")
  Double sparsity;

  @Option(names = "--pattern", description = "n:m semi-structured sparsity, e.g. 2:4 (two non-zeros in every four weights of a row)")
  String pattern;

  @Option(names = "--scope", description = "which weights compete: layer (each matrix) | row (each output row) | global (magnitude only: "
      + "all projections); default: layer for magnitude, row for wanda (the paper's choice)")
  String scope;

  @Mixin
  CompressCalibration calibration;

  @Mixin
  CompressStructuredPrune structured;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    var sm = StructuredMethod.find(method);
    if (sm.isPresent()) return structured.run(sm.get(), model, sparsity, pattern, calibration, out);
    PruningMethod m = CompressQuantizeCommand.parse(() -> {
      try {
        return PruningMethod.parse(method);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + ", " + StructuredMethod.names(), e);
      }
    }, "--method");
    PruneScope sc = scope == null ? null : CompressQuantizeCommand.parse(() -> PruneScope.parse(scope), "--scope");
    PruneConfig config = CompressQuantizeCommand.parse(() -> {
      int[] nm = pattern == null ? new int[] {0, 0} : PruneConfig.parsePattern(pattern);
      if (sparsity == null && pattern == null) throw new IllegalArgumentException("expected --sparsity S or --pattern n:m, got neither");
      double s = sparsity != null ? sparsity : 1 - (double) nm[0] / nm[1];
      return new PruneConfig(m, s, nm[0], nm[1], sc);
    }, pattern == null ? "--sparsity" : "--pattern");
    if (m.needsCalibration() && calibration.calib == null) throw new CliException("--method " + m + " needs calibration data: pass --calib FILE");
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new CliException("--out: expected a directory other than --model, got " + out);
    }
    LlamaForCausalLM lm = HfCheckpoint.load(model);
    if (lm.quantization() != null) throw new CliException("--model " + model + " is quantized (" + lm.quantization().format() + "); prune a float model");
    CalibrationSet calib = m.needsCalibration() ? calibration.load(model, lm.config()) : null;
    long t0 = System.nanoTime();
    Map<String, Double> share;
    try {
      share = Pruner.prune(lm, config, calib);
    } catch (IllegalArgumentException e) {
      throw new CliException("--method " + m + ": " + e.getMessage());
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    HfCheckpoint.save(out, lm, HfCheckpoint.readGenerationConfig(model));
    CompressQuantizeCommand.copyTokenizer(model, out);
    long zeros = 0, total = 0;
    for (Map.Entry<String, Double> e : share.entrySet()) {
      int n = lm.namedParameters().get(e.getKey()).numel();
      total += n;
      zeros += Math.round(e.getValue() * n);
    }
    double min = share.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = share.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    System.out.printf("%s %s: %s -> %s; %d of %d projection weights zero (%.4f; per matrix %.4f..%.4f) in %.1f s%s%n", m,
        config.structured() ? config.keep() + ":" + config.group() : config.scope() + " " + config.sparsity(), model, out, zeros,
        total, (double) zeros / total, min, max, secs, calib == null ? "" : "; " + calibration.describe(calib));
    return 0;
  }
}
