package dev.fathom.cli;

import dev.fathom.compress.OutlierInjection;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom compress inject-outliers}: a function-preserving transform that gives a float model large activation channels. */
@Command(name = "inject-outliers", mixinStandardHelpOptions = true,
    description = "Scale a seeded fraction of the channels of every linear-layer input by a factor and the weights that read them by "
        + "its inverse: the same function (logits unchanged up to float rounding), with activation outliers. Saves a float model.")
final class CompressInjectOutliersCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "float model directory (Hugging Face layout)")
  Path model;

  @Option(names = "--fraction", defaultValue = "0.01", description = "share of the channels of each input; default ${DEFAULT-VALUE}")
  double fraction;

  @Option(names = "--factor", defaultValue = "20:50", description = "MIN:MAX, each channel's factor drawn uniformly; default ${DEFAULT-VALUE}")
  String factor;

  @Option(names = "--seed", defaultValue = "0", description = "picks the channels and factors; default ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    String[] f = factor.split(":");
    double lo, hi;
    try {
      lo = Double.parseDouble(f[0]);
      hi = Double.parseDouble(f.length == 2 ? f[1] : f[0]);
      if (f.length > 2) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new CliException("--factor: expected MIN:MAX (e.g. 20:50) or one number, got " + factor);
    }
    OutlierInjection inj = CompressQuantizeCommand.parse(() -> new OutlierInjection(fraction, lo, hi, seed), "--fraction/--factor");
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new CliException("--out: expected a directory other than --model, got " + out);
    }
    LlamaForCausalLM lm = HfCheckpoint.load(model);
    if (lm.quantization() != null) throw new CliException("--model " + model + " is quantized (" + lm.quantization().format() + "): expected a float model");
    int n = inj.apply(lm);
    HfCheckpoint.save(out, lm, HfCheckpoint.readGenerationConfig(model));
    CompressQuantizeCommand.copyTokenizer(model, out);
    System.out.printf("injected outliers into %d channels (%.2f%% of each input, factors %s..%s, seed %d): %s -> %s%n", n, 100 * fraction, lo, hi,
        seed, model, out);
    return 0;
  }
}
