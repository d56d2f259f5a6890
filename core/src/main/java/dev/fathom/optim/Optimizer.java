package dev.fathom.optim;

import dev.fathom.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers: a fixed list of parameters, per-parameter state, a learning rate that
 * schedules may change between steps, and a state dict for resuming (tensor names follow
 * PyTorch's {@code optimizer.state_dict()}: {@code state.<i>.<name>}).
 */
public abstract class Optimizer {
  protected final List<Tensor> params;
  protected double lr;

  protected Optimizer(List<Tensor> params, double lr) {
    if (params.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
    for (Tensor p : params) {
      if (!p.requiresGrad()) throw new IllegalArgumentException("optimizer parameter " + p + " does not require grad");
    }
    this.params = List.copyOf(params);
    this.lr = lr;
  }

  /** Applies one update to every parameter that has a gradient. */
  public abstract void step();

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    for (Tensor p : params) p.setGrad(null);
  }

  public double lr() {
    return lr;
  }

  /** Sets the learning rate for the next steps (used by schedules). */
  public void setLr(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    this.lr = lr;
  }

  public List<Tensor> params() {
    return params;
  }

  /** Per-parameter state tensors by name, for checkpoints. */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    saveState(out);
    return out;
  }

  /** Restores state written by {@link #stateDict()}; unknown or mis-shaped entries throw. */
  public void loadStateDict(Map<String, Tensor> state) {
    loadState(state);
  }

  protected abstract void saveState(Map<String, Tensor> out);

  protected abstract void loadState(Map<String, Tensor> in);

  /** Copies a saved tensor into a state array, checking the length. */
  protected static void restore(Map<String, Tensor> in, String key, float[] dst) {
    Tensor t = in.get(key);
    if (t == null) throw new IllegalArgumentException("optimizer state: missing '" + key + "'; present: " + in.keySet());
    if (t.numel() != dst.length) {
      throw new IllegalArgumentException("optimizer state: '" + key + "' has " + t.numel() + " values, parameter has " + dst.length);
    }
    System.arraycopy(t.toFloatArray(), 0, dst, 0, dst.length);
  }
}
