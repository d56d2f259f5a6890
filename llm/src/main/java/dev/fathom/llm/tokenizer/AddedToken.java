package dev.fathom.llm.tokenizer;

/**
 * A token matched verbatim in the text instead of being built by merges ({@code added_tokens} in
 * {@code tokenizer.json}). Field names follow Hugging Face.
 *
 * @param id the token id
 * @param content the exact text of the token, e.g. {@code <|endoftext|>}
 * @param singleWord match only where neither neighbour is a letter, digit or underscore
 * @param lstrip also swallow whitespace just before a match
 * @param rstrip also swallow whitespace just after a match
 * @param normalized whether the match is made on normalized text (kept for the file; this
 *     package has no normalizer that changes text the matching depends on)
 * @param special a control token (BOS, EOS, padding) rather than an ordinary added word
 */
public record AddedToken(
    int id,
    String content,
    boolean singleWord,
    boolean lstrip,
    boolean rstrip,
    boolean normalized,
    boolean special) {

  public AddedToken {
    if (id < 0) {
      throw new IllegalArgumentException("added token id must be >= 0, got " + id);
    }
    if (content == null || content.isEmpty()) {
      throw new IllegalArgumentException(
          "added token " + id + ": content must be a non-empty string, got "
              + (content == null ? "null" : "\"\""));
    }
  }

  /** A special token as tokenizers write them: no stripping, not normalized, special. */
  public static AddedToken special(int id, String content) {
    return new AddedToken(id, content, false, false, false, false, true);
  }
}
