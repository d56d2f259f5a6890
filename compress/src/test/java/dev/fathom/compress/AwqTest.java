package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.Linear;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AwqTest {
  @Test
  void foldedScalesLeaveTheFloatModelUnchanged() {
    LlamaForCausalLM m = salientModel();
    Tensor ids = Tensor.ofLongs(java.util.stream.LongStream.range(0, 48).map(i -> (i * 7) % 64).toArray(), 2, 24);
    float[] before;
    try (var g = Grad.disabled()) {
      before = m.forward(ids).toFloatArray();
    }
    float[] norm0 = m.namedParameters().get("model.layers.0.input_layernorm.weight").data().clone();
    List<AwqSearch.Result> results = new ArrayList<>();
    CalibrationSet calib = CalibrationSet.sample(new Rng(6).permutation(64), 24, 8, 1);
    LayerwiseCalibration.run(m, calib, 4, (i, layer, inputs) -> results.addAll(Awq.scaleLayer(layer, inputs, GroupGrid.of(QuantFormat.Q4_0),
        AwqConfig.defaults())));
    assertThat(results).hasSize(8).doesNotContainNull();
    assertThat(results).anySatisfy(r -> assertThat(r.alpha()).isPositive());
    assertThat(m.namedParameters().get("model.layers.0.input_layernorm.weight").data()).isNotEqualTo(norm0);
    float[] after;
    try (var g = Grad.disabled()) {
      after = m.forward(ids).toFloatArray();
    }
    double maxAbs = 0;
    for (float v : before) maxAbs = Math.max(maxAbs, Math.abs(v));
    for (int i = 0; i < before.length; i++) assertThat((double) after[i]).as("logit %d", i).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-4 * maxAbs + 1e-5));
  }

  /** A small random Llama with salient hidden channels, as trained models have: AWQ then picks α > 0. */
  private static LlamaForCausalLM salientModel() {
    LlamaForCausalLM m = new LlamaForCausalLM(LlamaConfig.llama(64, 128, 384, 2, 4, 4, 32, false), new Rng(5));
    float[] emb = m.model().embedTokens().weight.data();
    for (int t = 0; t < 64; t++) for (int j = 0; j < 128; j += 16) emb[t * 128 + j] *= 12;
    return m;
  }

  @Test
  void skippingQueryKeyClippingRoundsThemToNearestAndLeavesTheRestOfTheLayerAlone() {
    GroupGrid grid = GroupGrid.INT3_G32;
    CalibrationSet calib = CalibrationSet.sample(new Rng(6).permutation(64), 24, 16, 1);
    // layer 0's scaled float weights: the scale search alone (it does not depend on the clipping)
    LlamaForCausalLM scaledOnly = salientModel();
    java.util.Map<String, float[]> scaled = new java.util.HashMap<>();
    LayerwiseCalibration.run(scaledOnly, calib, PostTrainingQuantizer.CALIBRATION_BATCH, (i, layer, inputs) -> {
      Awq.scaleLayer(layer, inputs, grid, AwqConfig.defaults());
      if (i == 0) LayerwiseCalibration.linears(layer).forEach((name, l) -> scaled.put(name, l.weight.data().clone()));
    });
    var clipAll = PostTrainingQuantizer.round(salientModel(), QuantizationMethod.AWQ, grid, calib, new AwqConfig(20, 2, true, false));
    var skipQk = PostTrainingQuantizer.round(salientModel(), QuantizationMethod.AWQ, grid, calib, new AwqConfig(20, 2, false, false));
    for (String p : new String[] {"self_attn.q_proj", "self_attn.k_proj"}) {
      float[] w = scaled.get(p);
      float[] rtn = GridWeights.roundToNearest(grid, w, 128, 128).values();
      assertThat(skipQk.get("model.layers.0." + p + ".weight").values()).as(p).containsExactly(rtn);
    }
    boolean clipped = false;
    for (String p : new String[] {"self_attn.q_proj", "self_attn.k_proj"}) {
      clipped |= !java.util.Arrays.equals(clipAll.get("model.layers.0." + p + ".weight").values(), skipQk.get("model.layers.0." + p + ".weight").values());
    }
    assertThat(clipped).as("the clipping search changed q or k somewhere").isTrue();
    for (String p : new String[] {"self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
      assertThat(skipQk.get("model.layers.0." + p + ".weight").values()).as(p).containsExactly(clipAll.get("model.layers.0." + p + ".weight").values());
    }
  }

  @Test
  void onALayerWithSalientChannelsAwqBeatsRoundToNearest() {
    for (GroupGrid grid : new GroupGrid[] {GroupGrid.of(QuantFormat.Q4_0), GroupGrid.INT3_G32}) {
      LayerData d = LayerData.random(48, 256, 400, false, 41);
      for (int r = 0; r < d.n; r++) for (int j = 0; j < d.cols; j += 25) d.x[r * d.cols + j] *= 20;  // 1% salient channels
      Linear lin = new Linear(d.cols, d.rows, false, new Rng(1));
      System.arraycopy(d.w, 0, lin.weight.data(), 0, d.w.length);
      List<Tensor> xs = List.of(Tensor.of(d.x, d.n, d.cols));
      List<Tensor> ref;
      try (var g = Grad.disabled()) {
        ref = List.of(lin.call(xs.get(0)));
      }
      AwqSearch.Result r;
      try (var g = Grad.disabled()) {
        r = AwqSearch.search(List.of(lin), AwqSearch.meanAbs(xs, d.cols), grid, 20, () -> List.of(lin.call(xs.get(0))), ref);
      }
      assertThat(lin.weight.data()).as("weights restored").containsExactly(d.w);
      // recompute both errors independently of the search
      double rtn = d.error(GridWeights.roundToNearest(grid, d.w, d.rows, d.cols).values());
      float[] scaled = new float[d.w.length];
      for (int i = 0; i < scaled.length; i++) scaled[i] = d.w[i] * r.scales()[i % d.cols];
      float[] q = GridWeights.roundToNearest(grid, scaled, d.rows, d.cols).values();
      for (int i = 0; i < q.length; i++) q[i] /= r.scales()[i % d.cols];
      double awq = d.error(q);
      assertThat(r.alpha()).isPositive();
      assertThat(awq).as("AWQ %s vs RTN %s on %s", awq, rtn, grid).isLessThan(0.8 * rtn);
    }
  }

  @Test
  void duoScalingNormalizesWeightsByTheirGroupMaxAndNeverScoresWorseThanActivationOnlyScales() {
    Linear lin = new Linear(4, 2, false, new Rng(1));
    System.arraycopy(new float[] {1, -2, 3, 0.5f, 4, 1, -1, 2}, 0, lin.weight.data(), 0, 8);
    // groups of 2: row 0 (1, -2 | 3, 0.5) -> 0.5, 1 | 1, 1/6; row 1 (4, 1 | -1, 2) -> 1, 0.25 | 0.5, 1
    assertThat(AwqSearch.groupNormalizedMeanAbs(List.of(lin), GroupGrid.asymmetric(3, 2)))
        .containsExactly(new double[] {0.75, 0.625, 0.75, 7.0 / 12}, org.assertj.core.data.Offset.offset(1e-5));

    // layer 0's q/k/v search sees the same inputs and weights either way; duo adds candidates
    AwqSearch.Result[] first = new AwqSearch.Result[2];
    for (int duo = 0; duo < 2; duo++) {
      int d = duo;
      CalibrationSet calib = CalibrationSet.sample(new Rng(6).permutation(64), 24, 16, 1);
      LayerwiseCalibration.run(salientModel(), calib, PostTrainingQuantizer.CALIBRATION_BATCH, (i, layer, inputs) -> {
        List<AwqSearch.Result> r = Awq.scaleLayer(layer, inputs, GroupGrid.INT3_G32, new AwqConfig(20, 2, true, d == 1));
        if (i == 0) first[d] = r.get(0);
      });
    }
    assertThat(first[1].rtnError()).isEqualTo(first[0].rtnError());
    assertThat(first[1].error()).isLessThanOrEqualTo(first[0].error());
    assertThat(first[0].duo()).isFalse();
  }
}
