package dev.fathom.compress;

import dev.fathom.nn.Conv2d;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.quant.GroupGrid;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Quantization-aware training (QAT) of a model's {@link Linear} and {@link Conv2d} weights: while
 * attached, every forward of a selected layer uses Q(W) through {@link FakeQuantize} (clipped
 * straight-through estimator), so the loss is the quantized model's and the float master weights W
 * receive its gradients. Any training loop works unchanged: it sees the same parameters.
 *
 * <p>At the end, {@link #close} detaches the layers and {@link #export} (or, for a Llama model,
 * {@link PostTrainingQuantizer} with round to nearest, the same path as PTQ) rounds W onto the grid:
 * with the steps fitted from the same W, the exported values are exactly the fake-quantized
 * forward's, so QAT's and PTQ's models are measured by one evaluation.
 *
 * <pre>{@code
 * try (QuantAwareTraining qat = QuantAwareTraining.attach(model, GroupGrid.parse("int3g16"), PostTrainingQuantizer.PROJECTIONS.asMatchPredicate())) {
 *   trainer.run(out);              // forwards see Q(W), the optimizer updates W
 * }
 * PostTrainingQuantizer.round(model, QuantizationMethod.RTN, grid, null);   // Ŵ, as the last forward saw it
 * }</pre>
 */
public final class QuantAwareTraining implements AutoCloseable {
  /*
   * How the layer is redirected: a forward hook replaces the layer's output with
   * F.linear(x, Q(W), b) (F.conv2d for a convolution). The layer's own forward with the float W
   * still runs first and its result is dropped: one extra forward GEMM per selected layer and step
   * (about a third more GEMM work in training), the price of needing no change to Linear, Conv2d
   * or the models. The discarded output is not reachable from the loss, so backward does not visit it.
   */
  private final GroupGrid grid;
  private final Map<String, Module> layers;
  private final List<Runnable> removers = new ArrayList<>();

  private QuantAwareTraining(GroupGrid grid, Map<String, Module> layers) {
    this.grid = grid;
    this.layers = layers;
  }

  /**
   * Fake-quantizes the weights of every {@link Linear} and {@link Conv2d} of {@code model} whose
   * weight's dotted name ({@code "model.layers.0.mlp.down_proj.weight"}) {@code selected} accepts.
   *
   * @throws IllegalArgumentException when no layer is selected, or a selected weight's
   *     in-features (in·kh·kw/groups for a convolution) do not split into the grid's groups; the
   *     message names the weight
   */
  public static QuantAwareTraining attach(Module model, GroupGrid grid, Predicate<String> selected) {
    Map<String, Module> chosen = select(model, grid, selected);
    QuantAwareTraining qat = new QuantAwareTraining(grid, chosen);
    FakeQuantize fq = new FakeQuantize(grid);
    for (Module m : chosen.values()) {
      if (m instanceof Linear lin) {
        qat.removers.add(lin.registerForwardHook((mod, x, y) -> F.linear(x, fq.apply(lin.weight), lin.bias)));
      } else if (m instanceof Conv2d c) {
        qat.removers.add(c.registerForwardHook((mod, x, y) -> F.conv2d(x, fq.apply(c.weight), c.bias, c.stride, c.padding, c.dilation, c.groups)));
      }
    }
    return qat;
  }

  /**
   * The selected layers by weight name, in module order.
   *
   * @throws IllegalArgumentException as {@link #attach}
   */
  static Map<String, Module> select(Module model, GroupGrid grid, Predicate<String> selected) {
    if (grid == null) throw new IllegalArgumentException("QAT: grid must not be null");
    FakeQuantize fq = new FakeQuantize(grid);
    Map<String, Module> chosen = new LinkedHashMap<>();
    for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
      Tensor w = weightOf(e.getValue());
      String name = e.getKey().isEmpty() ? "weight" : e.getKey() + ".weight";
      if (w == null || !selected.test(name)) continue;
      try {
        fq.checkShape(w.shape());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(name + ": " + ex.getMessage(), ex);
      }
      chosen.put(name, e.getValue());
    }
    if (chosen.isEmpty()) throw new IllegalArgumentException("QAT: no Linear or Conv2d weight of the model was selected");
    return chosen;
  }

  private static Tensor weightOf(Module m) {
    return m instanceof Linear l ? l.weight : m instanceof Conv2d c ? c.weight : null;
  }

  /** The grid the weights are rounded onto. */
  public GroupGrid grid() {
    return grid;
  }

  /** The names of the fake-quantized weights, in module order. */
  public List<String> weightNames() {
    return List.copyOf(layers.keySet());
  }

  /**
   * Rounds every selected weight of the model onto the grid in place: round to nearest with steps
   * fitted from the current W, as the fake-quantized forward fits them, so the values are exactly
   * that forward's.
   *
   * @return the rounded weights by name
   */
  public Map<String, GridWeights> export() {
    Map<String, GridWeights> out = new LinkedHashMap<>();
    for (Map.Entry<String, Module> e : layers.entrySet()) {
      Tensor w = weightOf(e.getValue());
      int rows = w.size(0), cols = w.numel() / rows;
      GridWeights g = GridWeights.roundToNearest(grid, w.data(), rows, cols);
      System.arraycopy(g.values(), 0, w.data(), 0, g.values().length);
      out.put(e.getKey(), g);
    }
    return out;
  }

  /** Detaches the hooks: the layers compute with their own weights again. Idempotent. */
  @Override
  public void close() {
    removers.forEach(Runnable::run);
    removers.clear();
  }
}
