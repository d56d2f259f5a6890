package dev.fathom.llm;

import dev.fathom.nn.Init;
import dev.fathom.nn.Linear;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** Hugging Face's Llama initialisation: weights from N(0, initializer_range²), biases zero. */
final class LlamaInit {
  private LlamaInit() {}

  static Linear linear(int in, int out, boolean bias, LlamaConfig c, Rng rng) {
    Linear l = new Linear(in, out, bias, rng);
    normal(l.weight, c.initializerRange(), rng);
    if (l.bias != null) java.util.Arrays.fill(l.bias.data(), 0f);
    return l;
  }

  static void normal(Tensor w, double std, Rng rng) {
    Init.normal(w, 0, std, rng);
  }
}
