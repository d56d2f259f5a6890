package dev.fathom.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Reads the golden files of tools/golden/make_llama_golden.py from the test resources. */
final class LlamaGolden {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LlamaGolden() {}

  static Path dir(String name) {
    try {
      var url = LlamaGolden.class.getResource("/golden/llama/" + name);
      if (url == null) throw new IllegalStateException("golden resource /golden/llama/" + name + " is not on the test classpath");
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode read(Path file) throws IOException {
    return JSON.readTree(file.toFile()).get("cases");
  }

  static Tensor ids(JsonNode rows) {
    int b = rows.size(), t = rows.get(0).size();
    long[] v = new long[b * t];
    for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) v[i * t + j] = rows.get(i).get(j).asLong();
    return Tensor.ofLongs(v, b, t);
  }

  static float[] floats(JsonNode arr) {
    float[] v = new float[arr.size()];
    for (int i = 0; i < v.length; i++) v[i] = (float) arr.get(i).asDouble();
    return v;
  }

  static int[] ints(JsonNode arr) {
    int[] v = new int[arr.size()];
    for (int i = 0; i < v.length; i++) v[i] = arr.get(i).asInt();
    return v;
  }

  /** max |a − b| / max |b|: the error relative to the logit scale. */
  static double relativeError(float[] a, float[] b) {
    double diff = 0, scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / scale;
  }

  /** Greedy continuation by recomputing the whole sequence each step (no cache): the plain reference. */
  static int[] greedy(LlamaForCausalLM m, int[] prompt, int n) {
    int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + n);
    try (var g = Grad.disabled()) {
      for (int s = 0; s < n; s++) {
        int len = prompt.length + s;
        long[] ids = new long[len];
        for (int i = 0; i < len; i++) ids[i] = seq[i];
        Tensor logits = m.forward(Tensor.ofLongs(ids, 1, len));
        int v = logits.size(2);
        float[] d = logits.data();
        int best = 0;
        for (int j = 1; j < v; j++) if (d[(len - 1) * v + j] > d[(len - 1) * v + best]) best = j;
        seq[len] = best;
      }
    }
    return java.util.Arrays.copyOfRange(seq, prompt.length, seq.length);
  }
}
