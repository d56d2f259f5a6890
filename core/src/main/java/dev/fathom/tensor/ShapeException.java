package dev.fathom.tensor;

/** An operation got tensors whose shapes do not fit; the message shows the shapes involved. */
public class ShapeException extends IllegalArgumentException {
  public ShapeException(String message) {
    super(message);
  }
}
