package dev.fathom.llm;

import dev.fathom.io.EnumIds;

/**
 * Which attention a {@link LlamaConfig}'s layers run ({@code attention_type} in config.json;
 * absent means full). The Mistral sliding window is not a type of its own: it is the
 * {@code sliding_window} field on full attention, as in Hugging Face's configs.
 */
public enum AttentionType {
  /** Exact causal softmax attention over every earlier position (the tiled kernel). */
  FULL("full"),
  /**
   * Causal block-sparse attention (BigBird/Longformer style): per block of {@code block_size}
   * queries, its own and the previous blocks ({@code num_local_blocks}), the first
   * {@code num_global_blocks} blocks (global tokens) and {@code num_random_blocks} random earlier ones.
   */
  BLOCK_SPARSE("block_sparse"),
  /** Causal linear attention with the feature map elu + 1 (Katharopoulos et al. 2020), no rotary positions. */
  LINEAR("linear");

  private final String id;

  AttentionType(String id) {
    this.id = id;
  }

  /** The name in config.json and on the command line. */
  public String id() {
    return id;
  }

  /** @throws IllegalArgumentException for an unknown id, listing the known ones */
  public static AttentionType parse(String id) {
    return EnumIds.parse(values(), AttentionType::id, id, "attention_type");
  }
}
