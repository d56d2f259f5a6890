package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RTN, GPTQ, AWQ and its clipping on layers whose in-features the group size does not divide (a short last group). */
class ShortGroupMethodsTest {
  private static final GroupGrid[] GRIDS = {GroupGrid.parse("int3g128"), GroupGrid.of(QuantFormat.INT4_G128)};

  @Test
  void gptqBeatsRoundToNearestWithAShortLastGroup() {
    for (GroupGrid grid : GRIDS) {
      for (int cols : new int[] {200, 300}) {  // 128 + 72, 2·128 + 44
        for (boolean correlated : new boolean[] {false, true}) {
          LayerData d = LayerData.random(24, cols, 600, correlated, cols + (correlated ? 1 : 0));
          double eRtn = d.error(GridWeights.roundToNearest(grid, d.w, d.rows, d.cols).values());
          GridWeights gptq = Gptq.quantize(d.w, d.rows, d.cols, d.stats().hessian(), grid, GptqConfig.defaults());
          double eGptq = d.error(gptq.values());
          assertThat(eGptq).as("GPTQ %s vs RTN %s on %s, in %d, correlated %s", eGptq, eRtn, grid, cols, correlated)
              .isLessThan(eRtn * (correlated ? 0.7 : 0.95));
        }
      }
    }
  }

  @Test
  void gptqOutputLiesOnTheShortGroupsStoredGrid() {
    for (GroupGrid grid : GRIDS) {
      LayerData d = LayerData.random(8, 200, 300, true, 3);
      GridWeights q = Gptq.quantize(d.w, d.rows, d.cols, d.stats().hessian(), grid, GptqConfig.defaults());
      int perRow = grid.groups(d.cols);
      assertThat(q.steps()).hasSize(d.rows * perRow);
      for (int i = 0; i < q.values().length; i++) {
        GroupGrid.Step st = q.steps()[(i / d.cols) * perRow + (i % d.cols) / 128];
        assertThat(grid.value(q.codes()[i], st)).as("%s element %d", grid, i).isEqualTo(q.values()[i]);
        assertThat(Float.float16ToFloat(Float.floatToFloat16(st.scale()))).isEqualTo(st.scale());
      }
      if (grid.format() != null) assertThat(q.toMatrix().dequantize()).containsExactly(q.values());
    }
  }

  @Test
  void withAnIdentityHessianGptqIsRoundToNearestBitForBit() {
    for (int cols : new int[] {200, 129, 127}) {
      LayerData d = LayerData.random(16, cols, 10, false, cols);
      double[] h = new double[cols * cols];
      for (int j = 0; j < cols; j++) h[j * cols + j] = 1;
      for (GroupGrid grid : GRIDS) {
        GridWeights g = Gptq.quantize(d.w, d.rows, d.cols, h, grid, GptqConfig.defaults());
        GridWeights r = GridWeights.roundToNearest(grid, d.w, d.rows, d.cols);
        assertThat(g.values()).as("%s in %d", grid, cols).containsExactly(r.values());
        assertThat(g.codes()).containsExactly(r.codes());
        assertThat(g.steps()).containsExactly(r.steps());
      }
      assertThat(GridWeights.roundToNearest(GroupGrid.of(QuantFormat.INT4_G128), d.w, d.rows, cols).toMatrix().dequantize())
          .as("the packed format's own RTN").containsExactly(QuantizedMatrix.quantize(QuantFormat.INT4_G128, d.w, 0, d.rows, cols).dequantize());
    }
  }

