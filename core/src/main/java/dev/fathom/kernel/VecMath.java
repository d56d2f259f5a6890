package dev.fathom.kernel;

import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for contiguous float arrays: element-wise arithmetic and activations,
 * reductions, and row-wise softmax, log-softmax and fused softmax cross-entropy.
 *
 * <p>Every array is addressed as {@code (array, offset)} with a shared length {@code n}, or as a
 * row-major (rows, cols) matrix. An output may alias an input exactly (same array and offset);
 * partial overlaps are not supported. When {@link Kernels#scalarOnly()} is set each method
 * delegates to its twin in {@link ScalarMath}.
 *
 * <p>Accuracy: add, sub, mul, div, addScalar, mulScalar, axpy, relu and reluBackward round
 * exactly like their scalar twins (no fused multiply-add), so the two paths agree bitwise. exp
 * and sigmoid use {@link VecExp} (about 1 ulp, built from IEEE-exact lane operations, so the
 * same bits interpreted or JIT-compiled: the JDK's {@code VectorOperators.EXP} is not, and a
 * training run would then depend on JIT timing); tanh is scalar {@code Math.tanh} for the same
 * reason. Every element, including the tail, goes through the same vector code, so results do not
 * depend on where a parallel chunk or the tail begins.
 *
 * <p>Every method throws {@link IndexOutOfBoundsException} if a range {@code [off, off + n)} does
 * not fit its array, before writing anything.
 */
public final class VecMath {

  /*
   * Design. Element-wise kernels are written once over a range [from, to) so that arrays of at
   * least PARALLEL_MIN elements can be split into static chunks by Parallel.forRange; below that
   * the thread hand-off costs more than it saves. Each range loop is a plain vector body with a
   * masked (transcendentals) or scalar (exact arithmetic) tail. Reductions are single-threaded so
   * their summation order depends only on the vector width L, and they never use reduceLanes for
   * sums (its floating-point order is unspecified): lane partials are folded by a fixed halving
   * tree (lane i += lane i + L/2, then L/4, ...). Row kernels are parallel over rows; one row is
   * always reduced by one thread.
   */

  private static final VectorSpecies<Float> F = Kernels.F;
  private static final VectorSpecies<Double> D = F.withLanes(double.class);
  private static final int L = F.length();
  /** Element-wise chunk size for Parallel.forRange. */
  private static final int GRAIN = 1 << 15;
  /** Arrays shorter than this are processed on the calling thread. */
  private static final int PARALLEL_MIN = 2 * GRAIN;
  /** Minimum number of matrix elements per parallel chunk of rows. */
  private static final int ROW_GRAIN = 1 << 14;

  private VecMath() {}

  /** {@code out[i] = a[i] + b[i]} for i in [0, n). */
  public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    check(a, aOff, n);
    check(b, bOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.add(a, aOff, b, bOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      addRange(a, aOff, b, bOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> addRange(a, aOff, b, bOff, out, outOff, s, e));
    }
  }

  /** {@code out[i] = a[i] − b[i]} for i in [0, n). */
  public static void sub(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    check(a, aOff, n);
    check(b, bOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.sub(a, aOff, b, bOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      subRange(a, aOff, b, bOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> subRange(a, aOff, b, bOff, out, outOff, s, e));
    }
  }

  /** {@code out[i] = a[i] · b[i]} for i in [0, n). */
  public static void mul(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    check(a, aOff, n);
    check(b, bOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.mul(a, aOff, b, bOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      mulRange(a, aOff, b, bOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> mulRange(a, aOff, b, bOff, out, outOff, s, e));
    }
  }

  /** {@code out[i] = a[i] / b[i]} for i in [0, n) (IEEE division: x/0 is ±∞ or NaN). */
  public static void div(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    check(a, aOff, n);
    check(b, bOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.div(a, aOff, b, bOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      divRange(a, aOff, b, bOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> divRange(a, aOff, b, bOff, out, outOff, s, e));
    }
  }

  /** {@code out[i] = a[i] + s} for i in [0, n). */
  public static void addScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    check(a, aOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.addScalar(a, aOff, s, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      addScalarRange(a, aOff, s, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (lo, hi) -> addScalarRange(a, aOff, s, out, outOff, lo, hi));
    }
  }

  /** {@code out[i] = a[i] · s} for i in [0, n). */
  public static void mulScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    check(a, aOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.mulScalar(a, aOff, s, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      mulScalarRange(a, aOff, s, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (lo, hi) -> mulScalarRange(a, aOff, s, out, outOff, lo, hi));
    }
  }

  /** {@code y[i] += alpha · x[i]} for i in [0, n) (multiply, then add: no fused multiply-add). */
  public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    check(x, xOff, n);
    check(y, yOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.axpy(alpha, x, xOff, y, yOff, n);
    } else if (n < PARALLEL_MIN) {
      axpyRange(alpha, x, xOff, y, yOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> axpyRange(alpha, x, xOff, y, yOff, s, e));
    }
  }

  /** {@code out[i] = max(x[i], 0)}, written {@code x < 0 ? 0 : x} so that NaN stays NaN. */
  public static void relu(float[] x, int xOff, float[] out, int outOff, int n) {
    check(x, xOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.relu(x, xOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      reluRange(x, xOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> reluRange(x, xOff, out, outOff, s, e));
    }
  }

  /**
   * Gradient of {@link #relu}: {@code dx[i] = x[i] > 0 ? grad[i] : 0} (the subgradient at 0 is 0,
   * as in PyTorch).
   */
  public static void reluBackward(float[] grad, int gradOff, float[] x, int xOff,
      float[] dx, int dxOff, int n) {
    check(grad, gradOff, n);
    check(x, xOff, n);
    check(dx, dxOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.reluBackward(grad, gradOff, x, xOff, dx, dxOff, n);
    } else if (n < PARALLEL_MIN) {
      reluBackwardRange(grad, gradOff, x, xOff, dx, dxOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN,
          (s, e) -> reluBackwardRange(grad, gradOff, x, xOff, dx, dxOff, s, e));
    }
  }

  /** {@code out[i] = e^x[i]}. */
  public static void exp(float[] x, int xOff, float[] out, int outOff, int n) {
    check(x, xOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.exp(x, xOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      expRange(x, xOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> expRange(x, xOff, out, outOff, s, e));
    }
  }

  /** {@code out[i] = σ(x[i]) = 1 / (1 + e^−x[i])}; saturates to exactly 0 or 1 for large |x|. */
  public static void sigmoid(float[] x, int xOff, float[] out, int outOff, int n) {
    check(x, xOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.sigmoid(x, xOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      sigmoidRange(x, xOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> sigmoidRange(x, xOff, out, outOff, s, e));
    }
  }

  /** {@code out[i] = tanh(x[i]) = (e^x − e^−x) / (e^x + e^−x)}. */
  public static void tanh(float[] x, int xOff, float[] out, int outOff, int n) {
    check(x, xOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarMath.tanh(x, xOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      tanhRange(x, xOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> tanhRange(x, xOff, out, outOff, s, e));
    }
  }

  /**
   * {@code Σ a[i]}, accumulated in double precision in a fixed order: with L float lanes and
   * {@code B = n − n mod L}, element i &lt; B is added (in index order) to partial sum i mod L;
   * the L partials are folded by a halving tree (p[k] += p[k + L/2], then L/4, ..., down to
   * p[0]); the elements from B on are then added to p[0] one by one. Single-threaded, so the
   * result depends only on the data and L.
   *
   * @return the sum in double precision (0 when n = 0)
   */
  public static double sum(float[] a, int aOff, int n) {
    check(a, aOff, n);
    if (Kernels.scalarOnly()) return ScalarMath.sum(a, aOff, n);
    DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(F, a, aOff + i);
      lo = lo.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
      hi = hi.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
    }
    double s = foldLanes(lo, hi);
    for (; i < n; i++) s += a[aOff + i];
    return s;
  }

  /**
   * {@code Σ a[i]·b[i]}: every product is exact in double; the sum follows the order documented
   * at {@link #sum}.
   *
   * @return the dot product in double precision (0 when n = 0)
   */
  public static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
    check(a, aOff, n);
    check(b, bOff, n);
    if (Kernels.scalarOnly()) return ScalarMath.dot(a, aOff, b, bOff, n);
    DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      lo = ((DoubleVector) va.convertShape(VectorOperators.F2D, D, 0))
          .fma((DoubleVector) vb.convertShape(VectorOperators.F2D, D, 0), lo);
      hi = ((DoubleVector) va.convertShape(VectorOperators.F2D, D, 1))
          .fma((DoubleVector) vb.convertShape(VectorOperators.F2D, D, 1), hi);
    }
    double s = foldLanes(lo, hi);
    for (; i < n; i++) s += (double) a[aOff + i] * b[bOff + i];
    return s;
  }

  /**
   * {@code max a[i]} with {@link Math#max} semantics: NaN if any element is NaN, +0 beats −0.
   *
   * @return the maximum, or −∞ when n = 0
   */
  public static float max(float[] a, int aOff, int n) {
    check(a, aOff, n);
    if (Kernels.scalarOnly()) return ScalarMath.max(a, aOff, n);
    return maxRange(a, aOff, n);
  }

  /**
   * Row-wise softmax of a (rows, cols) matrix, numerically stable:
   * {@code out[r][j] = e^(x[r][j] − m_r) / Σ_k e^(x[r][k] − m_r)} with
   * {@code m_r = max_k x[r][k]}.
   * Parallel over rows; {@code out} may be {@code x}.
   *
   * @param x input, (rows, cols) from {@code xOff}
   * @param out output, (rows, cols) from {@code outOff}
   * @throws IllegalArgumentException if rows &lt; 0 or cols &lt; 1
   */
  public static void softmaxRows(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    ScalarMath.checkRows(x, xOff, rows, cols, out, outOff);
    if (Kernels.scalarOnly()) {
      ScalarMath.softmaxRows(x, xOff, rows, cols, out, outOff);
      return;
    }
    Parallel.forRange(rows, Math.max(1, ROW_GRAIN / cols), (r0, r1) -> {
      for (int r = r0; r < r1; r++) softmaxRow(x, xOff + r * cols, out, outOff + r * cols, cols);
    });
  }

  /**
   * Row-wise log-softmax of a (rows, cols) matrix, numerically stable:
   * {@code out[r][j] = x[r][j] − m_r − log Σ_k e^(x[r][k] − m_r)} with
   * {@code m_r = max_k x[r][k]}.
   * Parallel over rows; {@code out} may be {@code x}.
   *
   * @param x input, (rows, cols) from {@code xOff}
   * @param out output, (rows, cols) from {@code outOff}
   * @throws IllegalArgumentException if rows &lt; 0 or cols &lt; 1
   */
  public static void logSoftmaxRows(float[] x, int xOff, int rows, int cols,
      float[] out, int outOff) {
    ScalarMath.checkRows(x, xOff, rows, cols, out, outOff);
    if (Kernels.scalarOnly()) {
      ScalarMath.logSoftmaxRows(x, xOff, rows, cols, out, outOff);
      return;
    }
    Parallel.forRange(rows, Math.max(1, ROW_GRAIN / cols), (r0, r1) -> {
      for (int r = r0; r < r1; r++) logSoftmaxRow(x, xOff + r * cols, out, outOff + r * cols, cols);
    });
  }

  /**
   * Fused softmax cross-entropy from logits, per row, with PyTorch's label smoothing. With
   * {@code p = softmax(x_r)}, C = cols, ε = labelSmoothing and target t, the target distribution
   * is {@code q = (1 − ε)·onehot(t) + ε/C} and
   *
   * <pre>
   *   loss_r = −Σ_j q_j log p_j = (1 − ε)·(lse − x_t) + ε·(lse − mean_j x_j)
   *   lse    = log Σ_j e^x_j
   *   grad_r = ∂loss_r/∂x_r = p − q
   * </pre>
   *
   * Rows whose target equals {@code ignoreIndex} get loss 0 and a zero gradient row. The
   * gradient is not divided by the number of rows: the caller applies its reduction. Parallel
   * over rows.
   *
   * @param logits (rows, cols) from index 0
   * @param targets class index per row, (rows)
   * @param ignoreIndex target value that marks a row to skip (PyTorch's default is −100)
   * @param labelSmoothing ε in [0, 1]
   * @param lossPerRow output, (rows)
   * @param gradOrNull output (rows, cols), or null to skip the gradient; may be {@code logits}
   * @throws IllegalArgumentException if a target is neither ignoreIndex nor in [0, cols) (the
   *     message names the row, the value and the number of classes; nothing is written then),
   *     if ε is outside [0, 1], or if rows &lt; 0 or cols &lt; 1
   */
  public static void crossEntropyRows(float[] logits, int rows, int cols, int[] targets,
      int ignoreIndex, float labelSmoothing, float[] lossPerRow, float[] gradOrNull) {
    ScalarMath.checkCrossEntropy(logits, rows, cols, targets, ignoreIndex, labelSmoothing,
        lossPerRow, gradOrNull);
    if (Kernels.scalarOnly()) {
      ScalarMath.crossEntropyRows(logits, rows, cols, targets, ignoreIndex, labelSmoothing,
          lossPerRow, gradOrNull);
      return;
    }
    float eps = labelSmoothing;
    Parallel.forRange(rows, Math.max(1, ROW_GRAIN / cols), (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        crossEntropyRow(logits, r, cols, targets[r], ignoreIndex, eps, lossPerRow, gradOrNull);
      }
    });
  }

  // ---- element-wise range kernels ----

  private static void addRange(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.add(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
    }
    for (; i < to; i++) out[outOff + i] = a[aOff + i] + b[bOff + i];
  }

  private static void subRange(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.sub(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
    }
    for (; i < to; i++) out[outOff + i] = a[aOff + i] - b[bOff + i];
  }

  private static void mulRange(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.mul(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
    }
    for (; i < to; i++) out[outOff + i] = a[aOff + i] * b[bOff + i];
  }

  private static void divRange(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.div(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
    }
    for (; i < to; i++) out[outOff + i] = a[aOff + i] / b[bOff + i];
  }

  private static void addScalarRange(float[] a, int aOff, float s, float[] out, int outOff,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector.fromArray(F, a, aOff + i).add(s).intoArray(out, outOff + i);
    }
    for (; i < to; i++) out[outOff + i] = a[aOff + i] + s;
  }

  private static void mulScalarRange(float[] a, int aOff, float s, float[] out, int outOff,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector.fromArray(F, a, aOff + i).mul(s).intoArray(out, outOff + i);
    }
    for (; i < to; i++) out[outOff + i] = a[aOff + i] * s;
  }

  private static void axpyRange(float alpha, float[] x, int xOff, float[] y, int yOff,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector vx = FloatVector.fromArray(F, x, xOff + i);
      vx.mul(alpha).add(FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
    }
    for (; i < to; i++) y[yOff + i] += alpha * x[xOff + i];
  }

  private static void reluRange(float[] x, int xOff, float[] out, int outOff, int from, int to) {
    int i = from;
    FloatVector zero = FloatVector.zero(F);
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      v.blend(zero, v.compare(VectorOperators.LT, 0f)).intoArray(out, outOff + i);
    }
    for (; i < to; i++) {
      float v = x[xOff + i];
      out[outOff + i] = v < 0f ? 0f : v;
    }
  }

  private static void reluBackwardRange(float[] grad, int gradOff, float[] x, int xOff,
      float[] dx, int dxOff, int from, int to) {
    int i = from;
    FloatVector zero = FloatVector.zero(F);
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      VectorMask<Float> positive =
          FloatVector.fromArray(F, x, xOff + i).compare(VectorOperators.GT, 0f);
      zero.blend(FloatVector.fromArray(F, grad, gradOff + i), positive).intoArray(dx, dxOff + i);
    }
    for (; i < to; i++) dx[dxOff + i] = x[xOff + i] > 0f ? grad[gradOff + i] : 0f;
  }

  private static void expRange(float[] x, int xOff, float[] out, int outOff, int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      VecExp.exp(v).intoArray(out, outOff + i);
    }
    if (i < to) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector v = FloatVector.fromArray(F, x, xOff + i, m);
      VecExp.exp(v).intoArray(out, outOff + i, m);
    }
  }

  private static void sigmoidRange(float[] x, int xOff, float[] out, int outOff, int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      sigmoid(FloatVector.fromArray(F, x, xOff + i)).intoArray(out, outOff + i);
    }
    if (i < to) {
      VectorMask<Float> m = F.indexInRange(i, to);
      sigmoid(FloatVector.fromArray(F, x, xOff + i, m)).intoArray(out, outOff + i, m);
    }
  }

  /** 1 / (1 + e^−v): e^−v overflows to +∞ for v below about −88, giving exactly 0. */
  private static FloatVector sigmoid(FloatVector v) {
    return FloatVector.broadcast(F, 1f).div(VecExp.exp(v.neg()).add(1f));
  }

  /** Scalar Math.tanh: the vector TANH differs between interpreter and JIT (see {@link VecExp}). */
  private static void tanhRange(float[] x, int xOff, float[] out, int outOff, int from, int to) {
    for (int i = from; i < to; i++) out[outOff + i] = (float) Math.tanh(x[xOff + i]);
  }

  // ---- reductions and rows ----

  private static float maxRange(float[] a, int off, int n) {
    FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      acc = acc.max(FloatVector.fromArray(F, a, off + i));
    }
    float m = acc.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) m = Math.max(m, a[off + i]);
    return m;
  }

  /** Folds the L double partials (lo lanes first) by the halving tree of {@link #sum}. */
  private static double foldLanes(DoubleVector lo, DoubleVector hi) {
    DoubleVector v = lo.add(hi);
    for (int half = D.length() / 2; half >= 1; half /= 2) v = v.add(v.slice(half));
    return v.lane(0);
  }

  /**
   * Folds float lane partials by a halving tree (deterministic, unlike reduceLanes(ADD)): lane 0
   * ends as the sum in the order of {@code v.add(v.slice(half))} for half = L/2, ..., 1, computed
   * with constant rotations, which compile to one permute each (slice with a zero vector did not
   * inline in the quantized kernels and cost more than a 512-weight dot product).
   */
  public static float foldLanes(FloatVector v) {
    for (VectorShuffle<Float> r : ROTATE) v = v.add(v.rearrange(r));
    return v.lane(0);
  }

  /** Rotations by L/2, L/4, ..., 1 lanes. */
  private static final VectorShuffle<Float>[] ROTATE = rotations();

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] rotations() {
    int steps = Integer.numberOfTrailingZeros(L);
    VectorShuffle<Float>[] r = new VectorShuffle[steps];
    for (int k = 0, half = L / 2; k < steps; k++, half /= 2) r[k] = VectorShuffle.iota(F, half, 1, true);
    return r;
  }

  /** Writes e^(x − m) to out (may be x) and returns Σ e^(x − m), summed in float lanes. */
  private static float expShiftedSum(float[] x, int xi, float m, float[] out, int oi, int cols) {
    FloatVector acc = FloatVector.zero(F);
    int j = 0;
    for (int bound = F.loopBound(cols); j < bound; j += L) {
      FloatVector e = VecExp.exp(FloatVector.fromArray(F, x, xi + j).sub(m));
      if (out != null) e.intoArray(out, oi + j);
      acc = acc.add(e);
    }
    if (j < cols) {
      VectorMask<Float> k = F.indexInRange(j, cols);
      FloatVector e = VecExp.exp(FloatVector.fromArray(F, x, xi + j, k).sub(m));
      if (out != null) e.intoArray(out, oi + j, k);
      acc = acc.add(e, k);
    }
    return foldLanes(acc);
  }

  private static void softmaxRow(float[] x, int xi, float[] out, int oi, int cols) {
    float m = maxRange(x, xi, cols);
    float inv = 1f / expShiftedSum(x, xi, m, out, oi, cols);
    int j = 0;
    for (int bound = F.loopBound(cols); j < bound; j += L) {
      FloatVector.fromArray(F, out, oi + j).mul(inv).intoArray(out, oi + j);
    }
    if (j < cols) {
      VectorMask<Float> k = F.indexInRange(j, cols);
      FloatVector.fromArray(F, out, oi + j, k).mul(inv).intoArray(out, oi + j, k);
    }
  }

  private static void logSoftmaxRow(float[] x, int xi, float[] out, int oi, int cols) {
    float m = maxRange(x, xi, cols);
    float lse = (float) Math.log(expShiftedSum(x, xi, m, null, 0, cols));
    int j = 0;
    for (int bound = F.loopBound(cols); j < bound; j += L) {
      FloatVector.fromArray(F, x, xi + j).sub(m).sub(lse).intoArray(out, oi + j);
    }
    if (j < cols) {
      VectorMask<Float> k = F.indexInRange(j, cols);
      FloatVector.fromArray(F, x, xi + j, k).sub(m).sub(lse).intoArray(out, oi + j, k);
    }
  }

  private static void crossEntropyRow(float[] logits, int r, int cols, int t, int ignoreIndex,
      float eps, float[] loss, float[] grad) {
    int base = r * cols;
    if (t == ignoreIndex) {
      loss[r] = 0f;
      if (grad != null) Arrays.fill(grad, base, base + cols, 0f);
      return;
    }
    float m = maxRange(logits, base, cols);
    float xt = logits[base + t];
    double sumX = eps == 0f ? 0 : sumRow(logits, base, cols);
    float s = expShiftedSum(logits, base, m, grad, base, cols);
    double lse = m + Math.log(s);
    loss[r] = (float) ((1.0 - eps) * (lse - xt) + eps * (lse - sumX / cols));
    if (grad != null) {
      float inv = 1f / s, uniform = eps / cols;
      int j = 0;
      for (int bound = F.loopBound(cols); j < bound; j += L) {
        FloatVector.fromArray(F, grad, base + j).mul(inv).sub(uniform).intoArray(grad, base + j);
      }
      if (j < cols) {
        VectorMask<Float> k = F.indexInRange(j, cols);
        FloatVector e = FloatVector.fromArray(F, grad, base + j, k);
        e.mul(inv).sub(uniform).intoArray(grad, base + j, k);
      }
      grad[base + t] -= 1f - eps;
    }
  }

  /** Σ x[i .. i + n) in float lanes, folded by the halving tree. */
  private static float sumRow(float[] x, int i, int n) {
    FloatVector acc = FloatVector.zero(F);
    int j = 0;
    for (int bound = F.loopBound(n); j < bound; j += L) {
      acc = acc.add(FloatVector.fromArray(F, x, i + j));
    }
    if (j < n) {
      VectorMask<Float> k = F.indexInRange(j, n);
      acc = acc.add(FloatVector.fromArray(F, x, i + j, k), k);
    }
    return foldLanes(acc);
  }

  private static void check(float[] a, int off, int n) {
    Objects.checkFromIndexSize(off, n, a.length);
  }
}
