package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector kernels of the decode step against their scalar twins at awkward sizes. */
class MatVecTest {
  private static final int[] SIZES = {1, 7, 8, 9, 31, 1023};

  private static float[] random(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
    return a;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 8, 9, 31, 1023})
  void rowsMatchTheScalarTwin(int in) {
    Rng rng = new Rng(in);
    for (int rows : SIZES) {
      for (int batch : new int[] {1, 2, 3, 9}) {  // 2, 3 and 9: the two-input kernel, and its remainder
        for (boolean acc : new boolean[] {false, true}) {
          float[] w = random(rng, 5 + rows * in), bias = acc ? random(rng, 2 + rows) : null;
          float[] x = random(rng, 3 + batch * (in + 2)), y0 = random(rng, 1 + batch * (rows + 4));
          float[] yv = y0.clone(), ys = y0.clone();
          int o0 = rows > 2 ? 1 : 0, o1 = rows;  // a range that does not start at 0
          MatVec.rows(w, 5, in, bias, 2, x, 3, in + 2, batch, yv, 1, rows + 4, o0, o1, acc);
          ScalarMatVec.rows(w, 5, in, bias, 2, x, 3, in + 2, batch, ys, 1, rows + 4, o0, o1, acc);
          for (int r = 0; r < batch; r++) {
            for (int o = 0; o < rows + 4 && 1 + r * (rows + 4) + o < y0.length; o++) {
              int i = 1 + r * (rows + 4) + o;
              if (o < o0 || o >= o1) {
                assertThat(yv[i]).as("untouched %d", i).isEqualTo(y0[i]);
                continue;
              }
              double scale = 1e-30;
              for (int k = 0; k < in; k++) scale += Math.abs(w[5 + o * in + k] * x[3 + r * (in + 2) + k]);
              scale += Math.abs(y0[i]) + (bias == null ? 0 : Math.abs(bias[2 + o]));
              assertThat((double) Math.abs(yv[i] - ys[i])).as("in %d rows %d batch %d row %d", in, rows, batch, o).isLessThanOrEqualTo(2e-6 * scale);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 9, 31, 1023})
  void aBatchGivesEachInputExactlyWhatItGetsAlone(int in) {
    Rng rng = new Rng(50 + in);
    int rows = 7, batch = 9;
    float[] w = random(rng, rows * in), bias = random(rng, rows), x = random(rng, batch * in), all = new float[batch * rows];
    MatVec.rows(w, 0, in, bias, 0, x, 0, in, batch, all, 0, rows, 0, rows, false);
    for (int r = 0; r < batch; r++) {
      float[] one = new float[rows];
      MatVec.rows(w, 0, in, bias, 0, x, r * in, in, 1, one, 0, rows, 0, rows, false);
      assertThat(java.util.Arrays.copyOfRange(all, r * rows, (r + 1) * rows)).as("input %d", r).containsExactly(one);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 8, 9, 31, 1023})
  void dotAndAxpyMatchTheScalarTwins(int n) {
    Rng rng = new Rng(100 + n);
    float[] a = random(rng, n + 3), b = random(rng, n + 5);
    double scale = 1e-30;
    for (int i = 0; i < n; i++) scale += Math.abs(a[3 + i] * b[5 + i]);
    assertThat((double) Math.abs(MatVec.dot(a, 3, b, 5, n) - ScalarMatVec.dot(a, 3, b, 5, n))).isLessThanOrEqualTo(2e-6 * scale);
    float[] yv = random(rng, n + 2), ys = yv.clone();
    MatVec.axpy(0.37f, a, 3, yv, 2, n);
    ScalarMatVec.axpy(0.37f, a, 3, ys, 2, n);
    for (int i = 0; i < n + 2; i++) assertThat(yv[i]).isCloseTo(ys[i], org.assertj.core.api.Assertions.within(1e-6f * (1 + Math.abs(ys[i]))));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 8, 9, 31, 1023})
  void aRowDoesNotDependOnTheRangeItWasComputedIn(int rows) {
    Rng rng = new Rng(rows);
    int in = 37;
    float[] w = random(rng, rows * in), x = random(rng, in), whole = new float[rows], pieces = new float[rows];
    MatVec.rows(w, 0, in, null, 0, x, 0, in, 1, whole, 0, rows, 0, rows, false);
    for (int o = 0; o < rows; o += 3) MatVec.rows(w, 0, in, null, 0, x, 0, in, 1, pieces, 0, rows, o, Math.min(rows, o + 3), false);
    assertThat(pieces).containsExactly(whole);
  }
}
