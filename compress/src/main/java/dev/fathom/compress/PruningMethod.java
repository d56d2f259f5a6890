package dev.fathom.compress;

import dev.fathom.io.EnumIds;

/** How weights are chosen for removal. */
public enum PruningMethod {
  /** Smallest |W_ij| (per matrix, or over all projections with global scope); no calibration. */
  MAGNITUDE("magnitude", false),
  /** Wanda (Sun et al. 2024): smallest |W_ij|·‖X_j‖₂ in each output row; no weight update. */
  WANDA("wanda", true),
  /** SparseGPT (Frantar &amp; Alistarh 2023): masks per block of 128 columns by w²/[H⁻¹]_jj², with the OBS update of the rest. */
  SPARSEGPT("sparsegpt", true);

  private final String id;
  private final boolean needsCalibration;

  PruningMethod(String id, boolean needsCalibration) {
    this.id = id;
    this.needsCalibration = needsCalibration;
  }

  public String id() {
    return id;
  }

  public boolean needsCalibration() {
    return needsCalibration;
  }

  /**
   * @throws IllegalArgumentException for an unknown name; the message lists the known ones
   */
  public static PruningMethod parse(String name) {
    return EnumIds.parse(values(), PruningMethod::id, name, "pruning method");
  }

  @Override
  public String toString() {
    return id;
  }
}
