package dev.fathom.llm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.Checkpoint;
import dev.fathom.io.FormatException;
import dev.fathom.io.StateDicts;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.GradClip;
import dev.fathom.optim.Optimizer;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Next-token training of a Llama-family model on a token stream: random windows, AdamW (matrices
 * decayed, norms and biases not), linear warmup then cosine decay by steps or by a wall-clock
 * budget, global-norm clipping, gradient accumulation, periodic validation, and resumable
 * checkpoints ({@code trainer_state.json} + {@code optimizer.safetensors} next to the model files).
 *
 * <p>The clock counts training steps only: evaluation and checkpoint writing are excluded, so a
 * 15-minute budget means 15 minutes of optimisation, as in the PyTorch peer script.
 */
public final class LmTrainer {
  public static final String STATE = "trainer_state.json";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String METRICS = "metrics.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper LINE = new ObjectMapper();

  /** Writes the model part of a checkpoint (HF files, or a LoRA adapter) into a directory. */
  @FunctionalInterface
  public interface ModelWriter {
    void write(Path dir) throws IOException;
  }

  /** The objective of one micro-batch: ids (B, T) and targets (B, T) → scalar loss (default: the model's cross-entropy). */
  @FunctionalInterface
  public interface StepLoss {
    Tensor loss(LlamaForCausalLM model, Tensor ids, Tensor targets);
  }

  /** Resumable position, written as trainer_state.json. */
  public record State(long step, double elapsedSeconds, long tokensSeen, LmTrainConfig config) {}

  private final LlamaForCausalLM model;
  private final LmTrainConfig cfg;
  private final TokenData train, val;
  private final Path outDir;
  private final ModelWriter writer;
  private final List<Optimizer> optimizers = new ArrayList<>();
  private final List<Tensor> trainable;
  private long step;
  private double elapsed;
  private long tokensSeen;
  private LmEval lastEval;
  private StepLoss stepLoss = LlamaForCausalLM::loss;

  /**
   * @param trainable the parameters to optimise (all of the model's for pre-training, the adapters for LoRA)
   * @param outDir checkpoint directory, or null for none
   * @param writer writes the model part of a checkpoint (ignored when outDir is null)
   */
  public LmTrainer(LlamaForCausalLM model, List<Tensor> trainable, LmTrainConfig cfg, TokenData train, TokenData val,
      Path outDir, ModelWriter writer) {
    if (trainable.isEmpty()) throw new IllegalArgumentException("LmTrainer: no trainable parameters");
    this.model = model;
    this.cfg = cfg;
    this.train = train;
    this.val = val;
    this.outDir = outDir;
    this.writer = writer;
    this.trainable = List.copyOf(trainable);
    List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
    for (Tensor p : trainable) (p.dim() >= 2 ? decay : noDecay).add(p);
    if (!decay.isEmpty()) optimizers.add(new AdamW(decay, new AdamConfig(cfg.lr(), cfg.beta1(), cfg.beta2(), 1e-8, cfg.weightDecay())));
    if (!noDecay.isEmpty()) optimizers.add(new AdamW(noDecay, new AdamConfig(cfg.lr(), cfg.beta1(), cfg.beta2(), 1e-8, 0)));
  }

  /** Replaces the training objective (e.g. a distillation loss); validation stays plain cross-entropy. */
  public LmTrainer lossFunction(StepLoss loss) {
    this.stepLoss = loss;
    return this;
  }

  public long step() {
    return step;
  }

  public LmEval lastEval() {
    return lastEval;
  }

