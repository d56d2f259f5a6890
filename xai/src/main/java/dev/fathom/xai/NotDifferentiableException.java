package dev.fathom.xai;

/**
 * Thrown when a gradient method meets a model whose output does not depend differentiably on
 * its input (it ends in argmax or thresholding, detaches its input, or runs outside autograd).
 * Model-agnostic methods (occlusion, KernelSHAP, LIME) still work on such a model.
 */
public final class NotDifferentiableException extends IllegalArgumentException {
  public NotDifferentiableException(String message) {
    super(message);
  }
}
