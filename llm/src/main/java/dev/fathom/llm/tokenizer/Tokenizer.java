package dev.fathom.llm.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Text to token ids and back.
 *
 * <p>Every implementation is lossless on bytes: {@code decodeBytes(encodeBytes(b))} equals
 * {@code b} for any bytes, and {@code decode(encode(s))} equals {@code s} for any valid Unicode
 * string (no unpaired surrogates) when the tokenizer has no normalizer. Implementations are
 * immutable and safe to share between threads.
 */
public interface Tokenizer {

  /** Number of token ids: ids are exactly {@code 0..vocabSize()-1}. */
  int vocabSize();

  /**
   * Encodes plain text. Special-token strings such as {@code <|endoftext|>} are NOT interpreted:
   * they are encoded like any other characters.
   *
   * @return token ids, one per token, in text order
   */
  int[] encode(String text);

  /**
   * Encodes text in which added (special) tokens are written verbatim: each occurrence of an added
   * token's content becomes that token's id, the text between them is encoded as by
   * {@link #encode}.
   */
  int[] encodeWithSpecials(String text);

  /**
   * Encodes arbitrary bytes, valid UTF-8 or not. Each maximal run of well-formed UTF-8 is encoded
   * as the text it spells (without normalization, so the bytes come back exactly); each byte
   * outside such a run becomes its single-byte token.
   */
  int[] encodeBytes(byte[] bytes);

  /**
   * Decodes ids to text. Byte sequences that are not valid UTF-8 (for example a multi-byte
   * character cut between a prefix of ids and the rest) become U+FFFD REPLACEMENT CHARACTER, one
   * per maximal invalid subsequence as {@link java.nio.charset.StandardCharsets#UTF_8} decodes.
   *
   * @throws IllegalArgumentException if an id is outside {@code 0..vocabSize()-1}
   */
  String decode(int[] ids);

  /**
   * Decodes ids to the exact bytes they stand for (added tokens give their content's UTF-8).
   *
   * @throws IllegalArgumentException if an id is outside {@code 0..vocabSize()-1}
   */
  byte[] decodeBytes(int[] ids);

  /**
   * The id of a token given its content as stored: an added token's text ({@code <|endoftext|>})
   * or a vocabulary entry in its byte-level spelling ({@code "Ġthe"}).
   */
  OptionalInt tokenId(String tokenContent);

  /**
   * The stored content of a token: an added token's text, or a vocabulary entry in its
   * byte-level spelling ({@code "Ġthe"} for the bytes {@code " the"}).
   *
   * @throws IllegalArgumentException if {@code id} is outside {@code 0..vocabSize()-1}
   */
  String tokenText(int id);

  /**
   * Writes this tokenizer as a Hugging Face {@code tokenizer.json}, atomically (a reader sees the
   * old file or the whole new one).
   *
   * @throws IOException if the file cannot be written
   */
  void save(Path tokenizerJson) throws IOException;

  /**
   * The id of the beginning-of-sequence token, looked up by the conventional names in this order:
   * {@code <|begin_of_text|>} (Llama 3), {@code <s>} (Llama 2, Mistral), {@code <|endoftext|>}
   * (GPT-2, which uses one token for both ends).
   */
  default OptionalInt bosId() {
    return firstPresent("<|begin_of_text|>", "<s>", "<|endoftext|>");
  }

  /**
   * The id of the end-of-sequence token, looked up by the conventional names in this order:
   * {@code <|end_of_text|>} (Llama 3), {@code </s>}, {@code <|endoftext|>} (GPT-2, Qwen2).
   */
  default OptionalInt eosId() {
    return firstPresent("<|end_of_text|>", "</s>", "<|endoftext|>");
  }

  private OptionalInt firstPresent(String... names) {
    for (String name : names) {
      OptionalInt id = tokenId(name);
      if (id.isPresent()) {
        return id;
      }
    }
    return OptionalInt.empty();
  }
}
