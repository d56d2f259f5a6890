package dev.fathom.xai;

import dev.fathom.tensor.Tensor;

/** Which output of a classifier an attribution explains. */
public enum Output {
  /** The raw class score (the model's own output). */
  LOGIT,
  /** softmax(logits): the class probability. */
  PROBABILITY,
  /** log softmax(logits). */
  LOG_PROBABILITY;

  /** Applies this output to logits (B, K); differentiable. */
  public Tensor apply(Tensor logits) {
    return switch (this) {
      case LOGIT -> logits;
      case PROBABILITY -> logits.softmax(1);
      case LOG_PROBABILITY -> logits.logSoftmax(1);
    };
  }

  /** Parses "logit", "probability" or "log-probability". */
  public static Output parse(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "logit" -> LOGIT;
      case "probability", "prob" -> PROBABILITY;
      case "log-probability", "logprob" -> LOG_PROBABILITY;
      default -> throw new IllegalArgumentException("output must be logit, probability or log-probability, got '" + s + "'");
    };
  }
}
