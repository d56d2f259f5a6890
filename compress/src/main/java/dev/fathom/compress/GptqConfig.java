package dev.fathom.compress;

/**
 * GPTQ's settings (names as in the reference implementation).
 *
 * @param blockSize columns per lazy update block (128)
 * @param dampening λ = dampening·mean(diag H) added to the diagonal of H (0.01, "percdamp")
 */
public record GptqConfig(int blockSize, double dampening) {
  public GptqConfig {
    if (blockSize < 1) throw new IllegalArgumentException("GPTQ blockSize: expected >= 1, got " + blockSize);
    if (!(dampening >= 0 && dampening < 1e6)) throw new IllegalArgumentException("GPTQ dampening: expected a finite value >= 0, got " + dampening);
  }

  /** The papers' defaults: blocks of 128 columns, λ = 0.01·mean(diag H). */
  public static GptqConfig defaults() {
    return new GptqConfig(128, 0.01);
  }
}
