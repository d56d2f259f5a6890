package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VecMathTest {

  /** Awkward sizes around the vector width, plus one above the parallel threshold. */
  private static final int[] SIZES = {1, 7, 8, 9, 15, 16, 17, 31, 33, 1023, 1025, 70001};
  private static final int OFF = 3;

  private static float[] random(SplittableRandom rnd, int n, double lo, double hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    return a;
  }

  @FunctionalInterface
  private interface Binary {
    void apply(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);
  }

  @FunctionalInterface
  private interface Unary {
    void apply(float[] x, int xOff, float[] out, int outOff, int n);
  }

  private static void binaryParity(String name, Binary vec, Binary ref) {
    binaryParity(name, vec, ref, true);
  }

  private static void binaryParity(String name, Binary vec, Binary ref, boolean checkInPlace) {
    SplittableRandom rnd = new SplittableRandom(name.hashCode());
    for (int n : SIZES) {
      float[] a = random(rnd, n + OFF, -3, 3), b = random(rnd, n + 2 * OFF, -3, 3);
      float[] out = new float[n + OFF + 1], expected = new float[n + OFF + 1];
      vec.apply(a, OFF, b, 2 * OFF, out, 1, n);
      ref.apply(a, OFF, b, 2 * OFF, expected, 1, n);
      assertArrayEquals(expected, out, name + " n=" + n);
      if (!checkInPlace) continue;
      float[] inPlace = Arrays.copyOf(a, a.length);
      vec.apply(inPlace, OFF, b, 2 * OFF, inPlace, OFF, n);
      assertArrayEquals(Arrays.copyOfRange(expected, 1, 1 + n),
          Arrays.copyOfRange(inPlace, OFF, OFF + n), name + " in place n=" + n);
    }
  }

  @Test
  void exactArithmeticMatchesScalarTwinBitwise() {
    binaryParity("add", VecMath::add, ScalarMath::add);
    binaryParity("sub", VecMath::sub, ScalarMath::sub);
    binaryParity("mul", VecMath::mul, ScalarMath::mul);
    binaryParity("div", VecMath::div, ScalarMath::div);
    binaryParity("addScalar", (a, ao, b, bo, o, oo, n) -> VecMath.addScalar(a, ao, 0.37f, o, oo, n),
        (a, ao, b, bo, o, oo, n) -> ScalarMath.addScalar(a, ao, 0.37f, o, oo, n));
    binaryParity("mulScalar", (a, ao, b, bo, o, oo, n) -> VecMath.mulScalar(a, ao, -1.3f, o, oo, n),
        (a, ao, b, bo, o, oo, n) -> ScalarMath.mulScalar(a, ao, -1.3f, o, oo, n));
    binaryParity("axpy", (a, ao, b, bo, o, oo, n) -> {
      System.arraycopy(b, bo, o, oo, n);
      VecMath.axpy(0.7f, a, ao, o, oo, n);
    }, (a, ao, b, bo, o, oo, n) -> {
      System.arraycopy(b, bo, o, oo, n);
      ScalarMath.axpy(0.7f, a, ao, o, oo, n);
    }, false);
    binaryParity("relu", (a, ao, b, bo, o, oo, n) -> VecMath.relu(a, ao, o, oo, n),
        (a, ao, b, bo, o, oo, n) -> ScalarMath.relu(a, ao, o, oo, n));
    binaryParity("reluBackward", VecMath::reluBackward, ScalarMath::reluBackward);
  }

  @Test
  void reluKeepsNaNAndReluBackwardUsesStrictlyPositiveInputs() {
    float inf = Float.POSITIVE_INFINITY;
    float[] x = {-1f, 0f, -0f, 2f, Float.NaN, -inf, inf, 1e-40f, -1e-40f};
    float[] out = new float[x.length];
    VecMath.relu(x, 0, out, 0, x.length);
    assertArrayEquals(new float[] {0f, 0f, -0f, 2f, Float.NaN, 0f, inf, 1e-40f, 0f}, out);
    float[] g = new float[x.length];
    Arrays.fill(g, 3f);
    VecMath.reluBackward(g, 0, x, 0, out, 0, x.length);
    assertArrayEquals(new float[] {0f, 0f, 0f, 3f, 0f, 0f, 3f, 3f, 0f}, out);
  }

  /** Vector transcendentals agree with the double-precision twin to within a few float ulps. */
  private static void unaryParity(String name, Unary vec, Unary ref, double lo, double hi) {
    SplittableRandom rnd = new SplittableRandom(name.hashCode());
    for (int n : SIZES) {
      float[] x = random(rnd, n + OFF, lo, hi);
      float[] out = new float[n], expected = new float[n];
      vec.apply(x, OFF, out, 0, n);
      ref.apply(x, OFF, expected, 0, n);
      for (int i = 0; i < n; i++) {
        float tol = 4 * Math.ulp(expected[i]) + 1e-37f;
        assertEquals(expected[i], out[i], tol, name + "(" + x[OFF + i] + ") n=" + n + " i=" + i);
      }
      vec.apply(x, OFF, x, OFF, n);
      assertArrayEquals(out, Arrays.copyOfRange(x, OFF, OFF + n), name + " in place n=" + n);
    }
  }

  @Test
  void transcendentalsMatchScalarTwinWithinUlps() {
    unaryParity("exp", VecMath::exp, ScalarMath::exp, -87, 88);
    unaryParity("sigmoid", VecMath::sigmoid, ScalarMath::sigmoid, -30, 30);
    unaryParity("tanh", VecMath::tanh, ScalarMath::tanh, -10, 10);
    unaryParity("tanh small", VecMath::tanh, ScalarMath::tanh, -1e-3, 1e-3);
  }

  @Test
  void transcendentalsHandleSpecialValues() {
    float inf = Float.POSITIVE_INFINITY;
    float[] x = {Float.NaN, inf, -inf, 0f, 100f, -100f, -200f, 200f};
    Unary[][] pairs = {
        {VecMath::exp, ScalarMath::exp},
        {VecMath::sigmoid, ScalarMath::sigmoid},
        {VecMath::tanh, ScalarMath::tanh}};
    for (Unary[] pair : pairs) {
      float[] out = new float[x.length], expected = new float[x.length];
      pair[0].apply(x, 0, out, 0, x.length);
      pair[1].apply(x, 0, expected, 0, x.length);
      for (int i = 0; i < x.length; i++) assertEquals(expected[i], out[i], 1e-37f, "at " + x[i]);
    }
  }

  @Test
  void reductionsMatchScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int n : SIZES) {
      float[] a = random(rnd, n + OFF, -2, 3), b = random(rnd, n + 1, -1, 1);
      double s = ScalarMath.sum(a, OFF, n), d = ScalarMath.dot(a, OFF, b, 1, n);
      assertEquals(s, VecMath.sum(a, OFF, n), 1e-12 * n, "sum n=" + n);
      assertEquals(d, VecMath.dot(a, OFF, b, 1, n), 1e-12 * n, "dot n=" + n);
      assertEquals(ScalarMath.max(a, OFF, n), VecMath.max(a, OFF, n), "max n=" + n);
      assertEquals(VecMath.sum(a, OFF, n), VecMath.sum(a, OFF, n), "sum is deterministic");
    }
    assertEquals(0.0, VecMath.sum(new float[4], 2, 0));
    assertEquals(Float.NEGATIVE_INFINITY, VecMath.max(new float[4], 2, 0));
    float[] withNaN = new float[40];
    withNaN[37] = Float.NaN;
    assertThat(VecMath.max(withNaN, 0, 40)).isNaN();
    withNaN[37] = 5f;
    withNaN[3] = Float.NaN;
    assertThat(VecMath.max(withNaN, 0, 40)).isNaN();
    float[] ones = new float[(1 << 17) + 5];
    Arrays.fill(ones, 1f);
    assertEquals(ones.length, VecMath.sum(ones, 0, ones.length));
  }

  @Test
  void rangesOutsideTheArrayAreRejected() {
    assertThatThrownBy(() -> VecMath.add(new float[10], 0, new float[10], 1, new float[10], 0, 10))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> VecMath.sum(new float[10], 5, 6))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void softmaxRowsSumToOneAndMatchTwin() {
    SplittableRandom rnd = new SplittableRandom(6);
    for (int cols : new int[] {1, 7, 8, 9, 15, 16, 17, 1023, 1025}) {
      int rows = cols > 100 ? 40 : 5;
      float[] x = random(rnd, OFF + rows * cols, -20, 20);
      x[OFF] = 1000f;
      float[] out = new float[rows * cols], twin = new float[rows * cols];
      VecMath.softmaxRows(x, OFF, rows, cols, out, 0);
      ScalarMath.softmaxRows(x, OFF, rows, cols, twin, 0);
      for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int j = 0; j < cols; j++) {
          float p = out[r * cols + j];
          assertThat(p).isBetween(0f, 1f);
          assertEquals(twin[r * cols + j], p, 1e-6f + 1e-5f * twin[r * cols + j], "cols=" + cols);
          s += p;
        }
        assertEquals(1.0, s, 1e-5, "row " + r + " cols=" + cols);
      }
      float[] logOut = new float[rows * cols], logTwin = new float[rows * cols];
      VecMath.logSoftmaxRows(x, OFF, rows, cols, logOut, 0);
      ScalarMath.logSoftmaxRows(x, OFF, rows, cols, logTwin, 0);
      for (int i = 0; i < rows * cols; i++) {
        float tol = 2e-5f + 1e-6f * Math.abs(logTwin[i]);
        assertEquals(logTwin[i], logOut[i], tol, "log cols=" + cols);
        assertEquals(twin[i], Math.exp(logOut[i]), 1e-5 * twin[i] + 1e-7, "exp(log) cols=" + cols);
      }
      float[] inPlace = Arrays.copyOf(x, x.length);
      VecMath.softmaxRows(inPlace, OFF, rows, cols, inPlace, OFF);
      assertArrayEquals(out, Arrays.copyOfRange(inPlace, OFF, OFF + rows * cols),
          "in place cols=" + cols);
    }
  }

  @Test
  void softmaxRowsAreParallelOverRowsAndDeterministic() {
    SplittableRandom rnd = new SplittableRandom(7);
    int rows = 300, cols = 1025;
    float[] x = random(rnd, rows * cols, -5, 5);
    float[] a = new float[x.length], b = new float[x.length], row = new float[cols];
    VecMath.softmaxRows(x, 0, rows, cols, a, 0);
    VecMath.softmaxRows(x, 0, rows, cols, b, 0);
    assertArrayEquals(a, b);
    for (int r : new int[] {0, 149, 299}) {
      VecMath.softmaxRows(x, r * cols, 1, cols, row, 0);
      assertArrayEquals(row, Arrays.copyOfRange(a, r * cols, (r + 1) * cols), "row " + r);
    }
  }

  /** Cross-entropy of one row in double: −Σ q_j log p_j, q = (1 − ε)·onehot(t) + ε/C. */
  private static double referenceLoss(float[] logits, int base, int cols, int t, double eps) {
    double m = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < cols; j++) m = Math.max(m, logits[base + j]);
    double s = 0;
    for (int j = 0; j < cols; j++) s += Math.exp(logits[base + j] - m);
    double loss = 0;
    for (int j = 0; j < cols; j++) {
      double logP = logits[base + j] - m - Math.log(s);
      double q = (j == t ? 1 - eps : 0) + eps / cols;
      loss -= q * logP;
    }
    return loss;
  }

  @Test
  void crossEntropyMatchesDoubleReferenceAndFiniteDifferences() {
    SplittableRandom rnd = new SplittableRandom(8);
    for (int cols : new int[] {1, 7, 8, 9, 15, 16, 17, 1023, 1025}) {
      for (float eps : new float[] {0f, 0.1f}) {
        int rows = cols > 100 ? 33 : 6;
        float[] logits = random(rnd, rows * cols, -8, 8);
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = rnd.nextInt(cols);
        targets[rows - 1] = -100;
        float[] loss = new float[rows], grad = new float[rows * cols];
        float[] twinLoss = new float[rows], twinGrad = new float[rows * cols];
        float[] lossOnly = new float[rows];
        Arrays.fill(grad, Float.NaN);
        VecMath.crossEntropyRows(logits, rows, cols, targets, -100, eps, loss, grad);
        ScalarMath.crossEntropyRows(logits, rows, cols, targets, -100, eps, twinLoss, twinGrad);
        VecMath.crossEntropyRows(logits, rows, cols, targets, -100, eps, lossOnly, null);
        assertArrayEquals(loss, lossOnly);
        for (int r = 0; r < rows; r++) {
          int base = r * cols;
          if (targets[r] == -100) {
            assertEquals(0f, loss[r]);
            for (int j = 0; j < cols; j++) assertEquals(0f, grad[base + j]);
            continue;
          }
          double ref = referenceLoss(logits, base, cols, targets[r], eps);
          assertEquals(ref, loss[r], 1e-5 * Math.max(1, ref), "loss cols=" + cols + " eps=" + eps);
          assertEquals(twinLoss[r], loss[r], 1e-5 * Math.max(1, ref), "twin loss cols=" + cols);
          double gradSum = 0;
          for (int j = 0; j < cols; j++) {
            assertEquals(twinGrad[base + j], grad[base + j], 1e-6, "twin grad cols=" + cols);
            gradSum += grad[base + j];
          }
          assertEquals(0.0, gradSum, 1e-5, "softmax minus a distribution sums to 0");
          for (int j : new int[] {0, targets[r], cols - 1}) {
            float keep = logits[base + j];
            double h = 1e-3;
            logits[base + j] = (float) (keep + h);
            double plus = referenceLoss(logits, base, cols, targets[r], eps);
            logits[base + j] = (float) (keep - h);
            double minus = referenceLoss(logits, base, cols, targets[r], eps);
            logits[base + j] = keep;
            double stepped = (float) (keep + h) - (double) (float) (keep - h);
            assertEquals((plus - minus) / stepped, grad[base + j], 1e-5,
                "d loss / d x[" + j + "] cols=" + cols);
          }
        }
      }
    }
  }

  @Test
  void crossEntropyIsStableForHugeLogitsAndAcceptsGradInPlace() {
    float[] logits = {1000f, -1000f, 0f, 999f};
    int[] targets = {0};
    float[] loss = new float[1];
    float[] inPlace = logits.clone();
    VecMath.crossEntropyRows(logits, 1, 4, targets, -100, 0.2f, loss, null);
    double expected = referenceLoss(logits, 0, 4, 0, 0.2);
    assertEquals(expected, loss[0], 1e-3);
    float[] loss2 = new float[1], grad = new float[4];
    VecMath.crossEntropyRows(logits, 1, 4, targets, -100, 0.2f, loss2, grad);
    VecMath.crossEntropyRows(inPlace, 1, 4, targets, -100, 0.2f, loss, inPlace);
    assertEquals(loss2[0], loss[0]);
    assertArrayEquals(grad, inPlace);
  }

  @Test
  void crossEntropyRejectsABadTargetBeforeWriting() {
    float[] logits = new float[3 * 10];
    int[] targets = {1, -100, 12};
    float[] loss = {7f, 7f, 7f};
    assertThatThrownBy(() -> VecMath.crossEntropyRows(logits, 3, 10, targets, -100, 0f, loss, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target 12")
        .hasMessageContaining("row 2")
        .hasMessageContaining("10 classes");
    assertArrayEquals(new float[] {7f, 7f, 7f}, loss);
    int[] negative = {-1, 0, 0};
    assertThatThrownBy(
            () -> VecMath.crossEntropyRows(logits, 3, 10, negative, -100, 0f, loss, null))
        .hasMessageContaining("target -1")
        .hasMessageContaining("row 0");
    int[] zeros = new int[3];
    assertThatThrownBy(
            () -> VecMath.crossEntropyRows(logits, 3, 10, zeros, -100, 1.5f, loss, null))
        .hasMessageContaining("label smoothing");
  }
}
