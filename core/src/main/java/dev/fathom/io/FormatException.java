package dev.fathom.io;

import java.io.IOException;

/**
 * A file or stream does not have the format its reader expects: truncated, corrupted or hostile
 * input. The message states what was expected, what came, and where.
 */
public class FormatException extends IOException {
  public FormatException(String message) {
    super(message);
  }

  public FormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
