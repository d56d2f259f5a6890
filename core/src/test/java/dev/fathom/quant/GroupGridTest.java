package dev.fathom.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

class GroupGridTest {
  @Test
  void codesAndStepsPackIntoAMatrixThatDequantizesToTheGridValues() {
    Rng rng = new Rng(3);
    int rows = 3, cols = 256;
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
    for (QuantFormat f : QuantFormat.values()) {
      GroupGrid grid = GroupGrid.of(f);
      int g = grid.groupSize(cols);
      int[] codes = new int[w.length];
      GroupGrid.Step[] steps = new GroupGrid.Step[w.length / g];
      float[] want = new float[w.length];
      for (int b = 0; b < steps.length; b++) {
        steps[b] = grid.fit(w, b * g, g);
        for (int i = b * g; i < (b + 1) * g; i++) {
          codes[i] = grid.code(w[i], steps[b]);
          want[i] = grid.value(codes[i], steps[b]);
        }
      }
      QuantizedMatrix m = QuantizedMatrix.fromCodes(f, rows, cols, codes, steps);
      assertThat(m.dequantize()).as(f.id()).containsExactly(want);
      assertThat(m.dequantize()).as(f.id() + " = round to nearest").containsExactly(QuantizedMatrix.quantize(f, w, 0, rows, cols).dequantize());
    }
  }

  @Test
  void int3GridHasEightLevelsPerGroupAndExactZero() {
    float[] w = new float[32];
    for (int i = 0; i < 32; i++) w[i] = (float) Math.sin(i * 0.7) + 0.3f;
    GroupGrid.Step st = GroupGrid.INT3_G32.fit(w, 0, 32);
    assertThat(st.zero()).isBetween(0, 7);
    assertThat(GroupGrid.INT3_G32.round(0f, st)).isZero();
    for (float v : w) {
      assertThat(GroupGrid.INT3_G32.code(v, st)).isBetween(0, 7);
      assertThat(Math.abs(GroupGrid.INT3_G32.round(v, st) - v)).isLessThanOrEqualTo(st.scale() / 2 + 1e-6f);
    }
  }

  @Test
  void badCodesAndStepsAreRejected() {
    GroupGrid.Step q4 = new GroupGrid.Step(0.5f, 8);
    int[] codes = new int[32];
    codes[5] = 16;
    assertThatThrownBy(() -> QuantizedMatrix.fromCodes(QuantFormat.Q4_0, 1, 32, codes, new GroupGrid.Step[] {q4}))
        .hasMessageContaining("code 16 at element 5 is outside [0, 15]");
    assertThatThrownBy(() -> QuantizedMatrix.fromCodes(QuantFormat.Q4_0, 1, 32, new int[32], new GroupGrid.Step[] {new GroupGrid.Step(0.5f, 3)}))
        .hasMessageContaining("expected a finite scale and zero point 8");
    assertThatThrownBy(() -> QuantizedMatrix.fromCodes(QuantFormat.Q8_0, 1, 32, new int[31], new GroupGrid.Step[] {q4}))
        .hasMessageContaining("expected 32 codes and 1 steps, got 31 and 1");
  }
}
