package dev.fathom.llm.generate;

/**
 * The output of one prompt.
 *
 * @param tokens the generated ids (without the prompt; a stop token is included)
 * @param reason why generation stopped
 */
public record Generation(int[] tokens, StopReason reason) {
  public Generation {
    if (tokens == null || reason == null) throw new IllegalArgumentException("Generation: tokens and reason are required");
  }
}
