package dev.fathom.compress;

import dev.fathom.io.EnumIds;

/**
 * How quantized values are chosen. RTN, GPTQ and AWQ quantize weights only; w8a8, smoothquant and
 * llm-int8 also quantize activations to int8 per token at run time ({@link W8A8Quantizer}).
 */
public enum QuantizationMethod {
  /** Round to nearest on the format's grid, each block/group/row on its own. */
  RTN("rtn", false),
  /** GPTQ (Frantar et al. 2023): column by column with the inverse-Hessian update from calibration activations. */
  GPTQ("gptq", true),
  /** AWQ (Lin et al. 2024): activation-aware per-channel scaling before rounding. */
  AWQ("awq", true),
  /** SmoothQuant (Xiao et al. 2023): migrates activation outliers into the weights, then W8A8. */
  SMOOTHQUANT("smoothquant", true),
  /** Plain W8A8: int8 weights per output channel × int8 activations per token, no migration. */
  W8A8("w8a8", false),
  /** LLM.int8 (Dettmers et al. 2022): W8A8 with the outlier input columns (from calibration) kept in float. */
  LLM_INT8("llm-int8", true);

  private final String id;
  private final boolean needsCalibration;

  QuantizationMethod(String id, boolean needsCalibration) {
    this.id = id;
    this.needsCalibration = needsCalibration;
  }

  public String id() {
    return id;
  }

  /** True when the method needs calibration activations (a text to run through the model). */
  public boolean needsCalibration() {
    return needsCalibration;
  }

  /** True for the W8A8 methods: int8 weights and int8 activations (format int8 only). */
  public boolean quantizesActivations() {
    return this == SMOOTHQUANT || this == W8A8 || this == LLM_INT8;
  }

  /**
   * The method named {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the known ones
   */
  public static QuantizationMethod parse(String name) {
    return EnumIds.parse(values(), QuantizationMethod::id, name, "quantization method");
  }

  @Override
  public String toString() {
    return id;
  }
}
