package dev.fathom.quant;

/**
 * Integer codes and group steps → the in-memory arrays of a {@link QuantizedMatrix}: int8 codes as
 * bytes (q8_0, int8), 4-bit codes as nibbles (q4_0: byte j holds elements j and j + 16 of its
 * block; int4g128: j and j + 64 of its group, j and j + ⌈r/2⌉ in a short last group of r), scales
 * as floats, int4g128 zero points as bytes.
 */
final class PackedCodes {
  private PackedCodes() {}

  static QuantizedMatrix pack(QuantFormat f, int rows, int cols, int[] codes, GroupGrid.Step[] steps) {
    GroupGrid grid = GroupGrid.of(f);
    int g = grid.groupSize(cols), perRow = grid.groups(cols), groups = rows * perRow;
    if (codes.length != (long) rows * cols || steps.length != groups) {
      throw new IllegalArgumentException(f + " (" + rows + ", " + cols + "): expected " + (long) rows * cols + " codes and " + groups
          + " steps, got " + codes.length + " and " + steps.length);
    }
    float[] scales = new float[groups];
    byte[] zeros = f == QuantFormat.INT4_G128 ? new byte[groups] : null;
    for (int b = 0; b < groups; b++) {
      GroupGrid.Step st = steps[b];
      int wantZero = switch (f) {
        case Q4_0 -> 8;
        case INT4_G128 -> st.zero();
        default -> 0;
      };
      if (st.zero() != wantZero || st.zero() < 0 || st.zero() > 15 || !Float.isFinite(st.scale())) {
        throw new IllegalArgumentException(f + ": step of group " + b + " is " + st + ", expected a finite scale and zero point "
            + (f == QuantFormat.INT4_G128 ? "in [0, 15]" : String.valueOf(wantZero)));
      }
      scales[b] = st.scale();
      if (zeros != null) zeros[b] = (byte) st.zero();
    }
    boolean nibbles = f == QuantFormat.Q4_0 || f == QuantFormat.INT4_G128;
    int lo = nibbles ? 0 : -127, hi = nibbles ? 15 : 127;
    for (int i = 0; i < codes.length; i++) {
      if (codes[i] < lo || codes[i] > hi) {
        throw new IllegalArgumentException(f + ": code " + codes[i] + " at element " + i + " is outside [" + lo + ", " + hi + "]");
      }
    }
    byte[] q = new byte[nibbles ? rows * ((cols + 1) / 2) : codes.length];
    if (!nibbles) {
      for (int i = 0; i < codes.length; i++) q[i] = (byte) codes[i];
    } else {
      int at = 0;  // value bytes so far: each group's ⌈n/2⌉ follow the previous group's
      for (int r = 0; r < rows; r++) {
        for (int b = 0; b < perRow; b++) {
          int c0 = r * cols + b * g, n = grid.groupLength(cols, b), half = (n + 1) / 2;
          for (int j = 0; j < half; j++) q[at + j] = (byte) (codes[c0 + j] | (j + half < n ? codes[c0 + j + half] << 4 : 0));
          at += half;
        }
      }
    }
    return new QuantizedMatrix(f, rows, cols, q, scales, zeros);
  }
}
