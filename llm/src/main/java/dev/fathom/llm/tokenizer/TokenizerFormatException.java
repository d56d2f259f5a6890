package dev.fathom.llm.tokenizer;

import dev.fathom.io.FormatException;

/**
 * A {@code tokenizer.json} that cannot be read: malformed or truncated JSON, an unsupported model
 * or component, or a vocabulary that contradicts itself. The message says what was expected, what
 * came, and in which file.
 */
public class TokenizerFormatException extends FormatException {
  public TokenizerFormatException(String message) {
    super(message);
  }

  public TokenizerFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
