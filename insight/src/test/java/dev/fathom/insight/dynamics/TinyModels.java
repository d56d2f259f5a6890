package dev.fathom.insight.dynamics;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** Small models and inputs shared by the dynamics tests. */
final class TinyModels {
  private TinyModels() {}

  /** in → hidden (tanh-free ReLU MLP) → classes. */
  static Sequential mlp(int in, int hidden, int classes, long seed) {
    Rng rng = new Rng(seed);
    return new Sequential(new Linear(in, hidden, rng), Activation.relu(), new Linear(hidden, classes, rng));
  }

  static Tensor inputs(int n, int d, long seed) {
    return Tensor.randn(new Rng(seed), n, d);
  }

  /** A one-layer Llama over a 12-token vocabulary. */
  static LlamaForCausalLM llama(long seed) {
    return new LlamaForCausalLM(LlamaConfig.llama(12, 16, 32, 1, 2, 2, 32, false), new Rng(seed));
  }

  static int[] tokens(Rng rng, int n, int vocab) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) t[i] = rng.nextInt(vocab);
    return t;
  }
}
