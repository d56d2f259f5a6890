package dev.fathom.llm.generate;

/** Receives each generated token as soon as it is chosen (for streaming text to a terminal). */
@FunctionalInterface
public interface TokenListener {
  /** No-op listener. */
  TokenListener NONE = (sequence, token) -> {};

  /**
   * @param sequence index of the prompt in the list given to {@link Generator#generate}
   * @param token the new token id
   */
  void onToken(int sequence, int token);
}
