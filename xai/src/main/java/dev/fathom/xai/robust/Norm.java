package dev.fathom.xai.robust;

/** The threat model's norm: the ball ‖δ‖ ≤ ε the adversary's perturbation lives in. */
public enum Norm {
  /** ‖δ‖∞ ≤ ε: every feature moves by at most ε (steps follow the gradient's sign). */
  LINF,
  /** ‖δ‖₂ ≤ ε (steps follow the normalized gradient). */
  L2;

  /** Parses "linf" or "l2". */
  public static Norm parse(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "linf", "inf", "l-inf" -> LINF;
      case "l2" -> L2;
      default -> throw new IllegalArgumentException("norm must be linf or l2, got '" + s + "'");
    };
  }
}
