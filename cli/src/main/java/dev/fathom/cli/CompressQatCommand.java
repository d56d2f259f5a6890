package dev.fathom.cli;

import dev.fathom.io.Checkpoint;
import dev.fathom.quant.GroupGrid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom compress qat}: quantization-aware fine-tuning of a trained float model (a Llama LM
 * on a text, or a classifier on its data), then export exactly on the grid through PTQ's path.
 */
@Command(name = "qat", mixinStandardHelpOptions = true,
    description = "Fine-tune a trained model with fake-quantized weights (straight-through estimator), then save it on the grid.")
final class CompressQatCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "trained float model: a Llama directory (Hugging Face layout) or a classifier checkpoint")
  Path model;

  @Option(names = "--format", required = true,
      description = "grid: q8_0 | q4_0 | int8 | int4g128 (packed, LMs) or int<bits>g<group> such as int3g32, int3g16, int2g16 (float values on the grid)")
  String format;

  @Option(names = "--data", required = true, description = "a text file for an LM (last 10%% held out), or the classifier's data (fashion-mnist, a .csv/.arff)")
  String data;

  @Option(names = "--steps", description = "optimizer steps (LM)")
  Long steps;

  @Option(names = "--epochs", description = "epochs over the training split (classifier)")
  Integer epochs;

  @Option(names = "--lr", defaultValue = "2e-4", description = "peak learning rate (AdamW, short warmup, cosine decay); default ${DEFAULT-VALUE}")
  double lr;

  @Option(names = "--batch", description = "batch size (default: 8 windows for an LM, 128 examples for a classifier)")
  Integer batch;

  @Option(names = "--eval-tokens", defaultValue = "16384", description = "LM: validation tokens scored before and after; default ${DEFAULT-VALUE}")
  long evalTokens;

  @Option(names = "--seed", defaultValue = "0", description = "seed (batch sampling, shuffling, dropout); default ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--float-control", description = "the control run: the same fine-tuning without fake quantization, then round to nearest")
  boolean floatControl;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    GroupGrid grid = CompressQuantizeCommand.parse(() -> GroupGrid.parse(format), "--format");
    if (!(lr > 0) || Double.isInfinite(lr)) throw new CliException("--lr: expected a positive number, got " + lr);
    if (batch != null && batch <= 0) throw new CliException("--batch: expected a positive size, got " + batch);
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new CliException("--out: expected a directory other than --model, got " + out);
    }
    if (!Files.isRegularFile(model.resolve(Checkpoint.CONFIG))) throw new CliException("--model: no config.json in '" + model + "'", 1);
    boolean lm = Files.readString(model.resolve(Checkpoint.CONFIG)).contains("\"model_type\"");
    if (lm) {
      if (epochs != null) throw new CliException("--epochs: a language model trains by --steps");
      if (steps == null || steps <= 0) throw new CliException("--steps: expected a positive number of steps, got " + steps);
      if (evalTokens <= 0) throw new CliException("--eval-tokens: expected a positive count, got " + evalTokens);
      QatLm.run(this, grid);
    } else {
      if (steps != null) throw new CliException("--steps: a classifier trains by --epochs");
      if (epochs == null || epochs <= 0) throw new CliException("--epochs: expected a positive number of epochs, got " + epochs);
      QatClassifier.run(this, grid);
    }
    return 0;
  }

  /** "QAT" or "float fine-tune (control)", for the output lines. */
  String what() {
    return floatControl ? "float fine-tune (control)" : "QAT";
  }
}
