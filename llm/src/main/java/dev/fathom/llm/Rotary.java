package dev.fathom.llm;

/**
 * Rotary position embedding tables in the Hugging Face ("rotate half") layout: for a head vector
 * x of size D and i &lt; D/2, position p rotates the pair (x[i], x[i + D/2]) by the angle
 * p·invFreq[i]. Frequencies follow {@code rope_theta} and the optional {@code rope_scaling}
 * (linear or llama3). Angles are formed in float32 as PyTorch does, so long positions agree with
 * the reference to the last bit of the angle; the tables grow on demand.
 */
public final class Rotary {
  private final int half;
  private final float[] invFreq;
  private float[] cos = new float[0], sin = new float[0];
  private int positions;

  public Rotary(int headDim, double theta, RopeScaling scaling) {
    if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("Rotary: head dim must be even and positive, got " + headDim);
    this.half = headDim / 2;
    this.invFreq = inverseFrequencies(headDim, theta, scaling);
  }

  public Rotary(LlamaConfig c) {
    this(c.headDim(), c.ropeTheta(), c.ropeScaling());
  }

  /** invFreq[i] = 1 / theta^(2i/D), then scaled as the config says. */
  static float[] inverseFrequencies(int headDim, double theta, RopeScaling s) {
    int half = headDim / 2;
    float[] f = new float[half];
    for (int i = 0; i < half; i++) f[i] = (float) (1.0 / (float) Math.pow(theta, (float) (2 * i) / headDim));
    if (s == null) return f;
    double factor = s.factor();
    if (s.ropeType().equals("linear")) {
      for (int i = 0; i < half; i++) f[i] = (float) (f[i] / factor);
      return f;
    }
    double original = s.originalMaxPositionEmbeddings();
    double lowWavelen = original / s.lowFreqFactor(), highWavelen = original / s.highFreqFactor();
    for (int i = 0; i < half; i++) {
      double freq = f[i], wavelen = 2 * Math.PI / freq;
      if (wavelen < highWavelen) continue;
      if (wavelen > lowWavelen) {
        f[i] = (float) (freq / factor);
      } else {
        double smooth = (original / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        f[i] = (float) ((1 - smooth) * freq / factor + smooth * freq);
      }
    }
    return f;
  }

  /** Half the head size: the number of rotated pairs. */
  public int half() {
    return half;
  }

  /** Makes the tables cover positions [0, n). */
  public synchronized void ensure(int n) {
    if (n <= positions) return;
    int grown = Math.max(n, Math.min(Integer.MAX_VALUE / half, Math.max(64, positions * 2)));
    float[] c = new float[grown * half], s = new float[grown * half];
    System.arraycopy(cos, 0, c, 0, positions * half);
    System.arraycopy(sin, 0, s, 0, positions * half);
    for (int p = positions; p < grown; p++) row(invFreq, p, c, s, p * half);
    cos = c;
    sin = s;
    positions = grown;
  }

  /**
   * Writes the cosines and sines of position {@code pos} (one per inverse frequency) to
   * {@code cos[off..]} and {@code sin[off..]}: the angle formed in float as PyTorch forms it,
   * {@code (float) pos · invFreq[i]}. The tables are built from it, and a position past a table
   * can be computed on its own with the same bits.
   */
  public static void row(float[] invFreq, int pos, float[] cos, float[] sin, int off) {
    for (int i = 0; i < invFreq.length; i++) {
      float angle = (float) pos * invFreq[i];
      cos[off + i] = (float) Math.cos(angle);
      sin[off + i] = (float) Math.sin(angle);
    }
  }

  /** cos table, row p holds the {@link #half()} cosines of position p (call {@link #ensure} first). */
  public float[] cos() {
    return cos;
  }

  /** sin table, laid out as {@link #cos()}. */
  public float[] sin() {
    return sin;
  }

  /** The scaled inverse frequencies (a copy). */
  public float[] inverseFrequencies() {
    return invFreq.clone();
  }

  /**
   * Rotates {@code heads} head vectors of size 2·half stored contiguously at {@code off} in place,
   * all at position {@code pos}. {@code sign} +1 applies the rotation, −1 its inverse (the backward).
   */
  public static void rotate(float[] x, int off, int heads, int half, float[] cos, float[] sin, int pos, float sign) {
    int t = pos * half;
    for (int h = 0; h < heads; h++) {
      int base = off + h * 2 * half;
      for (int i = 0; i < half; i++) {
        float c = cos[t + i], s = sign * sin[t + i];
        float a = x[base + i], b = x[base + half + i];
        x[base + i] = a * c - b * s;
        x[base + half + i] = b * c + a * s;
      }
    }
  }
}
