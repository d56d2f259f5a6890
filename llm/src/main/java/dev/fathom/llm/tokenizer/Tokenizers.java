package dev.fathom.llm.tokenizer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Entry points: load a {@code tokenizer.json}, or make a byte tokenizer. */
public final class Tokenizers {

  /** Files larger than this are refused before being read (Llama 3's is about 9 MB). */
  public static final long MAX_FILE_BYTES = 256L << 20;

  private Tokenizers() {}

  /**
   * Loads a Hugging Face {@code tokenizer.json} holding a byte-level BPE (GPT-2, Llama 3, Qwen2,
   * or one written by {@link Tokenizer#save}).
   *
   * @param path the file, or a directory that contains {@code tokenizer.json}; a file whose name
   *     ends in {@code .gz} is gunzipped first
   * @throws TokenizerFormatException if the file is not a tokenizer this package supports; the
   *     message names the file, what was expected and what came
   * @throws IOException if the file cannot be read
   */
  public static BpeTokenizer load(Path path) throws IOException {
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "expected a tokenizer.json file or a directory containing one");
    }
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new TokenizerFormatException(
          file + ": expected a tokenizer.json of at most " + MAX_FILE_BYTES + " bytes, got "
              + size + " bytes");
    }
    if (!file.getFileName().toString().endsWith(".gz")) {
      try (InputStream in = Files.newInputStream(file)) {
        return load(in, file.toString());
      }
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return load(in, file.toString());
    } catch (ZipException | EOFException e) {
      throw new TokenizerFormatException(
          file + ": expected gzip data (the name ends in .gz), got: " + e.getMessage(), e);
    }
  }

  /**
   * Loads a {@code tokenizer.json} from a stream (for example a {@code GZIPInputStream}); reads at
   * most {@link #MAX_FILE_BYTES} bytes. The stream is not closed.
   *
   * @param source where the stream comes from, for error messages
   * @throws TokenizerFormatException if the content is not a supported tokenizer
   * @throws IOException if the stream cannot be read
   */
  public static BpeTokenizer load(InputStream in, String source) throws IOException {
    byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
    if (bytes.length > MAX_FILE_BYTES) {
      throw new TokenizerFormatException(
          source + ": expected a tokenizer.json of at most " + MAX_FILE_BYTES
              + " bytes, got more");
    }
    return TokenizerJsonReader.read(bytes, source);
  }

  /**
   * The byte tokenizer: ids 0..255 are the byte values, then {@code specialTokens} in order
   * (ids 256, 257, ...). With no special tokens the vocabulary is exactly 256.
   *
   * <p>It is a byte-level BPE with no merges, so it saves as a {@code tokenizer.json} that this
   * package and Hugging Face load alike.
   *
   * @throws IllegalArgumentException if a special token is empty or repeated
   */
  public static BpeTokenizer bytes(List<String> specialTokens) {
    return new BpeTokenizer(BpeTokenizer.byteSpec(specialTokens));
  }

  /** The byte tokenizer with the given special tokens; see {@link #bytes(List)}. */
  public static BpeTokenizer bytes(String... specialTokens) {
    return bytes(List.of(specialTokens));
  }
}
