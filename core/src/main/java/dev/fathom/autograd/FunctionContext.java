package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

/** What a {@link Function}'s forward saves for its backward (like PyTorch's {@code ctx}). */
public final class FunctionContext {
  private Tensor[] saved = new Tensor[0];
  private final Map<String, Object> values = new HashMap<>();
  private boolean[] needsInputGrad = new boolean[0];

  /** Saves tensors for the backward pass. */
  public void saveForBackward(Tensor... tensors) {
    this.saved = tensors.clone();
  }

  /** The tensors saved by {@link #saveForBackward}. */
  public Tensor[] savedTensors() {
    return saved.clone();
  }

  /** Stores a non-tensor value (a shape, a flag) for the backward pass. */
  public void put(String key, Object value) {
    values.put(key, value);
  }

  /** A value stored with {@link #put}. */
  @SuppressWarnings("unchecked")
  public <T> T get(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalStateException("FunctionContext: no value '" + key + "' was stored; stored: " + values.keySet());
    }
    return (T) values.get(key);
  }

  /** Whether input {@code i} requires a gradient (backward may skip the others). */
  public boolean needsInputGrad(int i) {
    return i < needsInputGrad.length && needsInputGrad[i];
  }

  void setNeedsInputGrad(boolean[] flags) {
    this.needsInputGrad = flags;
  }
}
