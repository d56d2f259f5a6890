package dev.fathom.llm.generate;

/**
 * The output of one prompt under speculative decoding.
 *
 * @param generation the tokens and why they stopped
 * @param stats what the drafting and verification did
 */
public record SpeculativeGeneration(Generation generation, SpeculativeStats stats) {
  public SpeculativeGeneration {
    if (generation == null || stats == null) throw new IllegalArgumentException("SpeculativeGeneration: generation and stats are required");
  }
}
