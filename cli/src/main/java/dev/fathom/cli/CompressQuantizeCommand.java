package dev.fathom.cli;

import dev.fathom.compress.CalibrationSet;
import dev.fathom.compress.OuterTensors;
import dev.fathom.compress.PerTensorBaseline;
import dev.fathom.compress.AwqConfig;
import dev.fathom.compress.PostTrainingQuantizer;
import dev.fathom.compress.QuantizationMethod;
import dev.fathom.compress.W8A8Config;
import dev.fathom.compress.W8A8Quantizer;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizedCheckpoint;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fathom compress quantize}: post-training quantization of a model directory into a new one. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
    description = "Quantize a language model's decoder projections, and its embedding and head as llama.cpp does (norms stay float), and save it.")
final class CompressQuantizeCommand implements Callable<Integer> {
  /** The per-tensor 4-bit baseline: values on the grid, saved as float32. */
  static final String PER_TENSOR = OuterTensors.PER_TENSOR;

  @Option(names = "--model", required = true, description = "float model directory (Hugging Face layout)")
  Path model;

  @Option(names = "--method", defaultValue = "rtn", description = "rtn | gptq | awq (weights only); w8a8 | smoothquant | llm-int8 (int8 weights × int8 activations "
      + "per token, --format int8); default ${DEFAULT-VALUE}")
  String method;

  @Option(names = "--alpha", description = "smoothquant: migration strength α in [0, 1] (default 0.5)")
  Double alpha;

  @Option(names = "--awq-grid", description = "awq: values of α tried, 0, 1/N, ..., (N−1)/N (default 20; 1: α = 0, clipping only)")
  Integer awqGrid;

  @Option(names = "--awq-batches", description = "awq: calibration batches of 8 windows whose block outputs score each α (default 2)")
  Integer awqBatches;

  @Option(names = "--awq-skip-qk-clip", description = "awq: round q_proj and k_proj to nearest after scaling instead of searching their clipping, as the authors' code does")
  boolean awqSkipQkClip;

  @Option(names = "--awq-duo", description = "awq: also try AutoAWQ's duo scaling, s = mean|x|^α / mean(|w| / group max)^(1−α), "
      + "keeping whichever candidate scores best")
  boolean awqDuo;

  @Option(names = "--threshold", description = "llm-int8: input columns whose calibration |x| exceeds this stay float (default 6.0)")
  Double threshold;

  @Option(names = "--format", required = true,
      description = "q8_0 | q4_0 | int8 | int4g128 (any in-features: a short last group takes the remainder); "
          + "int<bits>g<group> such as int3g32, int3g128 (saved as float32 values on the grid); "
          + "int4pt (per-tensor 4-bit baseline, rtn only, saved as float32)")
  String format;

  @Option(names = "--embed-format", description = "the token embedding: float | int4pt | a --format name, rounded to nearest (default: "
      + "the --format of a packed format or of int4pt, float for the other grids; llama.cpp's --token-embedding-type)")
  String embedFormat;

  @Option(names = "--head-format", description = "the output head: float | int4pt | a --format name, rounded to nearest (default: q8_0 "
      + "for the 4-bit formats and int4pt, the --format itself for q8_0 and int8, float for the other grids; llama.cpp's --output-tensor-type)")
  String headFormat;

