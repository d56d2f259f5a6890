package dev.fathom.compress;

import dev.fathom.io.EnumIds;

/**
 * How structured pruning scores a unit (lowest goes first).
 *
 * <ul>
 *   <li>{@link #ACTIVATION} (neurons, heads; needs calibration): the size of what the unit adds to
 *       the residual stream on calibration data, a structured Wanda (Sun et al. 2024). Neuron j:
 *       ‖W_down[:, j]‖₂·‖h_j‖₂ with h = silu(W_gate x)·(W_up x) over all calibration tokens. Head h:
 *       (Σ_t ‖W_o[:, h]·y_h(t)‖₂²)^½, the norm of the head's slice through o_proj, computed as
 *       tr(W_hᵀW_h·Σ_t y_h y_hᵀ) from a (Dh, Dh) Gram matrix per head.
 *   <li>{@link #WEIGHT} (neurons, heads; no data): the product of the norms of the unit's weights.
 *       Neuron j: ‖W_gate[j, :]‖₂·‖W_up[j, :]‖₂·‖W_down[:, j]‖₂; head h: ‖W_v[h]‖_F·‖W_o[:, h]‖_F.
 *   <li>{@link #L1} (channels): the L1 norm of each conv filter Σ|W[c, :, :, :]| (Li et al. 2017,
 *       "Pruning Filters for Efficient ConvNets").
 *   <li>{@link #BN} (channels): |γ_c| of the batch norm after the conv (Liu et al. 2017, "Learning
 *       Efficient Convolutional Networks through Network Slimming"); the filter's own scale is
 *       normalised away by that batch norm, γ is what reaches the next layer.
 * </ul>
 */
public enum UnitScore {
  ACTIVATION("activation", true),
  WEIGHT("weight", true),
  L1("l1", false),
  BN("bn", false);

  private final String id;
  private final boolean forLanguageModels;

  UnitScore(String id, boolean forLanguageModels) {
    this.id = id;
    this.forLanguageModels = forLanguageModels;
  }

  public String id() {
    return id;
  }

  /** Whether the score applies to neurons and heads (else to conv channels). */
  public boolean forLanguageModels() {
    return forLanguageModels;
  }

  /** The default score of a method: activation for neurons and heads, bn for channels (it measured better than l1 on the Fashion-MNIST CNN). */
  public static UnitScore defaultFor(StructuredMethod m) {
    return m.forLanguageModels() ? ACTIVATION : BN;
  }

  /**
   * @throws IllegalArgumentException for an unknown name; the message lists the known ones
   */
  public static UnitScore parse(String name) {
    return EnumIds.parse(values(), UnitScore::id, name, "score");
  }

  @Override
  public String toString() {
    return id;
  }
}
