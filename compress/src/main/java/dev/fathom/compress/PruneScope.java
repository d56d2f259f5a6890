package dev.fathom.compress;

import dev.fathom.io.EnumIds;

/**
 * Which weights compete for removal (Wanda's "comparison group", Sun et al. 2024, section 5): the
 * whole matrix, each output row, or all decoder projections together. Each method has its own
 * default (magnitude: layer, as the Wanda paper's magnitude baseline; Wanda: row, the paper's
 * choice for LLMs); SparseGPT chooses its masks per block of columns and takes only layer.
 */
public enum PruneScope {
  /** The lowest share p of each matrix. */
  LAYER("layer"),
  /** The lowest share p of each output row (each row keeps the same number of weights). */
  ROW("row"),
  /** One threshold over all decoder projections together (magnitude only). */
  GLOBAL("global");

  private final String id;

  PruneScope(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** The method's own comparison group. */
  public static PruneScope defaultFor(PruningMethod method) {
    return method == PruningMethod.WANDA ? ROW : LAYER;
  }

  /**
   * @throws IllegalArgumentException for an unknown name; the message lists the known ones
   */
  public static PruneScope parse(String name) {
    return EnumIds.parse(values(), PruneScope::id, name, "scope");
  }

  @Override
  public String toString() {
    return id;
  }
}
