package dev.fathom.llm;

import dev.fathom.io.StDType;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the Fathom-side golden checkpoints (seeded, so byte-identical on every run) that
 * {@code tools/golden/make_llama_golden.py --fathom-dir DIR} feeds to the PyTorch reference.
 *
 * <pre>java -cp ... dev.fathom.llm.WriteGoldenCheckpoints /tmp/fathom-llama</pre>
 */
public final class WriteGoldenCheckpoints {
  private WriteGoldenCheckpoints() {}

  record Case(LlamaConfig config, HfCheckpoint.SaveOptions options, long seed) {}

  static Map<String, Case> cases() {
    Map<String, Case> m = new LinkedHashMap<>();
    m.put("fathom_gqa_rope3_tied", new Case(new LlamaConfig(null, "llama", 97, 32, 72, 2, 4, 2, null, null, 64, 1e-5, 500000.0,
        RopeScaling.llama3(8, 1, 4, 16), false, false, null, null, true, null, null, null, null, null, null, null, null, null, null),
        HfCheckpoint.SaveOptions.f32(), 11));
    m.put("fathom_qwen2_bias_sharded", new Case(new LlamaConfig(null, "qwen2", 97, 32, 72, 2, 4, 1, null, null, 64, 1e-6, 1e6,
        null, null, null, null, null, false, null, null, null, null, null, null, null, null, null, null),
        new HfCheckpoint.SaveOptions(StDType.BF16, 20_000), 12));
    m.put("fathom_mistral_window", new Case(new LlamaConfig(null, "mistral", 97, 32, 72, 2, 4, 2, null, null, 64, 1e-5, 10000.0,
        null, null, null, 5, null, false, null, null, null, null, null, null, null, null, null, null),
        new HfCheckpoint.SaveOptions(StDType.F16, 0), 13));
    return m;
  }

  /** A seeded model of the case, with norm weights perturbed away from one so they are tested too. */
  static LlamaForCausalLM model(Case c) {
    Rng rng = new Rng(c.seed());
    LlamaForCausalLM m = new LlamaForCausalLM(c.config(), rng);
    m.namedParameters().forEach((name, p) -> {
      if (name.endsWith("norm.weight") || name.endsWith(".bias")) {
        float[] d = p.data();
        for (int i = 0; i < d.length; i++) d[i] += (float) (0.1 * (rng.nextDouble() - 0.5));
      }
    });
    return m;
  }

  static void writeAll(Path root) throws IOException {
    for (Map.Entry<String, Case> e : cases().entrySet()) {
      HfCheckpoint.save(root.resolve(e.getKey()), model(e.getValue()), null, e.getValue().options());
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) throw new IllegalArgumentException("usage: WriteGoldenCheckpoints OUT_DIR");
    writeAll(Path.of(args[0]));
  }
}
