package dev.fathom.cli;

import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.lora.Lora;
import dev.fathom.llm.lora.LoraAdapters;
import dev.fathom.llm.lora.LoraConfig;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.llm.train.LmEval;
import dev.fathom.llm.train.LmTrainConfig;
import dev.fathom.llm.train.LmTrainer;
import dev.fathom.llm.train.TokenData;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom lm finetune}: LoRA adapters on a trained model, saved in the PEFT layout. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = "Fine-tune LoRA adapters on a text (last 10%% held out); writes adapter_config.json + adapter_model.safetensors.")
final class LmFinetuneCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "base model directory (Hugging Face layout with tokenizer.json)")
  Path model;

  @Option(names = "--text", required = true, description = "fine-tuning text")
  Path text;

  @Option(names = "--lora", required = true, description = "adapter rank r")
  int rank;

  @Option(names = "--alpha", description = "lora_alpha (default: 2·r)")
  Double alpha;

  @Option(names = "--dropout", defaultValue = "0.0", description = "lora_dropout; default ${DEFAULT-VALUE}")
  double dropout;

  @Option(names = "--targets", defaultValue = "q_proj,k_proj,v_proj,o_proj", split = ",",
      description = "target modules, or all-linear; default ${DEFAULT-VALUE}")
  List<String> targets;

  @Option(names = "--steps", description = "optimizer steps (default 200 unless --minutes)")
  Long steps;

  @Option(names = "--minutes", description = "training-time budget in minutes")
  Double minutes;

  @Option(names = "--out", required = true, description = "adapter output directory")
  Path out;

  @Option(names = "--batch", defaultValue = "16", description = "sequences per step; default ${DEFAULT-VALUE}")
  int batch;

  @Option(names = "--context", description = "tokens per sequence (default: the model's max_position_embeddings, at most 256)")
  Integer context;

  @Option(names = "--lr", defaultValue = "2e-3", description = "peak learning rate; default ${DEFAULT-VALUE}")
  double lr;

  @Option(names = "--seed", defaultValue = "1337", description = "seed; default ${DEFAULT-VALUE}")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (steps != null && minutes != null) throw new CliException("give at most one of --steps and --minutes");
    if (rank <= 0) throw new CliException("--lora: expected a positive rank, got " + rank);
    LlamaForCausalLM m = HfCheckpoint.load(model);
    Tokenizer tok = LmText.tokenizerOf(model);
    int ctx = LmText.context(context, m.config(), 256);
    byte[] all = LmText.read(text);
    int split = LmText.splitPoint(all);
    TokenData train = LmText.tokens(tok, Arrays.copyOfRange(all, 0, split));
    TokenData val = LmText.tokens(tok, Arrays.copyOfRange(all, split, all.length));
    LoraConfig lc;
    try {
      lc = new LoraConfig(rank, alpha == null ? 2.0 * rank : alpha, dropout, targets, false, model.toAbsolutePath().toString(), false);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    LmTrainConfig cfg = LmTrainConfig.defaults(steps == null && minutes == null ? 200 : steps == null ? 0 : steps,
            minutes == null ? 0 : minutes)
        .withBatch(batch, 1, ctx).withLr(lr, lr / 10, 20).withEval(0, 200_000, 0, 10).withSeed(seed);
    LmEval before = dev.fathom.llm.train.LmEvaluator.evaluate(m, val, ctx, batch, 200_000);
    Lora.apply(m, lc, new Rng(seed));
    System.out.printf("LoRA r=%d alpha=%.1f on %s: %,d trainable parameters (%.2f%% of %,d) | validation loss before %.4f%n", rank,
        lc.loraAlpha(), targets, Lora.trainableParameters(m).stream().mapToLong(t -> t.numel()).sum(), 100 * Lora.trainableFraction(m),
        m.numParameters(), before.loss());
    LmTrainer trainer = new LmTrainer(m, Lora.trainableParameters(m), cfg, train, val, out, dir -> {
      LoraAdapters.save(dir, m, lc);
      Files.copy(model.resolve(HfCheckpoint.TOKENIZER), dir.resolve(HfCheckpoint.TOKENIZER), StandardCopyOption.REPLACE_EXISTING);
    });
    LmEval after = trainer.run(System.out);
    System.out.printf("saved %s | validation loss %.4f -> %.4f (%.4f nats lower)%n", out, before.loss(), after.loss(),
        before.loss() - after.loss());
    return 0;
  }
}
