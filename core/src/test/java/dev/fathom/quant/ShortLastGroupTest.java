package dev.fathom.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Rows whose in-features the group size does not divide: the last group of each row holds the
 * remainder (1376 = 10·128 + 96), with its own step fitted from its own values, in the float grids
 * and in the packed int4g128 format.
 */
class ShortLastGroupTest {
  private static final int[] COLS = {1376, 200, 129, 127};

  private static float[] weights(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) w[i] = (float) (r.nextDouble(-0.05, 0.05) * (r.nextInt(40) == 0 ? 8 : 1));
    return w;
  }

  @Test
  void groupsCountTheShortLastGroup() {
    GroupGrid g = GroupGrid.parse("int3g128");
    assertThat(g.groups(1376)).isEqualTo(11);
    assertThat(g.groupLength(1376, 9)).isEqualTo(128);
    assertThat(g.groupLength(1376, 10)).isEqualTo(96);
    assertThat(g.groups(127)).isEqualTo(1);
    assertThat(g.groupLength(127, 0)).isEqualTo(127);
    assertThat(GroupGrid.of(QuantFormat.INT8).groups(1376)).as("int8: one scale per row").isEqualTo(1);
    assertThat(QuantFormat.INT4_G128.rowBytes(1376)).as("10 groups of 67 B + 2 + 1 + 48").isEqualTo(10 * 67 + 51);
    assertThat(QuantFormat.INT4_G128.rowBytes(129)).as("a group of one: scale, zero, one byte").isEqualTo(67 + 4);
    assertThat(QuantFormat.INT4_G128.rowBytes(256)).as("unchanged where 128 divides").isEqualTo(2 * 67);
  }

  /** Every element within half its group's step; the short group's step comes from its own range only. */
  @Test
  void shortGroupRoundingErrorIsAtMostHalfItsOwnStep() {
    for (String name : new String[] {"int3g128", "int4g128", "int2g32"}) {
      GroupGrid grid = GroupGrid.parse(name);
      for (int cols : COLS) {
        int rows = 3, perRow = grid.groups(cols), g = grid.groupSize(cols);
        float[] w = weights(cols, rows * cols);
        w[cols - 1] = 0.9f;  // an outlier in the last group of row 0 must not widen row 0's other groups
        int[] codes = new int[rows * cols];
        GroupGrid.Step[] steps = new GroupGrid.Step[rows * perRow];
        grid.roundToNearest(w, 0, rows, cols, codes, steps);
        for (int r = 0; r < rows; r++) {
          for (int b = 0; b < perRow; b++) {
            int at = r * cols + b * g, n = grid.groupLength(cols, b);
            float lo = 0, hi = 0;
            for (int i = at; i < at + n; i++) {
              lo = Math.min(lo, w[i]);
              hi = Math.max(hi, w[i]);
            }
            GroupGrid.Step st = steps[r * perRow + b];
            assertThat(st.scale()).as("%s cols=%d row %d group %d", name, cols, r, b)
                .isCloseTo((hi - lo) / grid.maxCode(), org.assertj.core.data.Percentage.withPercentage(0.1));
            for (int i = at; i < at + n; i++) {
              float err = Math.abs(w[i] - grid.value(codes[i], st));
              assertThat(err).as("%s cols=%d (%d, %d)", name, cols, r, i - r * cols).isLessThanOrEqualTo(st.scale() / 2 * (1 + 1e-3f));
            }
          }
        }
      }
    }
  }

  /** Packed int4g128 dequantizes to exactly the grid's rounding, the bytes round-trip, and rows() is the dequantized product. */
  @Test
  void packedInt4g128IsTheGridsRoundingAndRoundTrips() {
    GroupGrid grid = GroupGrid.of(QuantFormat.INT4_G128);
    for (int cols : COLS) {
      int rows = 5, perRow = grid.groups(cols);
      float[] w = weights(cols + 1, rows * cols), x = weights(cols + 2, cols);
      QuantizedMatrix m = QuantizedMatrix.quantize(QuantFormat.INT4_G128, w, 0, rows, cols);
      int[] codes = new int[rows * cols];
      GroupGrid.Step[] steps = new GroupGrid.Step[rows * perRow];
      grid.roundToNearest(w, 0, rows, cols, codes, steps);
      float[] back = m.dequantize();
      for (int i = 0; i < back.length; i++) {
        GroupGrid.Step st = steps[(i / cols) * perRow + (i % cols) / 128];
        assertThat(back[i]).as("cols=%d element %d", cols, i).isEqualTo(grid.value(codes[i], st));
      }
      byte[] packed = m.packed();
      assertThat((long) packed.length).isEqualTo(rows * QuantFormat.INT4_G128.rowBytes(cols)).isEqualTo(m.byteSize());
      QuantizedMatrix again = QuantizedMatrix.fromPacked(QuantFormat.INT4_G128, rows, cols, packed);
      assertThat(again.packed()).as("cols=%d", cols).containsExactly(packed);
      assertThat(again.dequantize()).containsExactly(back);
      assertThat(QuantizedMatrix.fromCodes(QuantFormat.INT4_G128, rows, cols, codes, steps).packed()).containsExactly(packed);
      float[] y = new float[rows];
      m.rows(x, 0, cols, 1, null, 0, y, 0, rows, 0, rows, false);
      for (int o = 0; o < rows; o++) {
        double e = 0, mag = 0;
        for (int i = 0; i < cols; i++) {
          e += (double) back[o * cols + i] * x[i];
          mag += Math.abs((double) back[o * cols + i] * x[i]);
        }
        assertThat((double) y[o]).as("cols=%d row %d", cols, o).isCloseTo(e, org.assertj.core.data.Offset.offset(1e-5 * mag + 1e-7));
      }
    }
  }

  /** The short group's bytes: fp16 scale, zero point, then ⌈r/2⌉ bytes, element j low and j + ⌈r/2⌉ high (padding 0 when r is odd). */
  @Test
  void shortGroupBytesFollowTheLayout() {
    int cols = 128 + 5;  // r = 5: h = 3 bytes; elements 0,1,2 low, 3,4 high, byte 2's high nibble padding
    int[] codes = new int[cols];
    for (int i = 0; i < cols; i++) codes[i] = (i * 7 + 3) % 16;
    GroupGrid.Step[] steps = {new GroupGrid.Step(0.5f, 3), new GroupGrid.Step(0.25f, 11)};
    byte[] p = QuantizedMatrix.fromCodes(QuantFormat.INT4_G128, 1, cols, codes, steps).packed();
    assertThat(p).hasSize(67 + 3 + 3);
    int at = 67;
    assertThat(Float.float16ToFloat((short) ((p[at] & 0xFF) | p[at + 1] << 8))).isEqualTo(0.25f);
    assertThat(p[at + 2]).isEqualTo((byte) 11);
    for (int j = 0; j < 3; j++) {
      int hi = j + 3 < 5 ? codes[128 + j + 3] : 0;
      assertThat(p[at + 3 + j] & 0xFF).as("byte %d", j).isEqualTo(codes[128 + j] | hi << 4);
    }
  }

  @Test
  void badShapesAndBytesStillGiveWhatWasExpected() {
    assertThatThrownBy(() -> QuantizedMatrix.quantize(QuantFormat.Q4_0, new float[300], 0, 3, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q4_0: in-features must be a multiple of the block size 32, got 100");
    assertThatThrownBy(() -> GroupGrid.of(QuantFormat.Q8_0).checkColumns(1376 + 16)).hasMessageContaining("got 1392");
    assertThatThrownBy(() -> GroupGrid.parse("int3g128").checkColumns(0)).hasMessageContaining("expected positive in-features, got 0");
    assertThatThrownBy(() -> QuantizedMatrix.fromPacked(QuantFormat.INT4_G128, 2, 1376, new byte[2 * 10 * 67]))
        .hasMessageContaining("expected 1442 packed bytes, got 1340");
    byte[] bad = QuantizedMatrix.quantize(QuantFormat.INT4_G128, weights(3, 200), 0, 1, 200).packed();
    bad[67 + 2] = 16;  // the short group's zero point
    assertThatThrownBy(() -> QuantizedMatrix.fromPacked(QuantFormat.INT4_G128, 1, 200, bad)).hasMessageContaining("zero point of group 1 is 16")
        .hasMessageContaining("expected 0..15");
  }
}