  @Mixin
  CompressCalibration calibration;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    QuantizationMethod m = parse(() -> QuantizationMethod.parse(method), "--method");
    boolean perTensor = format.equalsIgnoreCase(PER_TENSOR);
    GroupGrid grid = perTensor ? null : parse(() -> GroupGrid.parse(format), "--format");
    if (alpha != null && m != QuantizationMethod.SMOOTHQUANT) throw new CliException("--alpha: only for --method smoothquant, got --method " + m);
    if (awqGrid != null && m != QuantizationMethod.AWQ) throw new CliException("--awq-grid: only for --method awq, got --method " + m);
    if (awqBatches != null && m != QuantizationMethod.AWQ) throw new CliException("--awq-batches: only for --method awq, got --method " + m);
    AwqConfig awqGrids = parse(() -> new AwqConfig(awqGrid == null ? AwqConfig.defaults().gridSize() : awqGrid,
        AwqConfig.defaults().searchBatches()), "--awq-grid");
    if (awqSkipQkClip && m != QuantizationMethod.AWQ) throw new CliException("--awq-skip-qk-clip: only for --method awq, got --method " + m);
    if (awqDuo && m != QuantizationMethod.AWQ) throw new CliException("--awq-duo: only for --method awq, got --method " + m);
    AwqConfig awq = parse(() -> new AwqConfig(awqGrids.gridSize(), awqBatches == null ? awqGrids.searchBatches() : awqBatches, !awqSkipQkClip, awqDuo),
        "--awq-batches");
    if (threshold != null && m != QuantizationMethod.LLM_INT8) throw new CliException("--threshold: only for --method llm-int8, got --method " + m);
    W8A8Config w8a8 = parse(() -> new W8A8Config(alpha == null ? W8A8Config.DEFAULT_ALPHA : alpha,
        threshold == null ? W8A8Config.DEFAULT_THRESHOLD : threshold), alpha != null ? "--alpha" : "--threshold");
    if (m.quantizesActivations() && (perTensor || grid.format() != QuantFormat.INT8)) {
      throw new CliException("--method " + m + " quantizes activations to int8 (W8A8): expected --format int8, got " + format);
    }
    OuterTensors defaults = m.quantizesActivations() ? OuterTensors.floats() : OuterTensors.defaultsFor(format);
    String embed = embedFormat == null ? defaults.embed() : parse(() -> new OuterTensors(embedFormat, OuterTensors.FLOAT).embed(), "--embed-format");
    String head = headFormat == null ? defaults.head() : parse(() -> new OuterTensors(OuterTensors.FLOAT, headFormat).head(), "--head-format");
    OuterTensors outer = new OuterTensors(embed, head);
    if (m.quantizesActivations() && !outer.allFloat()) {
      throw new CliException("--method " + m + " (W8A8) keeps the embedding and the head float: drop --embed-format and --head-format");
    }
    if (!perTensor && grid.format() != null) {  // a packed checkpoint
      checkPackable(new OuterTensors(embed, OuterTensors.FLOAT), "--embed-format");
      checkPackable(new OuterTensors(OuterTensors.FLOAT, head), "--head-format");
    }
    if (perTensor && m != QuantizationMethod.RTN) throw new CliException("--format " + PER_TENSOR + ": expected --method rtn, got " + m);
    if (m.needsCalibration() && calibration.calib == null) throw new CliException("--method " + m + " needs calibration data: pass --calib FILE");
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new CliException("--out: expected a directory other than --model, got " + out);
    }
    LlamaForCausalLM lm = HfCheckpoint.load(model);
    if (lm.quantization() != null) {
      throw new CliException("--model " + model + " is already quantized (" + lm.quantization().format() + "); start from a float model");
    }
    CalibrationSet calib = m.needsCalibration() ? calibration.load(model, lm.config()) : null;
    long t0 = System.nanoTime();
    String extra = "";
    try {
      if (m.quantizesActivations()) {
        W8A8Quantizer.Result r = W8A8Quantizer.quantize(lm, m, calib, w8a8);
        QuantizedCheckpoint.save(out, lm, lm.quantizedWeights(), lm.quantization(), HfCheckpoint.readGenerationConfig(model));
        extra = String.format("; int8 activations per token; %d of %d input columns (%.3f%%) kept float", r.floatColumns(), r.columns(),
            100 * r.floatFraction());
      } else if (perTensor) {
        PerTensorBaseline.apply(lm, outer);
        HfCheckpoint.save(out, lm, HfCheckpoint.readGenerationConfig(model));
      } else if (grid.format() == null) {
        PostTrainingQuantizer.round(lm, m, grid, calib, awq, outer);
        HfCheckpoint.save(out, lm, HfCheckpoint.readGenerationConfig(model));
      } else {
        Map<String, QuantizedMatrix> q = PostTrainingQuantizer.quantize(lm, m, grid.format(), calib, awq, outer);
        QuantizedCheckpoint.save(out, lm, q, lm.quantization(), HfCheckpoint.readGenerationConfig(model));
      }
    } catch (IllegalArgumentException e) {
      throw new CliException("--format " + format + ": " + e.getMessage());
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    copyTokenizer(model, out);
    long before = CompressReportCommand.weightBytes(model), after = CompressReportCommand.weightBytes(out);
    String tied = lm.config().tieWordEmbeddings() ? ", tied head" : "";
    System.out.printf("%s %s (%s%s): %s -> %s (%.1f MB -> %.1f MB, %.2fx smaller) in %.1f s%s%n", m, perTensor ? PER_TENSOR : grid,
        m.quantizesActivations() ? "embedding and head float" : outer, tied, model, out,
        before / 1e6, after / 1e6, (double) before / after, secs, (calib == null ? "" : "; " + calibration.describe(calib)) + extra);
    return 0;
  }

  /** Copies the model's tokenizer.json, if it has one, next to the new weights. */
  static void copyTokenizer(Path model, Path out) throws java.io.IOException {
    Path tok = model.resolve(HfCheckpoint.TOKENIZER);
    if (Files.isRegularFile(tok)) Files.copy(tok, out.resolve(HfCheckpoint.TOKENIZER), StandardCopyOption.REPLACE_EXISTING);
  }

  private static void checkPackable(OuterTensors o, String option) {
    parse(() -> {
      o.checkPackable();
      return o;
    }, option);
  }

  static <T> T parse(java.util.function.Supplier<T> p, String option) {
    try {
      return p.get();
    } catch (IllegalArgumentException e) {
      throw new CliException(option + ": " + e.getMessage());
    }
  }
}
