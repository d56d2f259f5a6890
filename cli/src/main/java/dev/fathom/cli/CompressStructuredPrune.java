package dev.fathom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.compress.CalibrationSet;
import dev.fathom.compress.ChannelPruner;
import dev.fathom.compress.LlamaStructuredPruner;
import dev.fathom.compress.StructuredMethod;
import dev.fathom.compress.StructuredPruneConfig;
import dev.fathom.compress.UnitScore;
import dev.fathom.io.Checkpoint;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * The structured methods of {@code fathom compress prune} (a picocli mixin with their options):
 * neurons and heads shrink a language model, channels a CNN classifier; the result is an ordinary
 * float checkpoint of the smaller config that {@code lm eval}, {@code lm generate} or {@code eval} load.
 */
final class CompressStructuredPrune {
  @Option(names = "--score", description = "neurons, heads: activation (needs --calib) | weight; channels: l1 | bn; default activation or bn")
  String score;

  @Option(names = "--round-to", defaultValue = "1", description = "round the kept neurons/heads/channels per layer to a multiple of this; default ${DEFAULT-VALUE}")
  int roundTo;

  @Option(names = "--heal-steps", defaultValue = "0", description = "fine-tune the pruned model this many AdamW steps on training data "
      + "(language models: the first 90%% of --heal-text; CNNs: the training set of the config's data); default ${DEFAULT-VALUE}")
  int healSteps;

  @Option(names = "--heal-text", description = "language models: text to heal on; default: the --calib text")
  Path healText;

  @Option(names = "--heal-lr", description = "peak learning rate of healing (cosine to a tenth, warmup a tenth of the steps); default 1e-4 (LM), 5e-4 (CNN)")
  Double healLr;

  @Option(names = "--heal-batch", description = "healing batch: sequences of the model's context (at most 256) or images; default 8 (LM), 64 (CNN)")
  Integer healBatch;

  int run(StructuredMethod m, Path model, Double sparsity, String pattern, CompressCalibration calibration, Path out) throws Exception {
    if (pattern != null) throw new CliException("--pattern: method " + m + " removes whole " + m.units() + "; expected --sparsity S, got --pattern " + pattern);
    if (sparsity == null) throw new CliException("--sparsity: method " + m + " expected the share of " + m.units() + " to remove, got none");
    StructuredPruneConfig config = CompressQuantizeCommand.parse(
        () -> new StructuredPruneConfig(m, sparsity, score == null ? null : UnitScore.parse(score), roundTo), score == null ? "--sparsity" : "--score");
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new CliException("--out: expected a directory other than --model, got " + out);
    }
    JsonNode node = Checkpoint.readConfig(model, JsonNode.class);
    boolean classifier = node.has("model");
    if (classifier == m.forLanguageModels()) {
      throw new CliException("--method " + m + " prunes " + m.units() + " of " + (m.forLanguageModels() ? "a language model" : "a CNN classifier")
          + "; --model " + model + " is " + (classifier ? "a '" + node.path("model").asText() + "' classifier" : "a language model ("
          + node.path("model_type").asText("llama") + ")"));
    }
    int batch = healBatch != null ? healBatch : classifier ? 64 : 8;
    double lr = healLr != null ? healLr : classifier ? 5e-4 : 1e-4;
    if (healSteps < 0 || batch < 1 || !(lr > 0)) {
      throw new CliException("--heal-steps/--heal-batch/--heal-lr: expected steps >= 0, batch >= 1, lr > 0, got " + healSteps + ", " + batch + ", " + lr);
    }
    Path healOn = healText != null ? healText : calibration.calib;
    if (healSteps > 0 && !classifier && healOn == null) throw new CliException("--heal-steps: expected --heal-text FILE or --calib FILE, got neither");
    long t0 = System.nanoTime();
    if (classifier) {
      ModelLoader loaded = ModelLoader.load(model);
      if (loaded.vision() != null) throw new CliException("--method channels: expected a cnn classifier, got a '" + loaded.vision().model() + "' model");
      ChannelPruner.Result r;
      try {
        r = ChannelPruner.prune(loaded.config(), loaded.model(), config);
      } catch (IllegalArgumentException e) {
        throw new CliException("--method " + m + ": " + e.getMessage());
      }
      double pruneSecs = (System.nanoTime() - t0) / 1e9;
      if (healSteps > 0) PruneHealing.classifier(r.config(), r.model(), healSteps, batch, lr);
      Checkpoint.save(out, r.model(), r.config(), null);
      System.out.printf("%s %s (%s): %s -> %s; channels %s -> %s; parameters %,d -> %,d in %.1f s%s%n", m, sparsity, config.score(), model, out,
          Arrays.toString(loaded.config().channels()), Arrays.toString(r.config().channels()), loaded.model().numParameters(), r.model().numParameters(),
          pruneSecs, healSteps == 0 ? "" : "; healed " + healSteps + " steps");
      return 0;
    }
    LlamaForCausalLM lm = HfCheckpoint.load(model);
    if (lm.quantization() != null) throw new CliException("--model " + model + " is quantized (" + lm.quantization().format() + "); prune a float model");
    if (config.score() == UnitScore.ACTIVATION && calibration.calib == null) {
      throw new CliException("--method " + m + " with --score activation needs calibration data: pass --calib FILE (or --score weight)");
    }
    CalibrationSet calib = config.score() == UnitScore.ACTIVATION ? calibration.load(model, lm.config()) : null;
    LlamaConfig before = lm.config();
    LlamaStructuredPruner.Result r;
    try {
      r = LlamaStructuredPruner.prune(lm, config, calib);
    } catch (IllegalArgumentException e) {
      throw new CliException("--method " + m + ": " + e.getMessage());
    }
    double pruneSecs = (System.nanoTime() - t0) / 1e9;
    if (healSteps > 0) PruneHealing.language(r.model(), model, healOn, healSteps, batch, lr);
    HfCheckpoint.save(out, r.model(), HfCheckpoint.readGenerationConfig(model));
    CompressQuantizeCommand.copyTokenizer(model, out);
    LlamaConfig after = r.model().config();
    String what = m == StructuredMethod.NEURONS ? "intermediate_size " + before.intermediateSize() + " -> " + after.intermediateSize()
        : "num_attention_heads " + before.numAttentionHeads() + " -> " + after.numAttentionHeads() + " (head_dim " + after.headDim() + ")";
    System.out.printf("%s %s (%s): %s -> %s; %s in each of %d layers; parameters %,d -> %,d in %.1f s%s%s%n", m, sparsity, config.score(), model, out,
        what, after.numHiddenLayers(), before.parameterCount(), after.parameterCount(), pruneSecs,
        calib == null ? "" : "; " + calibration.describe(calib), healSteps == 0 ? "" : "; healed " + healSteps + " steps");
    return 0;
  }
}