  /** The clipping search covers the short group: no group worse than RTN on H, the layer better. */
  @Test
  void clippingSearchesTheShortGroupToo() {
    GroupGrid grid = GroupGrid.parse("int3g128");
    LayerData d = LayerData.random(32, 200, 300, true, 8);
    Rng rng = new Rng(9);
    for (int i = 0; i < d.w.length; i++) if (rng.nextInt(64) == 0) d.w[i] *= 5;
    double[] h = d.stats().hessian();
    GridWeights clipped = AwqClip.round(grid, d.w, d.rows, d.cols, h), rtn = GridWeights.roundToNearest(grid, d.w, d.rows, d.cols);
    int c0 = 128, n = 72;
    double[] block = new double[n * n], dc = new double[n], dr = new double[n];
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) block[i * n + j] = h[(c0 + i) * d.cols + c0 + j];
    int shrunk = 0;
    for (int r = 0; r < d.rows; r++) {
      for (int i = 0; i < n; i++) {
        dc[i] = d.w[r * d.cols + c0 + i] - clipped.values()[r * d.cols + c0 + i];
        dr[i] = d.w[r * d.cols + c0 + i] - rtn.values()[r * d.cols + c0 + i];
      }
      assertThat(AwqClip.quadratic(block, dc, n)).as("row %d short group", r).isLessThanOrEqualTo(AwqClip.quadratic(block, dr, n) * (1 + 1e-12));
      if (!clipped.steps()[r * 2 + 1].equals(rtn.steps()[r * 2 + 1])) shrunk++;
    }
    assertThat(shrunk).as("short groups whose range the search shrank").isPositive();
    assertThat(d.error(clipped.values())).isLessThan(0.9 * d.error(rtn.values()));
  }

  /** Intermediate 200: down_proj's rows end in a short group of 72; the folded scales leave the float model unchanged. */
  @Test
  void awqScalesLeaveTheFloatModelUnchangedWithAShortGroup() {
    LlamaForCausalLM m = new LlamaForCausalLM(LlamaConfig.llama(64, 128, 200, 2, 4, 4, 32, false), new Rng(5));
    float[] emb = m.model().embedTokens().weight.data();
    for (int t = 0; t < 64; t++) for (int j = 0; j < 128; j += 16) emb[t * 128 + j] *= 12;
    Tensor ids = Tensor.ofLongs(java.util.stream.LongStream.range(0, 48).map(i -> (i * 7) % 64).toArray(), 2, 24);
    float[] before, after;
    try (var g = Grad.disabled()) {
      before = m.forward(ids).toFloatArray();
    }
    float[] up0 = m.namedParameters().get("model.layers.0.mlp.up_proj.weight").data().clone();
    CalibrationSet calib = CalibrationSet.sample(new Rng(6).permutation(64), 24, 8, 1);
    java.util.List<AwqSearch.Result> results = new java.util.ArrayList<>();
    LayerwiseCalibration.run(m, calib, 4, (i, layer, inputs) -> results.addAll(Awq.scaleLayer(layer, inputs, GRIDS[0], AwqConfig.defaults())));
    assertThat(results).hasSize(8).anySatisfy(r -> assertThat(r.alpha()).isPositive());
    assertThat(m.namedParameters().get("model.layers.0.mlp.up_proj.weight").data()).as("down's scales folded into up").isNotEqualTo(up0);
    try (var g = Grad.disabled()) {
      after = m.forward(ids).toFloatArray();
    }
    double maxAbs = 0;
    for (float v : before) maxAbs = Math.max(maxAbs, Math.abs(v));
    for (int i = 0; i < before.length; i++) {
      assertThat((double) after[i]).as("logit %d", i).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-4 * maxAbs + 1e-5));
    }
  }

  /** A whole model with intermediate 200 goes into packed int4g128 by each method; the packed matrices hold the model's values. */
  @Test
  void aModelWithAShortGroupQuantizesToPackedInt4g128() {
    LlamaConfig cfg = LlamaConfig.llama(64, 128, 200, 1, 4, 4, 32, false);
    CalibrationSet calib = CalibrationSet.sample(new Rng(2).permutation(64), 16, 6, 3);
    for (QuantizationMethod method : new QuantizationMethod[] {QuantizationMethod.RTN, QuantizationMethod.GPTQ, QuantizationMethod.AWQ}) {
      LlamaForCausalLM m = new LlamaForCausalLM(cfg, new Rng(1));
      Map<String, QuantizedMatrix> q = PostTrainingQuantizer.quantize(m, method, QuantFormat.INT4_G128, calib);
      QuantizedMatrix down = q.get("model.layers.0.mlp.down_proj.weight");
      assertThat(down.cols()).isEqualTo(200);
      assertThat(down.byteSize()).isEqualTo(128L * (67 + 3 + 36));
      q.forEach((name, mat) -> assertThat(m.namedParameters().get(name).data()).as(method + " " + name).containsExactly(mat.dequantize()));
    }
  }

  /** Quantization-aware training's forward rounds a short last group as RTN does (in 20 = 16 + 4 on int3g16). */
  @Test
  void fakeQuantizationRoundsTheShortGroupAsRoundToNearest() {
    dev.fathom.nn.Linear lin = new dev.fathom.nn.Linear(20, 4, new Rng(1));
    GroupGrid grid = GroupGrid.parse("int3g16");
    float[] fake;
    try (var g = Grad.disabled()) {
      fake = new FakeQuantize(grid).apply(lin.weight).data();
    }
    assertThat(fake).containsExactly(GridWeights.roundToNearest(grid, lin.weight.data(), 4, 20).values());
  }
}
