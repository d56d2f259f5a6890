package dev.fathom.cli;

import dev.fathom.llm.GenerationConfig;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.LlamaPresets;
import dev.fathom.llm.tokenizer.BpeTrainer;
import dev.fathom.llm.tokenizer.BpeTrainerConfig;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.llm.tokenizer.Tokenizers;
import dev.fathom.llm.train.LmEval;
import dev.fathom.llm.train.LmTrainConfig;
import dev.fathom.llm.train.LmTrainer;
import dev.fathom.llm.train.TokenData;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom lm train}: a Llama-family model from scratch on a text file. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a language model from scratch on a text file (last 10%% held out for validation).")
final class LmTrainCommand implements Callable<Integer> {
  static final String EOT = "<|endoftext|>";

  @Option(names = "--text", required = true, description = "training text (UTF-8 or any bytes)")
  Path text;

  @Option(names = "--preset", defaultValue = "small", description = "tiny (~1M), small (~3M) or base (~25M parameters); default ${DEFAULT-VALUE}")
  String preset;

  @Option(names = "--tokenizer", defaultValue = "byte", description = "byte, or bpe:VOCAB to train a byte-level BPE; default ${DEFAULT-VALUE}")
  String tokenizer;

  @Option(names = "--steps", description = "optimizer steps")
  Long steps;

  @Option(names = "--minutes", description = "training-time budget in minutes (evaluation not counted)")
  Double minutes;

  @Option(names = "--out", required = true, description = "output directory (Hugging Face layout + trainer state)")
  Path out;

  @Option(names = "--batch", defaultValue = "16", description = "sequences per step; default ${DEFAULT-VALUE}")
  int batch;

  @Option(names = "--accumulate", defaultValue = "1", description = "gradient accumulation steps; default ${DEFAULT-VALUE}")
  int accumulate;

  @Option(names = "--context", defaultValue = "256", description = "tokens per sequence; default ${DEFAULT-VALUE}")
  int context;

  @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate; default ${DEFAULT-VALUE}")
  double lr;

  @Option(names = "--eval-every", defaultValue = "250", description = "validate every N steps (0: only at the end); default ${DEFAULT-VALUE}")
  long evalEvery;

  @Option(names = "--save-every", defaultValue = "500", description = "checkpoint every N steps (0: only at the end); default ${DEFAULT-VALUE}")
  long saveEvery;

  @Option(names = "--sliding-window", description = "attention sees only the last N positions (a Mistral config)")
  Integer slidingWindow;

  @Option(names = "--attention", defaultValue = "full", description = "full, linear (elu + 1, no rotary positions), or "
      + "block_sparse[:SIZE,LOCAL,GLOBAL,RANDOM] (blocks of SIZE tokens, a multiple of 64: own and previous LOCAL-1 blocks, the "
      + "first GLOBAL blocks, RANDOM random earlier ones; default 64,3,1,1); default ${DEFAULT-VALUE}")
  String attention;

  @Option(names = "--conv-kernel", description = "hybrid layers: a depthwise causal convolution of this width on q, k and v before attention")
  Integer convKernel;

  @Option(names = "--max-positions", description = "the model's context (max_position_embeddings); default the preset's 256, or --context if longer")
  Integer maxPositions;

  @Option(names = "--seed", defaultValue = "1337", description = "seed; default ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--resume", description = "continue from the checkpoint in --out")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    if ((steps == null) == (minutes == null)) throw new CliException("give exactly one of --steps N and --minutes M");
    if (!LlamaPresets.NAMES.contains(preset)) throw new CliException("--preset: expected one of " + LlamaPresets.NAMES + ", got '" + preset + "'");
    LmTrainConfig cfg = LmTrainConfig.defaults(steps == null ? 0 : steps, minutes == null ? 0 : minutes)
        .withBatch(batch, accumulate, context).withLr(lr, lr / 10, 100).withEval(evalEvery, 200_000, saveEvery, 10).withSeed(seed);
    byte[] all = LmText.read(text);
    int split = LmText.splitPoint(all);
    byte[] trainBytes = Arrays.copyOfRange(all, 0, split), valBytes = Arrays.copyOfRange(all, split, all.length);

