package dev.fathom.autograd;

import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The define-by-run graph: recording operations and running the backward pass.
 *
 * <p>Every differentiable operation computes its output, then calls {@link #record} with its
 * derivative rule; nothing is recorded when recording is disabled ({@link Grad}) or when no
 * input requires a gradient. {@link #backward} walks the graph once in reverse topological
 * order, summing the gradients that reach each tensor, calling tensor hooks, and accumulating
 * into {@code grad} of the leaves (tensors that require grad and have no {@code gradFn}).
 */
public final class Autograd {
  private Autograd() {}

  /**
   * Records {@code out} as the result of an operation on {@code inputs} with derivative rule
   * {@code fn}, when recording is enabled and some input requires grad.
   *
   * @return {@code out} (or a detached copy of the reference when it is itself one of the graph's tensors)
   */
  public static Tensor record(String name, Tensor out, BackwardFn fn, Tensor... inputs) {
    if (!Grad.isEnabled()) return out;
    boolean any = false;
    for (Tensor t : inputs) {
      if (t != null && t.requiresGrad()) {
        any = true;
        break;
      }
    }
    if (!any) return out;
    Tensor result = out;
    if (out.gradFn() != null || out.requiresGrad()) result = out.detach();
    result.attachGradFn(new Node(name, inputs.clone(), fn));
    return result;
  }

  /**
   * Backpropagates from {@code root}: accumulates d(root·seed)/d(leaf) into every leaf's grad.
   *
   * @param seed gradient of the final objective w.r.t. root; {@code null} means 1 for a scalar
   * @throws IllegalStateException if root does not require grad, or is not a scalar and no seed
   */
  public static void backward(Tensor root, Tensor seed) {
    run(root, seed, null);
  }

  /**
   * Gradients of {@code output} w.r.t. {@code inputs} (like {@code torch.autograd.grad}), without
   * touching any tensor's {@code grad}. An input the output does not depend on gets zeros.
   */
  public static Tensor[] grad(Tensor output, Tensor seed, Tensor... inputs) {
    Map<Tensor, Tensor> wanted = new IdentityHashMap<>();
    for (Tensor t : inputs) wanted.put(t, null);
    run(output, seed, wanted);
    Tensor[] out = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor g = wanted.get(inputs[i]);
      out[i] = g != null ? g : Tensor.zeros(inputs[i].shape());
    }
    return out;
  }

  private static void run(Tensor root, Tensor seed, Map<Tensor, Tensor> capture) {
    if (!root.requiresGrad()) {
      throw new IllegalStateException(
          "backward: the tensor does not require grad and has no gradFn (was it computed under Grad.disabled(), or from inputs without requiresGrad?)");
    }
    if (seed == null) {
      if (root.numel() != 1) {
        throw new IllegalStateException("backward: a seed gradient is needed for a non-scalar output of shape "
            + Shape.str(root.shape()));
      }
      seed = Tensor.full(root.shape(), 1f);
    } else if (!Arrays.equals(seed.shape(), root.shape())) {
      throw new IllegalArgumentException("backward: seed shape " + Shape.str(seed.shape())
          + " does not match output shape " + Shape.str(root.shape()));
    }
    List<Tensor> order = topologicalOrder(root);
    Map<Tensor, Tensor> grads = new IdentityHashMap<>();
    grads.put(root, seed);
    try (var g = Grad.disabled()) {
      for (int idx = order.size() - 1; idx >= 0; idx--) {
        Tensor t = order.get(idx);
        Tensor grad = grads.remove(t);
        if (grad == null) continue;
        for (UnaryOperator<Tensor> hook : t.hooks()) {
          Tensor replaced = hook.apply(grad);
          if (replaced != null) grad = replaced;
        }
        if (capture != null && capture.containsKey(t)) capture.put(t, grad);
        Node node = t.gradFn();
        if (node == null) {
          if (capture == null) t.accumulateGrad(grad);
          continue;
        }
        if (capture == null && t.retainsGrad()) t.accumulateGrad(grad);
        Tensor[] inputs = node.inputArray();
        Tensor[] inGrads = node.fn.apply(grad);
        if (inGrads.length != inputs.length) {
          throw new IllegalStateException(node.name() + " backward returned " + inGrads.length
              + " gradients for " + inputs.length + " inputs");
        }
        for (int i = 0; i < inputs.length; i++) {
          Tensor in = inputs[i];
          Tensor gi = inGrads[i];
          if (in == null || gi == null || !in.requiresGrad()) continue;
          if (!Arrays.equals(gi.shape(), in.shape())) {
            throw new IllegalStateException(node.name() + " backward: gradient for input " + i + " has shape "
                + Shape.str(gi.shape()) + " but the input has shape " + Shape.str(in.shape()));
          }
          grads.merge(in, gi, Tensor::add);
        }
      }
    }
  }

  /** Tensors reachable from root through gradFn edges, inputs before the tensors that use them. */
  private static List<Tensor> topologicalOrder(Tensor root) {
    List<Tensor> order = new ArrayList<>();
    Map<Tensor, Boolean> visited = new IdentityHashMap<>();
    ArrayDeque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {root, 0});
    visited.put(root, Boolean.TRUE);
    while (!stack.isEmpty()) {
      Object[] frame = stack.peek();
      Tensor t = (Tensor) frame[0];
      int next = (Integer) frame[1];
      Node node = t.gradFn();
      Tensor[] inputs = node == null ? new Tensor[0] : node.inputArray();
      while (next < inputs.length
          && (inputs[next] == null || !inputs[next].requiresGrad() || visited.containsKey(inputs[next]))) {
        next++;
      }
      if (next < inputs.length) {
        frame[1] = next + 1;
        visited.put(inputs[next], Boolean.TRUE);
        stack.push(new Object[] {inputs[next], 0});
      } else {
        stack.pop();
        order.add(t);
      }
    }
    return order;
  }
}
