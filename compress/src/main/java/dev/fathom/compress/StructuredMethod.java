package dev.fathom.compress;

import dev.fathom.io.EnumIds;
import java.util.Optional;

/**
 * Structured pruning: whole units go, and the matrices they lived in physically shrink, so dense
 * kernels run on smaller shapes (unlike {@link PruningMethod}, which leaves zeros in place).
 */
public enum StructuredMethod {
  /** MLP neurons of a Llama layer: rows of gate_proj and up_proj, columns of down_proj; intermediate_size shrinks. */
  NEURONS("neurons", "MLP neurons"),
  /** Attention heads of a Llama layer: rows of q/k/v_proj, columns of o_proj; num_attention_heads shrinks. */
  HEADS("heads", "attention heads"),
  /** Output channels of each conv of a CNN classifier (and its batch-norm entries, and the next layer's inputs). */
  CHANNELS("channels", "conv channels");

  private final String id;
  private final String units;

  StructuredMethod(String id, String units) {
    this.id = id;
    this.units = units;
  }

  public String id() {
    return id;
  }

  /** What the method removes, in words ("attention heads"). */
  public String units() {
    return units;
  }

  /** Whether the method applies to a Llama language model (else to a CNN classifier). */
  public boolean forLanguageModels() {
    return this != CHANNELS;
  }

  /** The method named {@code name} (case-insensitive), or empty. */
  public static Optional<StructuredMethod> find(String name) {
    return EnumIds.find(values(), StructuredMethod::id, name);
  }

  /** The known names, comma separated. */
  public static String names() {
    return EnumIds.names(values(), StructuredMethod::id);
  }

  @Override
  public String toString() {
    return id;
  }
}