    boolean resuming = resume && Files.isRegularFile(out.resolve(LmTrainer.STATE));
    Tokenizer tok;
    LlamaForCausalLM model;
    if (resuming) {
      tok = LmText.tokenizerOf(out);
      model = HfCheckpoint.load(out);
    } else {
      tok = tokenizer(trainBytes);
      LlamaConfig c = LlamaPresets.of(preset, tok.vocabSize());
      if (slidingWindow != null) {
        if (slidingWindow < 1) throw new CliException("--sliding-window: expected >= 1, got " + slidingWindow);
        c = c.withSlidingWindow(slidingWindow);
      }
      c = LmArchitecture.apply(c, attention, convKernel);
      int positions = maxPositions != null ? maxPositions : Math.max(context, c.maxPositionEmbeddings());
      if (positions < 1 || positions > 1 << 20) throw new CliException("--max-positions: expected 1 .. 1048576, got " + positions);
      if (context > positions) throw new CliException("--context " + context + " exceeds --max-positions " + positions);
      c = c.withMaxPositions(positions);
      Integer eot = tok.tokenId(EOT).isPresent() ? tok.tokenId(EOT).getAsInt() : null;
      model = new LlamaForCausalLM(eot == null ? c : c.withSpecialTokens(eot, List.of(eot)), new Rng(seed));
    }
    TokenData train = LmText.tokens(tok, trainBytes), val = LmText.tokens(tok, valBytes);
    System.out.printf("model: %s preset, %,d parameters | tokenizer: vocab %d, %.2f bytes/token | train %,d tokens, validation %,d%n",
        preset, model.numParameters(), tok.vocabSize(), (double) trainBytes.length / train.size(), train.size(), val.size());
    LlamaForCausalLM m = model;
    Integer eos = m.config().eosTokenId() == null ? null : m.config().eosTokenId().get(0);
    GenerationConfig gen = GenerationConfig.ofTokens(m.config().bosTokenId(), eos == null ? null : List.of(eos));
    LmTrainer trainer = new LmTrainer(m, m.parameters(), cfg, train, val, out, dir -> {
      tok.save(dir.resolve(HfCheckpoint.TOKENIZER));
      HfCheckpoint.save(dir, m, gen);
    });
    if (resuming) {
      trainer.resume(out);
      System.out.println("resumed at step " + trainer.step());
    }
    LmEval e = trainer.run(System.out);
    System.out.printf("saved %s | validation loss %.4f nats/token, perplexity %.2f, %.4f bits/byte%n", out, e.loss(), e.perplexity(),
        e.bitsPerByte());
    return 0;
  }

  private Tokenizer tokenizer(byte[] trainBytes) {
    if (tokenizer.equals("byte")) return Tokenizers.bytes();
    if (tokenizer.startsWith("bpe:")) {
      int vocab;
      try {
        vocab = Integer.parseInt(tokenizer.substring(4));
      } catch (NumberFormatException e) {
        throw new CliException("--tokenizer: expected bpe:VOCAB with an integer VOCAB, got '" + tokenizer + "'");
      }
      if (vocab < 257 || vocab > 200_000) throw new CliException("--tokenizer bpe:VOCAB: expected 257 <= VOCAB <= 200000, got " + vocab);
      long t0 = System.nanoTime();
      Tokenizer tok = new BpeTrainer(BpeTrainerConfig.of(vocab, EOT)).train(new String(trainBytes, java.nio.charset.StandardCharsets.UTF_8));
      System.out.printf("trained a byte-level BPE of %d tokens in %.1f s%n", tok.vocabSize(), (System.nanoTime() - t0) / 1e9);
      return tok;
    }
    throw new CliException("--tokenizer: expected 'byte' or 'bpe:VOCAB', got '" + tokenizer + "'");
  }
}
