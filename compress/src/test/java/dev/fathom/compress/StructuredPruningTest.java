package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.generate.InferenceSession;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Neurons and heads of a Llama model: the smaller model is the float model with the removed units silenced. */
class StructuredPruningTest {
  static final LlamaConfig TINY = LlamaConfig.llama(64, 64, 96, 2, 4, 4, 32, false);
  static final CalibrationSet CALIB = CalibrationSet.sample(new Rng(1).permutation(64), 16, 4, 3);

  /** A model with larger-than-default weights so removed units change the logits clearly. */
  static LlamaForCausalLM model(LlamaConfig c, long seed) {
    LlamaForCausalLM m = new LlamaForCausalLM(c, new Rng(seed));
    Rng r = new Rng(seed + 100);
    for (Tensor p : m.parameters()) {
      float[] a = p.data();
      if (p.dim() == 2) for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * 0.15);
    }
    return m;
  }

  static Tensor ids() {
    long[] v = new long[2 * 12];
    Rng r = new Rng(9);
    for (int i = 0; i < v.length; i++) v[i] = r.nextInt(64);
    return Tensor.ofLongs(v, 2, 12);
  }

  static float[] logits(LlamaForCausalLM m) {
    try (var g = Grad.disabled()) {
      return m.call(ids()).toFloatArray();
    }
  }

  /** Silences the removed units of {@code m} by hand: neurons' gate/up rows and down column, heads' q/k/v rows and o columns. */
  static void silence(LlamaForCausalLM m, StructuredMethod method, LlamaStructuredPruner.Result r) {
    Map<String, Tensor> p = m.namedParameters();
    int dh = m.config().headDim(), d = m.config().hiddenSize();
    for (int l = 0; l < r.kept().size(); l++) {
      String pre = "model.layers." + l + ".";
      for (int u : UnitSelection.removed(r.kept().get(l), r.unitsBefore())) {
        if (method == StructuredMethod.NEURONS) {
          int f = m.config().intermediateSize();
          Arrays.fill(p.get(pre + "mlp.gate_proj.weight").data(), u * d, (u + 1) * d, 0f);
          Arrays.fill(p.get(pre + "mlp.up_proj.weight").data(), u * d, (u + 1) * d, 0f);
          float[] down = p.get(pre + "mlp.down_proj.weight").data();
          for (int row = 0; row < d; row++) down[row * f + u] = 0f;
        } else {
          int q = m.config().numAttentionHeads() * dh;
          float[] o = p.get(pre + "self_attn.o_proj.weight").data();
          for (int row = 0; row < d; row++) Arrays.fill(o, row * q + u * dh, row * q + (u + 1) * dh, 0f);
        }
      }
    }
  }

  static void assertClose(float[] a, float[] b, double tol) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    assertThat(max).as("max |difference| of logits").isLessThanOrEqualTo(tol);
  }

  @ParameterizedTest
  @CsvSource({"neurons, activation, 0.3", "neurons, weight, 0.5", "heads, activation, 0.25", "heads, weight, 0.5"})
  void theSmallerModelIsTheFloatModelWithRemovedUnitsSilenced(String method, String score, double sparsity, @TempDir Path tmp) throws Exception {
    StructuredMethod m = StructuredMethod.find(method).orElseThrow();
    LlamaForCausalLM original = model(TINY, 4);
    float[] before = logits(original);
    var r = LlamaStructuredPruner.prune(original, new StructuredPruneConfig(m, sparsity, UnitScore.parse(score), 1), CALIB);

    LlamaForCausalLM masked = model(TINY, 4);
    silence(masked, m, r);
    float[] want = logits(masked);
    assertClose(logits(r.model()), want, 1e-5);
    double moved = 0;
    for (int i = 0; i < want.length; i++) moved = Math.max(moved, Math.abs(want[i] - before[i]));
    assertThat(moved).as("silencing units changes the logits (else the test proves nothing)").isGreaterThan(1e-2);

    int units = m == StructuredMethod.NEURONS ? 96 : 4, kept = units - (int) Math.round(sparsity * units);
    assertThat(r.kept()).hasSize(2).allSatisfy(k -> assertThat(k).hasSize(kept).isSorted().doesNotHaveDuplicates());
    LlamaConfig c = r.model().config();
    assertThat(m == StructuredMethod.NEURONS ? c.intermediateSize() : c.numAttentionHeads()).isEqualTo(kept);
    assertThat(c.numKeyValueHeads()).isEqualTo(m == StructuredMethod.NEURONS ? 4 : kept);
    assertThat(c.headDim()).isEqualTo(16);

    Path dir = tmp.resolve("small");
    HfCheckpoint.save(dir, r.model(), null);
    assertThat(Files.readString(dir.resolve("config.json"))).containsPattern("\"head_dim\"\\s*:\\s*16");
    LlamaForCausalLM loaded = HfCheckpoint.load(dir);
    LlamaConfig lc = loaded.config();
    Map<String, Tensor> p = loaded.namedParameters();
    assertThat(p.get("model.layers.1.mlp.gate_proj.weight").shape()).containsExactly(lc.intermediateSize(), 64);
    assertThat(p.get("model.layers.1.mlp.down_proj.weight").shape()).containsExactly(64, lc.intermediateSize());
    assertThat(p.get("model.layers.1.self_attn.q_proj.weight").shape()).containsExactly(lc.numAttentionHeads() * lc.headDim(), 64);
    assertThat(p.get("model.layers.1.self_attn.k_proj.weight").shape()).containsExactly(lc.numKeyValueHeads() * lc.headDim(), 64);
    assertThat(p.get("model.layers.1.self_attn.o_proj.weight").shape()).containsExactly(64, lc.numAttentionHeads() * lc.headDim());
    assertClose(logits(loaded), want, 1e-5);
  }

  @Test
  void theKvCacheEngineRunsTheSmallerModelAsTheForwardDoes() {
    var r = LlamaStructuredPruner.prune(model(TINY, 5), new StructuredPruneConfig(StructuredMethod.HEADS, 0.5, UnitScore.WEIGHT, 1), null);
    LlamaForCausalLM m = r.model();
    long[] ids = ids().toLongArray();
    float[] full;
    try (var g = Grad.disabled()) {
      full = m.call(Tensor.ofLongs(Arrays.copyOf(ids, 12), 1, 12)).toFloatArray();
    }
    var s = new InferenceSession(m, 1, 12);
    float[] step = new float[64];
    for (int t = 0; t < 12; t++) s.decode(new int[] {0}, new int[] {(int) ids[t]}, 1, step);
    assertClose(step, Arrays.copyOfRange(full, 11 * 64, 12 * 64), 1e-4);
  }

  @ParameterizedTest
  @CsvSource({"activation", "weight"})
  void aNeuronWithAZeroDownColumnAndAHeadWithZeroOutputColumnsGoFirst(String score) {
    LlamaForCausalLM m = model(TINY, 6);
    Map<String, Tensor> p = m.namedParameters();
    for (int l = 0; l < 2; l++) {
      float[] down = p.get("model.layers." + l + ".mlp.down_proj.weight").data();
      for (int row = 0; row < 64; row++) down[row * 96 + 17 + l] = 0f;
    }
    var r = LlamaStructuredPruner.prune(m, new StructuredPruneConfig(StructuredMethod.NEURONS, 0.01, UnitScore.parse(score), 1), CALIB);
    for (int l = 0; l < 2; l++) assertThat(UnitSelection.removed(r.kept().get(l), 96)).as("layer %d", l).containsExactly(17 + l);

    LlamaForCausalLM h = model(TINY, 6);
    for (int l = 0; l < 2; l++) {
      float[] o = h.namedParameters().get("model.layers." + l + ".self_attn.o_proj.weight").data();
      for (int row = 0; row < 64; row++) Arrays.fill(o, row * 64 + (2 - l) * 16, row * 64 + (3 - l) * 16, 0f);
    }
    var rh = LlamaStructuredPruner.prune(h, new StructuredPruneConfig(StructuredMethod.HEADS, 0.25, UnitScore.parse(score), 1), CALIB);
    for (int l = 0; l < 2; l++) assertThat(UnitSelection.removed(rh.kept().get(l), 4)).as("layer %d", l).containsExactly(2 - l);
  }

  @Test
  void keptCountsAreExactAndRoundToTheAskedMultiple() {
    assertThat(StructuredPruneConfig.of(StructuredMethod.NEURONS, 0.3).kept(1376, "x")).isEqualTo(963);
    assertThat(new StructuredPruneConfig(StructuredMethod.NEURONS, 0.3, null, 16).kept(1376, "x")).isEqualTo(960);
    assertThat(new StructuredPruneConfig(StructuredMethod.NEURONS, 0.0, null, 32).kept(1376, "x")).isEqualTo(1376);
    assertThat(StructuredPruneConfig.of(StructuredMethod.HEADS, 0.25).kept(8, "x")).isEqualTo(6);
    var r = LlamaStructuredPruner.prune(model(TINY, 7), new StructuredPruneConfig(StructuredMethod.NEURONS, 0.3, UnitScore.WEIGHT, 16), null);
    assertThat(r.model().config().intermediateSize()).isEqualTo(64);
    assertThat(r.kept()).allSatisfy(k -> assertThat(k).hasSize(64));
  }

  @Test
  void badInputSaysWhatWasExpectedAndWhatCame() {
    for (double s : new double[] {1.0, -0.1, Double.NaN}) {
      assertThatThrownBy(() -> StructuredPruneConfig.of(StructuredMethod.NEURONS, s)).hasMessageContaining("expected a value in [0, 1), got " + s);
    }
    assertThatThrownBy(() -> LlamaStructuredPruner.prune(model(TINY, 1), new StructuredPruneConfig(StructuredMethod.HEADS, 0.9, UnitScore.WEIGHT, 1), null))
        .hasMessageContaining("removes all 4 attention heads").hasMessageContaining("expected at least one to remain");
    assertThatThrownBy(() -> LlamaStructuredPruner.prune(model(TINY, 1), new StructuredPruneConfig(StructuredMethod.NEURONS, 0.6, UnitScore.WEIGHT, 128), null))
        .hasMessageContaining("rounded to a multiple of 128 removes all 96 MLP neurons");
    assertThatThrownBy(() -> LlamaStructuredPruner.prune(model(TINY, 1), StructuredPruneConfig.of(StructuredMethod.CHANNELS, 0.3), null))
        .hasMessageContaining("method channels prunes conv channels of a CNN classifier; a language model takes neurons or heads");
    LlamaConfig gqa = LlamaConfig.llama(64, 64, 96, 1, 4, 2, 32, false);
    assertThatThrownBy(() -> LlamaStructuredPruner.prune(model(gqa, 1), new StructuredPruneConfig(StructuredMethod.HEADS, 0.5, UnitScore.WEIGHT, 1), null))
        .hasMessageContaining("expected num_key_value_heads equal to num_attention_heads").hasMessageContaining("got 4 query heads sharing 2");
    assertThatThrownBy(() -> LlamaStructuredPruner.prune(model(TINY, 1), StructuredPruneConfig.of(StructuredMethod.NEURONS, 0.3), null))
        .hasMessageContaining("score 'activation' needs calibration data");
    assertThatThrownBy(() -> new StructuredPruneConfig(StructuredMethod.NEURONS, 0.3, UnitScore.L1, 1))
        .hasMessageContaining("method neurons expected activation or weight, got l1");
    assertThatThrownBy(() -> new StructuredPruneConfig(StructuredMethod.CHANNELS, 0.3, UnitScore.ACTIVATION, 1))
        .hasMessageContaining("method channels expected l1 or bn, got activation");
    assertThatThrownBy(() -> UnitScore.parse("taylor")).hasMessageContaining("expected one of activation, weight, l1, bn");
  }
}
