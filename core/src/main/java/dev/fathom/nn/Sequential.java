package dev.fathom.nn;

import dev.fathom.tensor.Tensor;
import java.util.List;

/** Modules applied in order; children are named "0", "1", ... as in PyTorch. */
public class Sequential extends Module {
  private final Module[] layers;

  public Sequential(Module... layers) {
    this.layers = layers.clone();
    for (int i = 0; i < layers.length; i++) child(Integer.toString(i), layers[i]);
  }

  /** The i-th layer. */
  public Module get(int i) {
    return layers[i];
  }

  public int size() {
    return layers.length;
  }

  public List<Module> layers() {
    return List.of(layers);
  }

  @Override
  public Tensor forward(Tensor x) {
    for (Module m : layers) x = m.call(x);
    return x;
  }
}
