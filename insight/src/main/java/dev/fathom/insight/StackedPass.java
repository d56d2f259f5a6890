package dev.fathom.insight;

import dev.fathom.kernel.Gemm;
import dev.fathom.nn.Activation;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One forward and one backward over a training batch with a validation batch stacked under it,
 * as In-Run Data Shapley computes its dot products (Wang et al., ICLR 2025, §4.2: the validation
 * rows ride along in the training pass). The loss is the training batch's mean loss plus the
 * validation batch's; every layer's input and output gradient then holds both batches, and
 * {@link GhostDot.Capture} windows split them. One pass instead of two saves the validation
 * pass's separate graph, its small kernels and its hand-offs.
 *
 * <p>Training must not notice. The Linear layers run here as {@link F#linearFirstRows}, whose
 * weight and bias gradients sum over the training rows only: the same GEMM call, on the same
 * values, as the plain step's. The forward product and the backward product into the layer input take
 * the stacked rows, which leaves the training rows' bits alone only where {@link Gemm#sameRows}
 * promises it; {@link #supports} checks that for every layer. Row-wise modules (activations)
 * run as they are. So the parameters' gradients are bit for bit the plain step's
 * ({@code InRunShapleyTest}).
 *
 * <p>The model must be a {@link Sequential} of Linear layers and ReLU or identity activations
 * ({@link #supports}); module hooks on the Linear layers do not fire in this pass.
 */
final class StackedPass {
  private StackedPass() {}

  /** The captures of one stacked pass: the training batch's rows and the validation batch's. */
  record Captures(GhostDot.Capture train, GhostDot.Capture valid) {}

  /**
   * Whether {@code model} can take the stacked pass with {@code b} training and {@code v}
   * validation rows of {@code features} inputs: a Sequential whose parameters all sit in its
   * Linear layers, 2-D inputs, and row results of every product independent of the extra rows.
   */
  static boolean supports(Module model, int b, int v, int features) {
    if (!(model instanceof Sequential seq)) return false;
    int params = 0, width = features;
    for (Module m : seq.layers()) {
      if (m instanceof Linear l) {
        if (l.inFeatures != width) return false;
        if (!Gemm.sameRows(b, b + v, l.outFeatures, l.inFeatures) || !Gemm.sameRows(b, b + v, l.inFeatures, l.outFeatures)) return false;
        params += l.bias == null ? 1 : 2;
        width = l.outFeatures;
      } else if (!m.parameters().isEmpty() || !m.namedModules().values().stream().allMatch(StackedPass::rowWise)) {
        return false;
      }
    }
    return params == model.parameters().size();
  }

  /**
   * Modules whose output rows are bitwise the same however many rows they see: ReLU (a max and a
   * mask, exact in any lane) and the identity. Other activations are row-wise too, but their
   * vector kernels may round the last elements (a scalar tail) differently when the length
   * changes, so they take the two-pass path.
   */
  private static boolean rowWise(Module m) {
    return m instanceof Activation a && (a.name().equals("ReLU") || a.name().equals("Identity"));
  }

  /**
   * Runs the pass and leaves in the parameters' grads the gradient of the training batch's mean
   * loss, exactly as {@code F.crossEntropy(model(x_B), y_B).backward()} would.
   *
   * @param x (b + v, features): the training rows, then the validation rows
   * @param y the b + v labels in the same order
   */
  static Captures run(Sequential model, float[] x, int[] y, int b, int v, int features) {
    List<Tensor> inputs = new ArrayList<>(), grads = new ArrayList<>();
    List<Boolean> bias = new ArrayList<>();
    Tensor h = Tensor.of(x, b + v, features);
    for (Module m : model.layers()) {
      if (m instanceof Linear l) {
        int slot = inputs.size();
        inputs.add(h);
        grads.add(null);
        bias.add(l.bias != null);
        h = F.linearFirstRows(h, l.weight, l.bias, b);
        h.registerHook(g -> {
          grads.set(slot, g);
          return null;
        });
      } else {
        h = m.call(h);
      }
    }
    int[] yb = java.util.Arrays.copyOfRange(y, 0, b), yv = java.util.Arrays.copyOfRange(y, b, b + v);
    Tensor lossB = F.crossEntropy(h.narrow(0, 0, b), Tensor.ofInts(yb, b));
    Tensor lossV = F.crossEntropy(h.narrow(0, b, v), Tensor.ofInts(yv, v));
    lossB.add(lossV).backward();
    Tensor[] a = inputs.toArray(Tensor[]::new), g = grads.toArray(Tensor[]::new);
    boolean[] hasBias = new boolean[bias.size()];
    for (int l = 0; l < hasBias.length; l++) {
      hasBias[l] = bias.get(l);
      if (g[l] == null) throw new IllegalStateException("stacked pass: layer " + l + " got no output gradient");
    }
    return new Captures(new GhostDot.Capture(a, g, hasBias, 0, b), new GhostDot.Capture(a, g, hasBias, b, v));
  }
}
