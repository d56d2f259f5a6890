package dev.fathom.compress;

import dev.fathom.autograd.Function;
import dev.fathom.autograd.FunctionContext;
import dev.fathom.quant.GroupGrid;
import dev.fathom.tensor.Tensor;

/**
 * Fake quantization of a weight tensor with a clipped straight-through estimator (Bengio et al.
 * 2013, "Estimating or propagating gradients through stochastic neurons"; Jacob et al. 2018,
 * "Quantization and training of neural networks for efficient integer-arithmetic-only inference").
 *
 * <p>Forward: the weight W (out, ...) is viewed as rows of in = numel/out values and every group of
 * the {@link GroupGrid} is rounded to nearest with a step fitted from the group's current values
 * (the same {@link GroupGrid#fit}, {@link GroupGrid#code}, {@link GroupGrid#value} that round to
 * nearest, GPTQ and the packed formats use), so Ŵ = Q(W) is exactly what post-training RTN of W
 * would store.
 *
 * <p>Backward (clipped STE): ∂L/∂W_i = ∂L/∂Ŵ_i where lo ≤ W_i ≤ hi, 0 elsewhere, with [lo, hi] the
 * values of the grid's lowest and highest code in W_i's group; that is the derivative of the
 * non-quantized path clamp(W, lo, hi). The steps are recomputed from W at every forward and
 * treated as constants (no gradient to the scale: not LSQ).
 *
 * <p>Cost: one pass over W per forward (fit, round) and one per backward (mask); the graph holds
 * one byte per weight for the mask.
 */
public final class FakeQuantize extends Function {
  private final GroupGrid grid;

  /** @param grid the grid every group of the weight is rounded onto; steps are fitted at every forward */
  public FakeQuantize(GroupGrid grid) {
    if (grid == null) throw new IllegalArgumentException("FakeQuantize: grid must not be null");
    this.grid = grid;
  }

  /**
   * Checks that a weight of {@code shape} can be fake-quantized on the grid (rows of in = numel/out; a short last group takes any remainder).
   *
   * @throws IllegalArgumentException naming the grid, the group size and the in-features otherwise
   */
  public void checkShape(int[] shape) {
    if (shape.length < 2) {
      throw new IllegalArgumentException(grid + ": expected a weight with at least 2 dimensions (out, in, ...), got " + shape.length);
    }
    int in = 1;
    for (int i = 1; i < shape.length; i++) in *= shape[i];
    grid.checkColumns(in);
  }

  /** @param inputs one weight W (out, ...) @return Ŵ = Q(W), same shape, a new tensor */
  @Override
  protected Tensor forward(FunctionContext ctx, Tensor... inputs) {
    Tensor w = inputs[0];
    checkShape(w.shape());
    int rows = w.size(0), cols = w.numel() / rows, g = grid.groupSize(cols);
    float[] x = w.data(), y = new float[x.length];
    boolean[] inside = new boolean[x.length];
    for (int r = 0; r < rows; r++) {
      for (int c0 = 0; c0 < cols; c0 += g) {
        int at = r * cols + c0, n = Math.min(g, cols - c0);  // a short last group holds the remainder
        GroupGrid.Step st = grid.fit(x, at, n);
        float a = grid.value(grid.minCode(), st), b = grid.value(grid.maxCode(), st);
        float lo = Math.min(a, b), hi = Math.max(a, b);
        for (int i = at; i < at + n; i++) {
          y[i] = grid.round(x[i], st);
          inside[i] = x[i] >= lo && x[i] <= hi;
        }
      }
    }
    ctx.put("inside", inside);
    return Tensor.of(y, w.shape());
  }

  @Override
  protected Tensor[] backward(FunctionContext ctx, Tensor gradOutput) {
    boolean[] inside = ctx.get("inside");
    float[] go = gradOutput.data(), gi = new float[go.length];
    for (int i = 0; i < go.length; i++) gi[i] = inside[i] ? go[i] : 0f;
    return new Tensor[] {Tensor.of(gi, gradOutput.shape())};
  }
}