  /** Continues from a checkpoint directory written by this trainer (model weights must already be loaded). */
  public void resume(Path dir) throws IOException {
    Path statePath = dir.resolve(STATE);
    State s;
    try {
      s = JSON.readValue(statePath.toFile(), State.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new FormatException(statePath + ": expected a trainer state JSON object, " + e.getOriginalMessage(), e);
    }
    loadOptimizers(Checkpoint.loadTensors(dir.resolve(OPTIMIZER)));
    this.step = s.step();
    this.elapsed = s.elapsedSeconds();
    this.tokensSeen = s.tokensSeen();
  }

  /** Trains until the step or time budget is spent; prints progress to {@code out}; returns the final validation result. */
  public LmEval run(PrintStream out) throws IOException {
    model.train();
    int tokensPerStep = cfg.batchSize() * cfg.gradientAccumulationSteps() * cfg.contextLength();
    long windowStart = System.nanoTime();
    double windowLoss = 0;
    int windowSteps = 0;
    double windowElapsedStart = elapsed;
    while (!done()) {
      long t0 = System.nanoTime();
      double lr = cfg.lrAt(step, elapsed);
      for (Optimizer o : optimizers) o.setLr(lr);
      SplittableRandom rng = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + step);
      double loss = 0;
      for (int micro = 0; micro < cfg.gradientAccumulationSteps(); micro++) {
        Tensor[] batch = train.sample(rng, cfg.batchSize(), cfg.contextLength());
        Tensor l = stepLoss.loss(model, batch[0], batch[1]);
        if (cfg.gradientAccumulationSteps() > 1) l = l.div(cfg.gradientAccumulationSteps());
        l.backward();
        loss += l.item();
      }
      if (!Double.isFinite(loss)) throw new IllegalStateException("LmTrainer: loss became " + loss + " at step " + step
          + " (lr " + lr + "); lower the learning rate");
      if (cfg.maxGradNorm() > 0) GradClip.clipGradNorm(trainable, cfg.maxGradNorm());
      for (Optimizer o : optimizers) o.step();
      for (Optimizer o : optimizers) o.zeroGrad();
      step++;
      tokensSeen += tokensPerStep;
      elapsed += (System.nanoTime() - t0) / 1e9;
      windowLoss += loss;
      windowSteps++;
      if (step % cfg.logEvery() == 0 || done()) {
        double secs = elapsed - windowElapsedStart;
        double tps = windowSteps * (double) tokensPerStep / Math.max(1e-9, secs);
        out.printf("step %d | loss %.4f | lr %.2e | %.0f tokens/s | %.1f s%n", step, windowLoss / windowSteps, lr, tps, elapsed);
        metrics(Map.of("step", step, "loss", windowLoss / windowSteps, "lr", lr, "tokens_per_second", tps, "elapsed_seconds", elapsed));
        windowLoss = 0;
        windowSteps = 0;
        windowElapsedStart = elapsed;
      }
      if (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0 && !done()) evaluate(out);
      if (outDir != null && cfg.saveEvery() > 0 && step % cfg.saveEvery() == 0 && !done()) save(outDir);
    }
    LmEval result = evaluate(out);
    if (outDir != null) save(outDir);
    return result;
  }

  private boolean done() {
    return (cfg.maxSteps() > 0 && step >= cfg.maxSteps()) || (cfg.maxMinutes() > 0 && elapsed >= cfg.maxMinutes() * 60);
  }

  /** Validation loss now (the model returns to training mode afterwards). */
  public LmEval evaluate(PrintStream out) throws IOException {
    if (val == null) return null;
    LmEval e = LmEvaluator.evaluate(model, val, cfg.contextLength(), cfg.batchSize(), cfg.evalTokens());
    lastEval = e;
    out.printf("eval step %d | val loss %.4f | ppl %.2f | %.4f bits/byte%n", step, e.loss(), e.perplexity(), e.bitsPerByte());
    metrics(Map.of("step", step, "val_loss", e.loss(), "val_perplexity", e.perplexity(), "val_bits_per_byte", e.bitsPerByte(),
        "elapsed_seconds", elapsed));
    return e;
  }

  /** Writes model (through the writer), optimizer state and trainer_state.json; the state file goes last. */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    writer.write(dir);
    Checkpoint.saveTensors(dir.resolve(OPTIMIZER), optimizerState(), Map.of());
    AtomicFiles.writeString(dir.resolve(STATE), JSON.writeValueAsString(new State(step, elapsed, tokensSeen, cfg)) + "\n");
  }

  private Map<String, Tensor> optimizerState() {
    Map<String, Tensor> all = new LinkedHashMap<>();
    for (int i = 0; i < optimizers.size(); i++) {
      StateDicts.putPrefixed(all, "group" + i + ".", optimizers.get(i).stateDict());
    }
    return all;
  }

  private void loadOptimizers(Map<String, Tensor> all) {
    for (int i = 0; i < optimizers.size(); i++) optimizers.get(i).loadStateDict(StateDicts.under(all, "group" + i + "."));
  }

  private void metrics(Map<String, Object> row) {
    if (outDir == null) return;
    try {
      Files.createDirectories(outDir);
      Files.writeString(outDir.resolve(METRICS), LINE.writeValueAsString(new LinkedHashMap<>(row)) + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
