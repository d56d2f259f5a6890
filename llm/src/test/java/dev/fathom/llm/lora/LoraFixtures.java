package dev.fathom.llm.lora;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.Init;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Small models, inputs and golden paths shared by the LoRA tests. */
final class LoraFixtures {
  private LoraFixtures() {}

  /** vocab 64, hidden 32, 2 layers, 4 heads over 2 kv heads, untied head. */
  static LlamaConfig tinyConfig() {
    return LlamaConfig.llama(64, 32, 72, 2, 4, 2, 64, false);
  }

  static LlamaForCausalLM tinyModel(long seed) {
    LlamaForCausalLM m = new LlamaForCausalLM(tinyConfig(), new Rng(seed));
    m.eval();
    return m;
  }

  static Tensor ids(long seed, int b, int t, int vocab) {
    return Tensor.randint(new Rng(seed), 0, vocab, b, t);
  }

  static Tensor logits(LlamaForCausalLM m, Tensor ids) {
    try (var g = Grad.disabled()) {
      return m.forward(ids);
    }
  }

  /** Gives every adapter non-zero B (and fresh A) so it changes the output. */
  static void randomizeAdapters(LlamaForCausalLM m, long seed) {
    Rng rng = new Rng(seed);
    for (LoraLayer l : Lora.layers(m).values()) {
      Init.normal(l.loraA().weight, 0, 0.3, rng);
      Init.normal(l.loraB().weight, 0, 0.3, rng);
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    return d;
  }

  /** max |a − b| / max |b|. */
  static double relativeError(float[] a, float[] b) {
    double scale = 0;
    for (float v : b) scale = Math.max(scale, Math.abs(v));
    return maxAbsDiff(a, b) / scale;
  }

  static Path resource(String path) {
    try {
      var url = LoraFixtures.class.getResource(path);
      if (url == null) throw new IllegalStateException("test resource " + path + " is not on the classpath");
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
