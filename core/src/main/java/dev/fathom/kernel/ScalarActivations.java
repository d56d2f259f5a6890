package dev.fathom.kernel;

/**
 * Plain scalar twins of {@link Activations}: the same float formulas in the same order
 * (e^x from {@link VecExp#exp(float)}), one element at a time, single-threaded. The reference
 * in parity tests and the path taken when {@link Kernels#scalarOnly()} is set. No argument
 * checks beyond the JVM's own: {@link Activations} checks before delegating.
 */
public final class ScalarActivations {

  static final float RSQRT2 = 0.70710678118654752f;
  static final float RSQRT2PI = 0.39894228040143268f;
  static final float SQRT2PI = 0.79788456080286536f;
  static final float C3 = 0.044715f;

  private ScalarActivations() {}

  /** {@code out[i] = x[i]·σ(x[i])} (SiLU, swish). */
  public static void silu(float[] xArr, int xOff, float[] outArr, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      float x = xArr[xOff + i];
      float s = sigmoid(x);
      float out = x * s;
      outArr[outOff + i] = out;
    }
  }

  /** Gradient of {@link #silu}: {@code dx[i] = grad[i]·σ(x)·(1 + x·(1 − σ(x)))}. */
  public static void siluBackward(float[] gradArr, int gradOff, float[] xArr, int xOff, float[] dxArr, int dxOff, int n) {
    for (int i = 0; i < n; i++) {
      float grad = gradArr[gradOff + i];
      float x = xArr[xOff + i];
      float s = sigmoid(x);
      float dx = grad * (s * (x * (1f - s) + 1f));
      dxArr[dxOff + i] = dx;
    }
  }

  /** {@code out[i] = x·Φ(x) = ½·x·(1 + erf(x/√2))} (exact GELU; erf to about 1.5e-7). */
  public static void gelu(float[] xArr, int xOff, float[] outArr, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      float x = xArr[xOff + i];
      float out = x * 0.5f * (erf(x * RSQRT2) + 1f);
      outArr[outOff + i] = out;
    }
  }

  /** Gradient of {@link #gelu}: {@code dx = grad·(Φ(x) + x·φ(x))}, φ the standard normal density. */
  public static void geluBackward(float[] gradArr, int gradOff, float[] xArr, int xOff, float[] dxArr, int dxOff, int n) {
    for (int i = 0; i < n; i++) {
      float grad = gradArr[gradOff + i];
      float x = xArr[xOff + i];
      float cdf = (erf(x * RSQRT2) + 1f) * 0.5f;
      float pdf = VecExp.exp(x * x * -0.5f) * RSQRT2PI;
      float dx = grad * (x * pdf + cdf);
      dxArr[dxOff + i] = dx;
    }
  }

  /** {@code out[i] = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (GELU, tanh approximation). */
  public static void geluTanh(float[] xArr, int xOff, float[] outArr, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      float x = xArr[xOff + i];
      float t = tanh((x * x * x * C3 + x) * SQRT2PI);
      float out = x * 0.5f * (t + 1f);
      outArr[outOff + i] = out;
    }
  }

  /** Gradient of {@link #geluTanh}: {@code dx = grad·(½(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²))}. */
  public static void geluTanhBackward(float[] gradArr, int gradOff, float[] xArr, int xOff, float[] dxArr, int dxOff, int n) {
    for (int i = 0; i < n; i++) {
      float grad = gradArr[gradOff + i];
      float x = xArr[xOff + i];
      float x2 = x * x;
      float t = tanh((x2 * x * C3 + x) * SQRT2PI);
      float du = (x2 * (3f * C3) + 1f) * SQRT2PI;
      float d = (t + 1f + x * (1f - t * t) * du) * 0.5f;
      float dx = grad * d;
      dxArr[dxOff + i] = dx;
    }
  }

  /** {@code out[i] = silu(gate[i])·up[i]} (the SwiGLU gate of a Llama MLP) in one pass. */
  public static void swiglu(float[] gateArr, int gateOff, float[] upArr, int upOff, float[] outArr, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      float gate = gateArr[gateOff + i];
      float up = upArr[upOff + i];
      float out = gate * sigmoid(gate) * up;
      outArr[outOff + i] = out;
    }
  }

  /** Both gradients of {@link #swiglu} in one pass: {@code dGate = grad·up·σ(g)·(1 + g·(1 − σ(g)))}, {@code dUp = grad·g·σ(g)}. */
  public static void swigluBackward(float[] gradArr, int gradOff, float[] gateArr, int gateOff, float[] upArr, int upOff, float[] dGateArr, int dGateOff, float[] dUpArr, int dUpOff, int n) {
    for (int i = 0; i < n; i++) {
      float grad = gradArr[gradOff + i];
      float gate = gateArr[gateOff + i];
      float up = upArr[upOff + i];
      float s = sigmoid(gate);
      float dUp = grad * (gate * s);
      float dGate = grad * up * (s * (gate * (1f - s) + 1f));
      dGateArr[dGateOff + i] = dGate;
      dUpArr[dUpOff + i] = dUp;
    }
  }

  static float sigmoid(float v) {
    return 1f / (VecExp.exp(-v) + 1f);
  }

  static float tanh(float u) {
    return 1f - 2f / (VecExp.exp(u + u) + 1f);
  }

  static float erf(float z) {
    float a = Math.abs(z);
    float t = 1f / (a * 0.3275911f + 1f);
    float p = t * 1.061405429f - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1f - p * t * VecExp.exp(-(a * a));
    return z < 0f ? -y : y;
  }
}
