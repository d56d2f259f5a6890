package dev.fathom.compress;

import static dev.fathom.compress.StructuredPruningTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.io.Checkpoint;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Conv channels of a CNN classifier: the smaller network is the original with the removed channels silenced. */
class ChannelPruningTest {
  static final ClassifierConfig CNN = new ClassifierConfig("cnn", new int[] {2, 8, 8}, 3, List.of(), null, new int[] {6, 8}, 16, 0.25, "test",
      null, null, null);

  /** A trained-looking CNN: random weights and non-trivial batch-norm statistics and affine parameters. */
  static Sequential cnn(long seed) {
    Sequential m = Classifiers.build(CNN, new Rng(seed));
    Rng r = new Rng(seed + 1);
    m.stateDict().forEach((k, t) -> {
      if (t.dtype() != dev.fathom.tensor.DType.FLOAT32) return;
      float[] a = t.data();
      for (int i = 0; i < a.length; i++) {
        if (k.endsWith("running_var")) a[i] = (float) (0.5 + r.nextDouble());
        else if (k.startsWith("1.") || k.startsWith("5.")) a[i] = (float) (k.endsWith("weight") ? 0.5 + r.nextDouble() : r.nextGaussian() * 0.3);
        else a[i] = (float) (r.nextGaussian() * 0.3);
      }
    });
    m.eval();
    return m;
  }

  static float[] out(Sequential m) {
    try (var g = Grad.disabled()) {
      return m.call(Tensor.randn(new Rng(3), 4, 2, 8, 8)).toFloatArray();
    }
  }

  /** Zeroes filter, bias, γ and β of the removed channels of every conv (conv i is layer 4i, its batch norm 4i + 1). */
  static void silence(Sequential m, List<int[]> kept, int[] channels) {
    Map<String, Tensor> s = m.stateDict();
    for (int c = 0; c < kept.size(); c++) {
      float[] w = s.get((4 * c) + ".weight").data();
      int per = w.length / channels[c];
      for (int u : UnitSelection.removed(kept.get(c), channels[c])) {
        Arrays.fill(w, u * per, (u + 1) * per, 0f);
        for (String k : new String[] {(4 * c) + ".bias", (4 * c + 1) + ".weight", (4 * c + 1) + ".bias"}) s.get(k).data()[u] = 0f;
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"l1, 0.5", "bn, 0.3", "l1, 0.0"})
  void theSmallerCnnIsTheOriginalWithRemovedChannelsSilenced(String score, double sparsity, @TempDir Path tmp) throws Exception {
    Sequential original = cnn(4);
    float[] before = out(original);
    var r = ChannelPruner.prune(CNN, original, new StructuredPruneConfig(StructuredMethod.CHANNELS, sparsity, UnitScore.parse(score), 1));
    int[] want = {6 - (int) Math.round(sparsity * 6), 8 - (int) Math.round(sparsity * 8)};
    assertThat(r.config().channels()).containsExactly(want);
    assertThat(r.kept().get(0)).hasSize(want[0]).isSorted();
    assertThat(r.kept().get(1)).hasSize(want[1]).isSorted();

    Sequential masked = cnn(4);
    silence(masked, r.kept(), CNN.channels());
    float[] expected = out(masked);
    assertClose(out(r.model()), expected, 1e-5);
    double moved = 0;
    for (int i = 0; i < expected.length; i++) moved = Math.max(moved, Math.abs(expected[i] - before[i]));
    if (sparsity > 0) assertThat(moved).as("silencing channels changes the output (else the test proves nothing)").isGreaterThan(1e-2);

    Checkpoint.save(tmp, r.model(), r.config(), null);
    ClassifierConfig lc = Checkpoint.readConfig(tmp, ClassifierConfig.class);
    assertThat(lc.channels()).containsExactly(want);
    Sequential loaded = Classifiers.build(lc, new Rng(0));
    Checkpoint.loadWeights(tmp, loaded);
    loaded.eval();
    assertThat(loaded.stateDict().get("0.weight").shape()).containsExactly(want[0], 2, 3, 3);
    assertThat(loaded.stateDict().get("4.weight").shape()).containsExactly(want[1], want[0], 3, 3);
    assertThat(loaded.stateDict().get("5.running_var").shape()).containsExactly(want[1]);
    assertThat(loaded.stateDict().get("9.weight").shape()).containsExactly(16, want[1] * 2 * 2);
    assertClose(out(loaded), expected, 1e-5);
  }

  @Test
  void aZeroFilterGoesFirstByL1AndAZeroGammaByBn() {
    Sequential m = cnn(5);
    Arrays.fill(m.stateDict().get("0.weight").data(), 4 * 18, 5 * 18, 0f);
    m.stateDict().get("5.weight").data()[6] = 0f;
    var l1 = ChannelPruner.prune(CNN, m, new StructuredPruneConfig(StructuredMethod.CHANNELS, 0.1, UnitScore.L1, 1));
    assertThat(UnitSelection.removed(l1.kept().get(0), 6)).containsExactly(4);
    var bn = ChannelPruner.prune(CNN, m, new StructuredPruneConfig(StructuredMethod.CHANNELS, 0.1, UnitScore.BN, 1));
    assertThat(UnitSelection.removed(bn.kept().get(1), 8)).containsExactly(6);
  }

  @Test
  void badInputSaysWhatWasExpectedAndWhatCame() {
    assertThatThrownBy(() -> ChannelPruner.prune(CNN, cnn(1), StructuredPruneConfig.of(StructuredMethod.HEADS, 0.5)))
        .hasMessageContaining("method heads prunes attention heads of a language model; a CNN classifier takes channels");
    assertThatThrownBy(() -> ChannelPruner.prune(CNN, cnn(1), StructuredPruneConfig.of(StructuredMethod.CHANNELS, 0.95)))
        .hasMessageContaining("removes all 6 conv channels of conv 0");
    ClassifierConfig mlp = ClassifierConfig.mlp(new int[] {4}, List.of("a", "b"), "x");
    assertThatThrownBy(() -> ChannelPruner.prune(mlp, Classifiers.build(mlp, new Rng(0)), StructuredPruneConfig.of(StructuredMethod.CHANNELS, 0.5)))
        .hasMessageContaining("expected a cnn classifier, got model 'mlp'");
  }
}
