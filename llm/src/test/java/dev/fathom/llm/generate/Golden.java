package dev.fathom.llm.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.autograd.Grad;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;

/** The PyTorch-reference checkpoints of tools/golden/make_llama_golden.py, and the full-forward reference. */
final class Golden {
  static final String[] CASES = {"llama_gqa_rope3", "qwen2_bias_tied", "mistral_window", "llama_bias_linear"};

  private Golden() {}

  static Path dir(String name) {
    try {
      return Path.of(Golden.class.getResource("/golden/llama/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static LlamaForCausalLM model(String name) throws IOException {
    return HfCheckpoint.load(dir(name));
  }

  static JsonNode main(String name) throws IOException {
    return new ObjectMapper().readTree(dir(name).resolve("expected.json").toFile()).get("cases").get("main");
  }

  static int[] ints(JsonNode arr) {
    int[] v = new int[arr.size()];
    for (int i = 0; i < v.length; i++) v[i] = arr.get(i).asInt();
    return v;
  }

  /** Last-position logits of the training forward over the whole sequence. */
  static float[] forwardLast(LlamaForCausalLM m, int[] seq) {
    long[] ids = new long[seq.length];
    for (int i = 0; i < seq.length; i++) ids[i] = seq[i];
    try (var g = Grad.disabled()) {
      float[] all = m.forward(Tensor.ofLongs(ids, 1, seq.length)).data();
      int v = m.config().vocabSize();
      return Arrays.copyOfRange(all, (seq.length - 1) * v, seq.length * v);
    }
  }

  /** max |a − b| / max |b|. */
  static double relativeError(float[] a, int aOff, float[] b) {
    double diff = 0, scale = 0;
    for (int i = 0; i < b.length; i++) {
      diff = Math.max(diff, Math.abs(a[aOff + i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / scale;
  }

  static int argmax(float[] a, int off, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) if (a[off + j] > a[off + best]) best = j;
    return best;
  }
}
