package dev.fathom.nn;

import dev.fathom.tensor.Tensor;
import java.util.function.UnaryOperator;

/** Parameter-free layers: {@code Activation.relu()}, {@code gelu()}, {@code silu()}, {@code tanh()}, {@code sigmoid()}, {@code flatten()}, {@code identity()}. */
public final class Activation extends Module {
  private final String name;
  private final UnaryOperator<Tensor> fn;

  private Activation(String name, UnaryOperator<Tensor> fn) {
    this.name = name;
    this.fn = fn;
  }

  public static Activation relu() { return new Activation("ReLU", Tensor::relu); }
  public static Activation gelu() { return new Activation("GELU", Tensor::gelu); }
  public static Activation silu() { return new Activation("SiLU", Tensor::silu); }
  public static Activation tanh() { return new Activation("Tanh", Tensor::tanh); }
  public static Activation sigmoid() { return new Activation("Sigmoid", Tensor::sigmoid); }
  /** Flattens all dims after the batch dim: (N, ...) → (N, prod(...)). */
  public static Activation flatten() { return new Activation("Flatten", x -> x.flatten(1, -1)); }
  public static Activation identity() { return new Activation("Identity", x -> x); }
  public static Activation softmax(int dim) { return new Activation("Softmax", x -> x.softmax(dim)); }

  @Override
  public Tensor forward(Tensor x) {
    return fn.apply(x);
  }

  /** The activation's name as PyTorch's module would print it: "ReLU", "GELU", "Tanh", .... */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name + "()";
  }
}
