package dev.fathom.quant;

/**
 * Round-to-nearest quantization into each {@link QuantFormat}. Scales stored as fp16 are rounded
 * to fp16 before the values are quantized with them, so the stored grid is the one rounded to:
 * every element is within half a step of its dequantized value, except where a grid's end clamps
 * (Q4_0's +8·|d| side, at most one step).
 */
final class RoundToNearest {
  private RoundToNearest() {}

  static QuantizedMatrix quantize(QuantFormat f, float[] w, int off, int rows, int cols) {
    long n = (long) rows * cols;
    return switch (f) {
      case Q8_0 -> {
        byte[] q = new byte[(int) n];
        float[] d = new float[(int) (n / 32)];
        for (int b = 0; b < d.length; b++) d[b] = symmetric(w, off + b * 32, 32, 127, q, b * 32, true);
        yield new QuantizedMatrix(f, rows, cols, q, d, null);
      }
      case INT8 -> {
        byte[] q = new byte[(int) n];
        float[] s = new float[rows];
        for (int o = 0; o < rows; o++) s[o] = symmetric(w, off + o * cols, cols, 127, q, o * cols, false);
        yield new QuantizedMatrix(f, rows, cols, q, s, null);
      }
      case Q4_0 -> {
        byte[] q = new byte[(int) (n / 2)];
        float[] d = new float[(int) (n / 32)];
        for (int b = 0; b < d.length; b++) d[b] = q4Block(w, off + b * 32, q, b * 16);
        yield new QuantizedMatrix(f, rows, cols, q, d, null);
      }
      case INT4_G128 -> {
        byte[] q = new byte[(int) (n / 2)];
        float[] s = new float[(int) (n / 128)];
        byte[] z = new byte[s.length];
        for (int g = 0; g < s.length; g++) s[g] = int4Group(w, off + g * 128, q, g * 64, z, g);
        yield new QuantizedMatrix(f, rows, cols, q, s, z);
      }
    };
  }

  /** Symmetric: s = max|x| / qmax (fp16-rounded when asked), q = round(x / s) in [−qmax, qmax]. Returns s. */
  private static float symmetric(float[] w, int off, int n, int qmax, byte[] q, int qOff, boolean fp16) {
    float amax = 0f;
    for (int i = 0; i < n; i++) amax = Math.max(amax, Math.abs(w[off + i]));
    float s = amax / qmax;
    if (fp16) s = Float.float16ToFloat(Float.floatToFloat16(s));
    float inv = s != 0f ? 1f / s : 0f;
    for (int i = 0; i < n; i++) q[qOff + i] = (byte) Math.clamp(Math.round(w[off + i] * inv), -qmax, qmax);
    return s;
  }

  /** llama.cpp's Q4_0 rule: d = m / −8 for the value m of largest magnitude, q = min(15, ⌊x/d + 8.5⌋). Returns d. */
  private static float q4Block(float[] w, int off, byte[] q, int qOff) {
    float amax = 0f, m = 0f;
    for (int i = 0; i < 32; i++) {
      float v = w[off + i];
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        m = v;
      }
    }
    float d = Float.float16ToFloat(Float.floatToFloat16(m / -8f));
    float inv = d != 0f ? 1f / d : 0f;
    for (int j = 0; j < 16; j++) {
      int lo = Math.clamp((int) Math.floor(w[off + j] * inv + 8.5f), 0, 15);
      int hi = Math.clamp((int) Math.floor(w[off + j + 16] * inv + 8.5f), 0, 15);
      q[qOff + j] = (byte) (lo | hi << 4);
    }
    return d;
  }

  /**
   * Asymmetric 4-bit over a group of 128 with 0 inside the range (so 0 is exact):
   * s = (max − min) / 15 (fp16-rounded), z = round(−min / s), q = clamp(round(x / s) + z, 0, 15). Returns s.
   */
  private static float int4Group(float[] w, int off, byte[] q, int qOff, byte[] z, int g) {
    float min = 0f, max = 0f;
    for (int i = 0; i < 128; i++) {
      min = Math.min(min, w[off + i]);
      max = Math.max(max, w[off + i]);
    }
    float s = Float.float16ToFloat(Float.floatToFloat16((max - min) / 15f));
    if (s == 0f) s = 1f;  // an all-zero group: any scale, every q = z = 0
    float inv = 1f / s;
    int zero = Math.clamp(Math.round(-min * inv), 0, 15);
    z[g] = (byte) zero;
    for (int j = 0; j < 64; j++) {
      int lo = Math.clamp(Math.round(w[off + j] * inv) + zero, 0, 15);
      int hi = Math.clamp(Math.round(w[off + j + 64] * inv) + zero, 0, 15);
      q[qOff + j] = (byte) (lo | hi << 4);
    }
    return s;
  }
}
