package dev.fathom.cli;

import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.generate.Drafter;
import dev.fathom.llm.generate.ModelDrafter;
import dev.fathom.llm.generate.PromptLookupDrafter;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.llm.tokenizer.Tokenizers;
import dev.fathom.llm.train.TokenData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Text files for the lm commands: reading, the train/validation split and tokenizing. */
final class LmText {
  /** The share of a text's bytes, at its end, held out for validation. */
  static final double VALIDATION_SHARE = 0.10;

  private LmText() {}

  static byte[] read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "expected a text file");
    byte[] b = Files.readAllBytes(file);
    if (b.length < 64) throw new CliException(file + ": expected a text of at least 64 bytes, got " + b.length);
    return b;
  }

  /** Byte offset where the validation part starts (the last 10%). */
  static int splitPoint(byte[] text) {
    return (int) Math.floor(text.length * (1 - VALIDATION_SHARE));
  }

  /** The token ids of the validation part (the last 10%) of a text file, for the benchmarks. */
  static int[] validationIds(Tokenizer tok, Path file) throws IOException {
    byte[] all = read(file);
    return tok.encodeBytes(Arrays.copyOfRange(all, splitPoint(all), all.length));
  }

  static TokenData tokens(Tokenizer tok, byte[] bytes) {
    return new TokenData(tok.encodeBytes(bytes), bytes.length);
  }

  /**
   * The --context to use with a model: the requested length, else the model's context capped at
   * {@code defaultCap}; it must lie in [2, max_position_embeddings].
   */
  static int context(Integer requested, LlamaConfig c, int defaultCap) {
    int ctx = requested != null ? requested : Math.min(defaultCap, c.maxPositionEmbeddings());
    if (ctx < 2 || ctx > c.maxPositionEmbeddings()) {
      throw new CliException("--context: expected 2.." + c.maxPositionEmbeddings() + ", got " + ctx);
    }
    return ctx;
  }

  /** The drafter a --draft value names: 'prompt-lookup', or a draft model's directory. */
  static Drafter drafter(String draft) throws IOException {
    if (draft.equals("prompt-lookup")) return new PromptLookupDrafter();
    Path dir = Path.of(draft);
    if (!Files.isDirectory(dir)) throw new CliException("--draft: expected a model directory or 'prompt-lookup', got '" + draft + "'");
    return new ModelDrafter(HfCheckpoint.load(dir));
  }

  /** The tokenizer saved with a model (tokenizer.json in its directory). */
  static Tokenizer tokenizerOf(Path modelDir) throws IOException {
    Path p = modelDir.resolve(HfCheckpoint.TOKENIZER);
    if (!Files.isRegularFile(p)) throw new NoSuchFileException(p.toString(), null, "the model directory has no tokenizer.json");
    return Tokenizers.load(p);
  }
}
