package dev.fathom.nn;

/** A state dict does not fit a module: missing or unexpected keys, or a tensor of the wrong shape. */
public class StateDictException extends IllegalArgumentException {
  public StateDictException(String message) {
    super(message);
  }
}
