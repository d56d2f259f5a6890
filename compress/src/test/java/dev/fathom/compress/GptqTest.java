package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GptqTest {
  static Stream<Arguments> layers() {
    return Stream.of(GroupGrid.of(QuantFormat.Q4_0), GroupGrid.of(QuantFormat.INT4_G128), GroupGrid.of(QuantFormat.Q8_0),
        GroupGrid.of(QuantFormat.INT8), GroupGrid.INT3_G32)
        .flatMap(g -> Stream.of(Arguments.of(g, false, 11L), Arguments.of(g, true, 12L), Arguments.of(g, true, 13L)));
  }

  @ParameterizedTest
  @MethodSource("layers")
  void gptqReconstructsTheLayerBetterThanRoundToNearest(GroupGrid grid, boolean correlated, long seed) {
    LayerData d = LayerData.random(24, 384, 600, correlated, seed);
    GridWeights rtn = GridWeights.roundToNearest(grid, d.w, d.rows, d.cols);
    GridWeights gptq = Gptq.quantize(d.w, d.rows, d.cols, d.stats().hessian(), grid, GptqConfig.defaults());
    double eRtn = d.error(rtn.values()), eGptq = d.error(gptq.values());
    assertThat(eGptq).as("GPTQ %s vs RTN %s on %s", eGptq, eRtn, grid).isLessThan(eRtn * (correlated ? 0.7 : 0.95));
  }

  @ParameterizedTest
  @MethodSource("layers")
  void gptqOutputLiesExactlyOnTheStoredGrid(GroupGrid grid, boolean correlated, long seed) {
    LayerData d = LayerData.random(8, 256, 300, correlated, seed);
    GridWeights q = Gptq.quantize(d.w, d.rows, d.cols, d.stats().hessian(), grid, GptqConfig.defaults());
    int g = grid.groupSize(d.cols);
    for (int i = 0; i < q.values().length; i++) {
      GroupGrid.Step st = q.steps()[i / g];
      assertThat(grid.round(q.values()[i], st)).as("re-rounding element %d on its group's grid", i).isEqualTo(q.values()[i]);
      assertThat(grid.code(q.values()[i], st)).isEqualTo(q.codes()[i]);
      if (grid == GroupGrid.of(QuantFormat.Q4_0) || grid.format() == QuantFormat.INT4_G128 || grid == GroupGrid.INT3_G32) {
        assertThat(Float.float16ToFloat(Float.floatToFloat16(st.scale()))).as("fp16 scale").isEqualTo(st.scale());
      }
    }
    if (grid.format() != null) assertThat(q.toMatrix().dequantize()).as("the packed matrix holds the same values").containsExactly(q.values());
  }

  @Test
  void withAnIdentityHessianGptqIsRoundToNearest() {
    LayerData d = LayerData.random(16, 256, 10, false, 5);
    double[] h = new double[256 * 256];
    for (int j = 0; j < 256; j++) h[j * 256 + j] = 1;
    for (QuantFormat f : QuantFormat.values()) {
      GridWeights q = Gptq.quantize(d.w, d.rows, d.cols, h, GroupGrid.of(f), GptqConfig.defaults());
      assertThat(q.toMatrix().dequantize()).as(f.id()).containsExactly(dev.fathom.quant.QuantizedMatrix.quantize(f, d.w, 0, 16, 256).dequantize());
    }
  }

  @Test
  void inverseHessianFactorTimesTheDampedHessianIsTheIdentity() {
    LayerData d = LayerData.random(1, 70, 200, true, 7);
    double[] h = d.stats().hessian();
    h[3 * 70 + 3] = 0;  // zero a row/column: a dead channel
    for (int j = 0; j < 70; j++) {
      h[3 * 70 + j] = 0;
      h[j * 70 + 3] = 0;
    }
    InverseHessian inv = InverseHessian.of(h, 70, 0.01);
    assertThat(inv.dead()[3]).isTrue();
    double mean = 0;
    for (int j = 0; j < 70; j++) mean += j == 3 ? 1 : h[j * 70 + j];
    mean /= 70;
    for (int j = 0; j < 70; j++) h[j * 70 + j] = (j == 3 ? 1 : h[j * 70 + j]) + 0.01 * mean;
    float[] u = inv.u();
    for (int i = 0; i < 70; i++) {
      for (int j = 0; j < 70; j++) {
        double s = 0;  // (UᵀU·H)_ij
        for (int k = 0; k < 70; k++) {
          double hinvIk = 0;
          for (int m = 0; m <= Math.min(i, k); m++) hinvIk += (double) u[m * 70 + i] * u[m * 70 + k];
          s += hinvIk * h[k * 70 + j];
        }
        assertThat(s).as("(H⁻¹H)[%d,%d]", i, j).isCloseTo(i == j ? 1 : 0, org.assertj.core.data.Offset.offset(2e-3));
      }
      for (int j = 0; j < i; j++) assertThat(u[i * 70 + j]).as("upper").isZero();
    }
  }

  @Test
  void badShapesAndSettingsSayWhatWasExpected() {
    assertThatThrownBy(() -> Gptq.quantize(new float[2 * 100], 2, 100, new double[100 * 100], GroupGrid.of(QuantFormat.Q4_0), GptqConfig.defaults()))
        .hasMessageContaining("multiple of the block size 32, got 100");
    assertThatThrownBy(() -> new GptqConfig(0, 0.01)).hasMessageContaining("expected >= 1, got 0");
    assertThatThrownBy(() -> new GptqConfig(128, -1)).hasMessageContaining("expected a finite value >= 0, got -1.0");
    assertThatThrownBy(() -> GroupGrid.parse("int2")).hasMessageContaining("unknown quantization grid 'int2'").hasMessageContaining("int3g32");
  }
}
