package dev.fathom.llm;

import java.util.List;

/**
 * Named model sizes for training from scratch. With a byte tokenizer (vocab 256): {@code tiny}
 * ≈ 0.9 M parameters (dim 128, 4 layers), {@code small} ≈ 3.3 M (dim 256, 4 layers, FFN 688) and
 * {@code base} ≈ 25 M (dim 512, 8 layers, FFN 1376); a larger vocabulary adds 2·vocab·dim.
 * Context 256 tokens, untied embeddings, no biases, rope_theta 10000.
 */
public final class LlamaPresets {
  public static final List<String> NAMES = List.of("tiny", "small", "base");

  private LlamaPresets() {}

  public static LlamaConfig of(String name, int vocabSize) {
    return switch (name) {
      case "tiny" -> LlamaConfig.llama(vocabSize, 128, 384, 4, 4, 4, 256, false);
      case "small" -> LlamaConfig.llama(vocabSize, 256, 688, 4, 4, 4, 256, false);
      case "base" -> LlamaConfig.llama(vocabSize, 512, 1376, 8, 8, 8, 256, false);
      default -> throw new IllegalArgumentException("preset: expected one of " + NAMES + ", got \"" + name + "\"");
    };
  }
}
