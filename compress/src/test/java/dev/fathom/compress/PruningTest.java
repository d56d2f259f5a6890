package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PruningTest {
  /** Prunes a copy of d.w by the method; returns it. */
  private static float[] prune(LayerData d, PruneConfig c) {
    float[] w = d.w.clone();
    switch (c.method()) {
      case MAGNITUDE -> LayerPruning.magnitude(w, d.rows, d.cols, c);
      case WANDA -> LayerPruning.wanda(w, d.rows, d.cols, d.stats().columnNorms(), c);
      case SPARSEGPT -> LayerPruning.sparseGpt(w, d.rows, d.cols, d.stats().hessian(), c, GptqConfig.defaults());
    }
    return w;
  }

  @ParameterizedTest
  @EnumSource(PruningMethod.class)
  void twoFourMasksKeepExactlyTwoOfEveryFour(PruningMethod m) {
    LayerData d = LayerData.random(13, 200, 150, true, 21);
    float[] w = prune(d, PruneConfig.nOfM(m, 2, 4));
    for (int g = 0; g < w.length; g += 4) {
      int nz = 0;
      for (int i = g; i < g + 4; i++) if (w[i] != 0f) nz++;
      assertThat(nz).as("non-zeros in group at %d (row %d)", g, g / 200).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(PruningMethod.class)
  void unstructuredSparsityHitsTheRequestedCountExactly(PruningMethod m) {
    LayerData d = LayerData.random(13, 200, 150, true, 22);
    for (double p : new double[] {0.5, 0.3, 0.37, 0.9}) {
      float[] w = prune(d, PruneConfig.unstructured(m, p));
      long zeros = 0;
      for (float v : w) if (v == 0f) zeros++;
      assertThat(zeros).as("%s at %s", m, p).isEqualTo(Math.round(p * w.length));
    }
  }

  @Test
  void scopeRowKeepsTheSameCountInEveryRowAndScopeLayerDoesNot() {
    LayerData d = LayerData.random(13, 64, 150, true, 23);
    // rows of very different magnitude: per matrix, the small rows lose more than half
    float[] w = d.w.clone();
    for (int r = 0; r < d.rows; r++) for (int j = 0; j < d.cols; j++) w[r * d.cols + j] *= 1 + r;
    for (PruningMethod m : new PruningMethod[] {PruningMethod.MAGNITUDE, PruningMethod.WANDA}) {
      float[] row = w.clone(), layer = w.clone();
      double[] norms = d.stats().columnNorms();
      PruneConfig byRow = PruneConfig.unstructured(m, 0.5, PruneScope.ROW), byLayer = PruneConfig.unstructured(m, 0.5, PruneScope.LAYER);
      if (m == PruningMethod.MAGNITUDE) {
        LayerPruning.magnitude(row, d.rows, d.cols, byRow);
        LayerPruning.magnitude(layer, d.rows, d.cols, byLayer);
      } else {
        LayerPruning.wanda(row, d.rows, d.cols, norms, byRow);
        LayerPruning.wanda(layer, d.rows, d.cols, norms, byLayer);
      }
      for (int r = 0; r < d.rows; r++) assertThat(zeros(row, r * d.cols, d.cols)).as("%s row %d", m, r).isEqualTo(32);
      assertThat(zeros(layer, 0, w.length)).isEqualTo(Math.round(0.5 * w.length));
      assertThat(zeros(layer, 0, d.cols)).as("%s: the smallest row, per matrix", m).isGreaterThan(48);
      assertThat(zeros(layer, (d.rows - 1) * d.cols, d.cols)).as("%s: the largest row, per matrix", m).isLessThan(24);
    }
    assertThat(PruneConfig.unstructured(PruningMethod.WANDA, 0.5).scope()).isEqualTo(PruneScope.ROW);
    assertThat(PruneConfig.unstructured(PruningMethod.MAGNITUDE, 0.5).scope()).isEqualTo(PruneScope.LAYER);
  }

  private static int zeros(float[] w, int off, int n) {
    int z = 0;
    for (int i = off; i < off + n; i++) if (w[i] == 0f) z++;
    return z;
  }

  @Test
  void withCorrelatedInputsSparseGptBeatsWandaBeatsMagnitude() {
    for (long seed = 31; seed < 34; seed++) {
      LayerData d = LayerData.random(32, 256, 800, true, seed);
      for (PruneConfig c : new PruneConfig[] {PruneConfig.unstructured(PruningMethod.MAGNITUDE, 0.5), PruneConfig.nOfM(PruningMethod.MAGNITUDE, 2, 4)}) {
        double mag = d.error(prune(d, c));
        double wanda = d.error(prune(d, new PruneConfig(PruningMethod.WANDA, c.sparsity(), c.keep(), c.group(), null)));
        double sgpt = d.error(prune(d, new PruneConfig(PruningMethod.SPARSEGPT, c.sparsity(), c.keep(), c.group(), null)));
        assertThat(sgpt).as("SparseGPT %s vs Wanda %s (%s)", sgpt, wanda, c).isLessThan(wanda);
        assertThat(wanda).as("Wanda %s vs magnitude %s (%s)", wanda, mag, c).isLessThan(mag);
      }
    }
  }

  @Test
  void prunerPrunesEveryProjectionOfAModelAndGlobalMagnitudeCountsOverAll() {
    LlamaConfig cfg = LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, false);
    CalibrationSet calib = CalibrationSet.sample(new Rng(1).permutation(64), 16, 4, 3);
    for (PruningMethod m : PruningMethod.values()) {
      LlamaForCausalLM model = new LlamaForCausalLM(cfg, new Rng(2));
      Map<String, Double> share = Pruner.prune(model, PruneConfig.unstructured(m, 0.5), calib);
      assertThat(share).hasSize(14).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(0.5));
      assertThat(Pruner.zeroShare(model.namedParameters().get("lm_head.weight").data())).as("head untouched").isZero();
    }
    LlamaForCausalLM model = new LlamaForCausalLM(cfg, new Rng(2));
    Map<String, Double> share = Pruner.prune(model, new PruneConfig(PruningMethod.MAGNITUDE, 0.4, 0, 0, PruneScope.GLOBAL), null);
    long zeros = 0, total = 0;
    for (String k : share.keySet()) {
      float[] w = model.namedParameters().get(k).data();
      total += w.length;
      zeros += Math.round(share.get(k) * w.length);
    }
    assertThat(zeros).isEqualTo(Math.round(0.4 * total));
  }

  @Test
  void badRequestsSayWhatWasExpectedAndWhatCame() {
    assertThatThrownBy(() -> PruneConfig.unstructured(PruningMethod.WANDA, 1.0)).hasMessage("sparsity: expected a value in [0, 1), got 1.0");
    assertThatThrownBy(() -> PruneConfig.unstructured(PruningMethod.WANDA, -0.1)).hasMessage("sparsity: expected a value in [0, 1), got -0.1");
    assertThatThrownBy(() -> PruneConfig.unstructured(PruningMethod.WANDA, Double.NaN)).hasMessageContaining("got NaN");
    assertThatThrownBy(() -> PruningMethod.parse("obs")).hasMessage("unknown pruning method 'obs': expected one of magnitude, wanda, sparsegpt");
    assertThatThrownBy(() -> PruneConfig.parsePattern("2-4")).hasMessage("pattern: expected n:m such as 2:4, got '2-4'");
    assertThatThrownBy(() -> new PruneConfig(PruningMethod.MAGNITUDE, 0.3, 2, 4, null)).hasMessageContaining("means sparsity 0.5, got 0.3");
    assertThatThrownBy(() -> new PruneConfig(PruningMethod.MAGNITUDE, 0.5, 4, 4, null)).hasMessageContaining("1 <= n < m, got 4:4");
    assertThatThrownBy(() -> new PruneConfig(PruningMethod.WANDA, 0.5, 0, 0, PruneScope.GLOBAL)).hasMessageContaining("expected method magnitude, got wanda");
    assertThatThrownBy(() -> PruneConfig.unstructured(PruningMethod.SPARSEGPT, 0.5, PruneScope.ROW)).hasMessage(
        "sparsegpt chooses its masks per block of columns: expected scope layer, got row");
    assertThatThrownBy(() -> new PruneConfig(PruningMethod.MAGNITUDE, 0.5, 2, 4, PruneScope.ROW)).hasMessage(
        "row scope: expected unstructured sparsity, got the pattern 2:4");
    assertThatThrownBy(() -> PruneScope.parse("matrix")).hasMessage("unknown scope 'matrix': expected one of layer, row, global");
    LlamaForCausalLM model = new LlamaForCausalLM(LlamaConfig.llama(64, 128, 384, 1, 4, 2, 32, false), new Rng(2));
    assertThatThrownBy(() -> Pruner.prune(model, PruneConfig.unstructured(PruningMethod.SPARSEGPT, 0.5), null))
        .hasMessage("pruning method 'sparsegpt' needs calibration data (--calib FILE), none was given");
    assertThatThrownBy(() -> Pruner.prune(model, PruneConfig.nOfM(PruningMethod.MAGNITUDE, 3, 5), null))
        .hasMessageContaining("model.layers.0.self_attn.q_proj.weight").hasMessageContaining("in-features 128 are not a multiple of the group size 5");
  }
}
