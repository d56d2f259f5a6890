package dev.fathom.quant;

/**
 * Integer codes and group steps → the in-memory arrays of a {@link QuantizedMatrix}: int8 codes as
 * bytes (q8_0, int8), 4-bit codes as nibbles (q4_0: byte j holds elements j and j + 16 of its
 * block; int4g128: j and j + 64 of its group), scales as floats, int4g128 zero points as bytes.
 */
final class PackedCodes {
  private PackedCodes() {}

  static QuantizedMatrix pack(QuantFormat f, int rows, int cols, int[] codes, GroupGrid.Step[] steps) {
    GroupGrid grid = GroupGrid.of(f);
    int g = grid.groupSize(cols), groups = rows * (cols / g);
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
    byte[] q = new byte[nibbles ? codes.length / 2 : codes.length];
    if (!nibbles) {
      for (int i = 0; i < codes.length; i++) q[i] = (byte) codes[i];
    } else {
      int half = g / 2;
      for (int b = 0; b < codes.length / g; b++) {
        for (int j = 0; j < half; j++) q[b * half + j] = (byte) (codes[b * g + j] | codes[b * g + j + half] << 4);
      }
    }
    return new QuantizedMatrix(f, rows, cols, q, scales, zeros);
  }
}
