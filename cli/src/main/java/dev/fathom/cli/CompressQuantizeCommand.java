package dev.fathom.cli;

import dev.fathom.compress.PerTensorBaseline;
import dev.fathom.compress.PostTrainingQuantizer;
import dev.fathom.compress.QuantizationMethod;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizedCheckpoint;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom compress quantize}: post-training quantization of a model directory into a new one. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
    description = "Quantize the decoder projections of a language model (embeddings, norms and head stay float) and save it.")
final class CompressQuantizeCommand implements Callable<Integer> {
  /** The per-tensor 4-bit baseline: values on the grid, saved as float32. */
  static final String PER_TENSOR = "int4pt";

  @Option(names = "--model", required = true, description = "float model directory (Hugging Face layout)")
  Path model;

  @Option(names = "--method", defaultValue = "rtn", description = "rtn | gptq | awq | smoothquant (only rtn so far); default ${DEFAULT-VALUE}")
  String method;

  @Option(names = "--format", required = true,
      description = "q8_0 | q4_0 | int8 | int4g128, or int4pt (per-tensor 4-bit baseline, saved as float32 values on its grid)")
  String format;

  @Option(names = "--calib", description = "calibration text, for methods that need it")
  Path calib;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    QuantizationMethod m = parse(() -> QuantizationMethod.parse(method), "--method");
    QuantFormat f = format.equalsIgnoreCase(PER_TENSOR) ? null : parse(() -> QuantFormat.parse(format), "--format");
    if (!m.implemented()) throw new CliException("--method " + m + ": not implemented yet (available: rtn)", 3);
    if (m.needsCalibration() && calib == null) throw new CliException("--method " + m + " needs calibration data: pass --calib FILE");
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new CliException("--out: expected a directory other than --model, got " + out);
    }
    LlamaForCausalLM lm = HfCheckpoint.load(model);
    if (lm.quantization() != null) {
      throw new CliException("--model " + model + " is already quantized (" + lm.quantization().format() + "); start from a float model");
    }
    long t0 = System.nanoTime();
    if (f == null) {
      PerTensorBaseline.apply(lm);
      HfCheckpoint.save(out, lm, HfCheckpoint.readGenerationConfig(model));
    } else {
      Map<String, QuantizedMatrix> q;
      try {
        q = PostTrainingQuantizer.quantize(lm, m, f, null);
      } catch (IllegalArgumentException e) {
        throw new CliException("--format " + f + ": " + e.getMessage());
      }
      QuantizedCheckpoint.save(out, lm, q, lm.quantization(), HfCheckpoint.readGenerationConfig(model));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Path tok = model.resolve(HfCheckpoint.TOKENIZER);
    if (Files.isRegularFile(tok)) Files.copy(tok, out.resolve(HfCheckpoint.TOKENIZER), StandardCopyOption.REPLACE_EXISTING);
    long before = CompressReportCommand.weightBytes(model), after = CompressReportCommand.weightBytes(out);
    System.out.printf("%s %s: %s -> %s (%.1f MB -> %.1f MB, %.2fx smaller) in %.1f s%n", m, f == null ? PER_TENSOR : f, model, out,
        before / 1e6, after / 1e6, (double) before / after, secs);
    return 0;
  }

  private static <T> T parse(java.util.function.Supplier<T> p, String option) {
    try {
      return p.get();
    } catch (IllegalArgumentException e) {
      throw new CliException(option + ": " + e.getMessage());
    }
  }
}
