package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizedCheckpoint;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.Sgd;
import dev.fathom.optim.SgdConfig;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QuantAwareTrainingTest {
  private static final LlamaConfig CONFIG = LlamaConfig.llama(64, 64, 128, 2, 4, 2, 32, false);

  /** Sum of G·Q(W) backpropagated: the gradient W receives for an incoming gradient G. */
  private static float[] steGradient(GroupGrid grid, float[] w, float[] g, int rows) {
    Tensor wt = Tensor.of(w.clone(), rows, w.length / rows).requiresGrad(true);
    new FakeQuantize(grid).apply(wt).mul(Tensor.of(g, rows, w.length / rows)).sum().backward();
    return wt.grad().data();
  }

  /**
   * Finite difference (float64) of the non-quantized path clamp(x, lo, hi) at x: forward below
   * the upper end, backward at it, so both ends (where the group's extremes sit) count as inside.
   */
  private static double clampSlope(double x, double lo, double hi) {
    double h = 1e-3;
    return x < hi ? (Math.clamp(x + h, lo, hi) - Math.clamp(x, lo, hi)) / h : (Math.clamp(x, lo, hi) - Math.clamp(x - h, lo, hi)) / h;
  }

  @Test
  void steGradientIsTheIncomingGradientInsideTheClippingRangeAndZeroOutside() {
    // one q4_0 block built by hand: the largest magnitude is m = −8, so d = m/−8 = 1 (exact in
    // fp16), codes 0..15 stand for −8..7: the clipping range is [−8, 7] and 7.9, 7.6, 7.2 lie outside
    float[] w = new float[32];
    Rng rng = new Rng(3);
    for (int i = 0; i < 32; i++) w[i] = (float) (rng.nextDouble() * 13 - 6.5);
    w[0] = -8f;
    w[5] = 7.9f;
    w[11] = 7.6f;
    w[20] = 7.2f;
    w[21] = 6.95f;
    float[] g = new float[32];
    for (int i = 0; i < 32; i++) g[i] = (float) rng.nextGaussian();
    float[] got = steGradient(GroupGrid.parse("q4_0"), w, g, 1);
    int outside = 0;
    for (int i = 0; i < 32; i++) {
      double slope = clampSlope(w[i], -8, 7);
      assertThat(Math.abs(slope - Math.rint(slope))).as("the clamp path's slope is 0 or 1").isLessThan(1e-9);
      slope = Math.rint(slope);
      assertThat(got[i]).as("element %d (w = %s)", i, w[i]).isEqualTo((float) (g[i] * slope));
      if (slope == 0) outside++;
    }
    assertThat(outside).as("the constructed block has three clipped weights").isEqualTo(3);
  }

  @Test
  void steGradientPassesEverythingWhenTheStepsSpanTheGroup() {
    // int2g16 groups built by hand with min −1 and max 2: s = 3/3 = 1, z = 1, codes 0..3 → −1..2,
    // so every weight is inside and the gradient is the incoming one, element for element
    float[] w = new float[64];
    Rng rng = new Rng(4);
    for (int i = 0; i < 64; i++) w[i] = (float) (rng.nextDouble() * 2.9 - 0.95);
    for (int b = 0; b < 64; b += 16) {
      w[b] = -1f;
      w[b + 7] = 2f;
    }
    float[] g = new float[64];
    for (int i = 0; i < 64; i++) g[i] = (float) rng.nextGaussian();
    float[] got = steGradient(GroupGrid.parse("int2g16"), w, g, 2);
    for (int i = 0; i < 64; i++) assertThat(got[i]).as("element %d", i).isEqualTo((float) (g[i] * Math.rint(clampSlope(w[i], -1, 2))));
    assertThat(got).containsExactly(g);
  }

  @ParameterizedTest
  @ValueSource(strings = {"q8_0", "q4_0", "int8", "int4g128", "int3g32", "int3g16", "int2g16"})
  void fakeQuantForwardIsRoundToNearestAndLiesExactlyOnTheGrid(String name) {
    GroupGrid grid = GroupGrid.parse(name);
    int rows = 5, cols = 256;
    float[] w = Tensor.randn(new Rng(7), rows, cols).mul(0.05f).data();
    float[] fq = new FakeQuantize(grid).apply(Tensor.of(w.clone(), rows, cols)).data();
    GridWeights rtn = GridWeights.roundToNearest(grid, w, rows, cols);
    assertThat(fq).as("Q(W) is what PTQ's round to nearest stores").containsExactly(rtn.values());
    int g = grid.groupSize(cols);
    int changed = 0;
    for (int i = 0; i < fq.length; i++) {
      assertThat(grid.round(fq[i], rtn.steps()[i / g])).as("re-rounding element %d on its group's step", i).isEqualTo(fq[i]);
      if (fq[i] != w[i]) changed++;
    }
    assertThat(changed).as("rounding moved most weights").isGreaterThan(fq.length / 2);
    if (grid.format() != null) assertThat(rtn.toMatrix().dequantize()).as("the packed matrix holds the same values").containsExactly(fq);
    int levels = (int) java.util.stream.IntStream.range(0, g).mapToDouble(i -> fq[i]).distinct().count();
    assertThat(levels).as("distinct values in a group").isLessThanOrEqualTo(grid.maxCode() - grid.minCode() + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"q4_0", "q8_0", "int3g32", "int2g16"})
  void exportedModelComputesTheFakeQuantizedForward(String name, @TempDir Path tmp) throws Exception {
    GroupGrid grid = GroupGrid.parse(name);
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(11));
    Tensor ids = Tensor.randint(new Rng(12), 0, 64, 2, 16), targets = Tensor.randint(new Rng(13), 0, 64, 2, 16);
    float[] qatLogits;
    try (QuantAwareTraining qat = LlamaQat.attach(m, grid)) {
      assertThat(qat.weightNames()).hasSize(2 * 7).allMatch(n -> n.endsWith("_proj.weight"));
      AdamW opt = new AdamW(m.parameters(), new AdamConfig(1e-2, 0.9, 0.99, 1e-8, 0));
      for (int step = 0; step < 3; step++) {  // move the master weights off their initial values
        m.loss(ids, targets).backward();
        opt.step();
        opt.zeroGrad();
      }
      try (var g = Grad.disabled()) {
        qatLogits = m.forward(ids).data().clone();
      }
    }
    float[] floatLogits;
    try (var g = Grad.disabled()) {
      floatLogits = m.forward(ids).data().clone();
    }
    assertThat(floatLogits).as("detached: the float model differs from its quantized forward").isNotEqualTo(qatLogits);
    Map<String, QuantizedMatrix> q = LlamaQat.export(m, grid);
    Path dir = tmp.resolve("m");
    if (grid.format() != null) {
      QuantizedCheckpoint.save(dir, m, q, m.quantization(), null);
    } else {
      assertThat(q).isEmpty();
      HfCheckpoint.save(dir, m, null);
    }
    LlamaForCausalLM loaded = HfCheckpoint.load(dir);
    assertThat(loaded.quantization() == null).isEqualTo(grid.format() == null);
    try (var g = Grad.disabled()) {
      assertThat(loaded.forward(ids).data()).as("the saved model's logits").containsExactly(qatLogits);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"int2g16", "int3g16"})
  void aFewQatStepsBeatRoundToNearestOfTheFloatSolution(String name) {
    // y = x·W*ᵀ with strongly correlated inputs (x = z·Aᵀ), W* the exact float solution. Rounding
    // each weight on its own ignores the correlations; QAT lets the rounding errors compensate.
    int in = 32, out = 8, n = 256;
    Rng rng = new Rng(21);
    Tensor mix = Tensor.randn(rng, in, in).mul(0.5f);
    for (int j = 0; j < in; j++) mix.data()[j * in + j] += 1f;
    Tensor x = F.linear(Tensor.randn(rng, n, in), mix, null);
    Linear layer = new Linear(in, out, false, new Rng(22));
    Tensor y;
    try (var g = Grad.disabled()) {
      y = layer.call(x);
    }
    GroupGrid grid = GroupGrid.parse(name);
    GridWeights rtn = GridWeights.roundToNearest(grid, layer.weight.data(), out, in);
    double rtnLoss = F.mseLoss(F.linear(x, Tensor.of(rtn.values(), out, in), null), y).item();
    int steps = 200;
    double lr = 0.01;
    try (QuantAwareTraining qat = QuantAwareTraining.attach(layer, grid, nm -> true)) {
      Sgd opt = new Sgd(layer.parameters(), new SgdConfig(lr, 0.9, 0, 0, false));
      for (int step = 0; step < steps; step++) {
        opt.setLr(lr * 0.5 * (1 + Math.cos(Math.PI * step / steps)));  // cosine to 0: the codes settle
        F.mseLoss(layer.call(x), y).backward();
        opt.step();
        opt.zeroGrad();
      }
      qat.export();
    }
    double qatLoss = F.mseLoss(F.linear(x, layer.weight, null), y).item();
    assertThat(rtnLoss).as("low-bit RTN hurts").isGreaterThan(1e-2);
    assertThat(qatLoss).as("the exported QAT model vs RTN of W* (%s)", rtnLoss).isLessThan(0.9 * rtnLoss);
  }

  @Test
  void convolutionsAreFakeQuantizedOverInChannelsTimesKernel() {
    Conv2d conv = new Conv2d(4, 8, 3, 1, 1, new Rng(1));  // in·kh·kw = 36: not a multiple of 32, rows of 36 in groups of 4
    Tensor x = Tensor.randn(new Rng(4), 2, 4, 5, 5);
    GroupGrid grid = GroupGrid.parse("int3g4");
    float[] expected;
    try (var g = Grad.disabled()) {
      float[] wq = new FakeQuantize(grid).apply(conv.weight).data();
      expected = F.conv2d(x, Tensor.of(wq, conv.weight.shape()), conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups).data();
    }
    try (QuantAwareTraining qat = QuantAwareTraining.attach(conv, grid, nm -> true); var g = Grad.disabled()) {
      assertThat(conv.call(x).data()).containsExactly(expected);
    }
    float[] plain;
    try (var g = Grad.disabled()) {
      plain = conv.call(x).data();
    }
    assertThat(plain).as("detached again").isNotEqualTo(expected);
  }

  @Test
  void badInputGivesClearErrors() {
    assertThatThrownBy(() -> GroupGrid.parse("int1g16")).hasMessageContaining("unknown quantization grid 'int1g16'")
        .hasMessageContaining("int<bits>g<group>");
    assertThatThrownBy(() -> GroupGrid.asymmetric(9, 16)).hasMessageContaining("expected 2 to 8 bits, got 9");
    Linear odd = new Linear(20, 4, new Rng(1));
    assertThatThrownBy(() -> QuantAwareTraining.attach(odd, GroupGrid.parse("q4_0"), n -> true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight: q4_0")
        .hasMessageContaining("multiple of the block size 32, got 20");
    assertThatThrownBy(() -> QuantAwareTraining.attach(odd, GroupGrid.parse("int3g4"), n -> false))
        .hasMessageContaining("no Linear or Conv2d weight of the model was selected");
    LlamaForCausalLM m = new LlamaForCausalLM(LlamaConfig.llama(64, 64, 48, 1, 4, 2, 32, false), new Rng(1));
    assertThatThrownBy(() -> LlamaQat.attach(m, GroupGrid.parse("q4_0"))).hasMessageContaining("model.layers.0.mlp.down_proj.weight: q4_0")
        .hasMessageContaining("got 48");
  }
}
