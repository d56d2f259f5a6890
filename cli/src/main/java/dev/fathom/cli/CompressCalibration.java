package dev.fathom.cli;

import dev.fathom.compress.CalibrationSet;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** The calibration options of {@code compress quantize} and {@code compress prune} (a picocli mixin). */
final class CompressCalibration {
  @Option(names = "--calib", description = "calibration text, tokenized with the model's tokenizer (gptq, awq, wanda, sparsegpt need it)")
  Path calib;

  @Option(names = "--calib-part", defaultValue = "all",
      description = "all | train: the whole --calib text, or only its training part (the first 90%%, as lm train splits); default ${DEFAULT-VALUE}")
  String part;

  @Option(names = "--calib-samples", defaultValue = "128", description = "calibration windows; default ${DEFAULT-VALUE}")
  int samples;

  @Option(names = "--calib-context", description = "tokens per window; default: the model's context, at most 256")
  Integer context;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the window offsets; default ${DEFAULT-VALUE}")
  long seed;

  /** The calibration windows, or null when no --calib was given. */
  CalibrationSet load(Path modelDir, LlamaConfig config) throws IOException {
    if (calib == null) return null;
    if (!part.equals("all") && !part.equals("train")) throw new CliException("--calib-part: expected all or train, got '" + part + "'");
    if (samples < 1) throw new CliException("--calib-samples: expected >= 1, got " + samples);
    int ctx = LmText.context(context, config, 256);
    byte[] text = LmText.read(calib);
    if (part.equals("train")) text = Arrays.copyOf(text, LmText.splitPoint(text));
    Tokenizer tok = LmText.tokenizerOf(modelDir);
    try {
      return CalibrationSet.sample(tok.encodeBytes(text), ctx, samples, seed);
    } catch (IllegalArgumentException e) {
      throw new CliException("--calib " + calib + ": " + e.getMessage());
    }
  }

  /** "128 windows of 256 tokens (train part of FILE)" for the summary line. */
  String describe(CalibrationSet c) {
    return c == null ? "no calibration" : c.windows().size() + " windows of " + c.context() + " tokens from " + calib + " (" + part + ")";
  }
}
