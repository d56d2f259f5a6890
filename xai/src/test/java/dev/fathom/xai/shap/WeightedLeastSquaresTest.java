package dev.fathom.xai.shap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

class WeightedLeastSquaresTest {

  @Test
  void consistentSystemIsSolvedExactly() {
    Rng rng = new Rng(1);
    int n = 40, p = 7;
    double[][] a = KernelShapTest.gaussian(rng, n, p, 1);
    double[] beta = KernelShapTest.gaussian(rng, 1, p, 3)[0];
    double[] y = new double[n], w = new double[n];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < p; j++) y[r] += a[r][j] * beta[j];
      w[r] = rng.nextDouble() + 0.01;
    }
    double[] got = WeightedLeastSquares.solve(a, y, w, null, "test");
    for (int j = 0; j < p; j++) assertThat(got[j]).isCloseTo(beta[j], within(1e-12));
  }

  @Test
  void solutionSatisfiesTheWeightedRidgeNormalEquations() {
    // (AᵀWA + Λ) β = AᵀW y: the gradient of the objective vanishes, checked without solving it a second way.
    Rng rng = new Rng(2);
    int n = 30, p = 5;
    double[][] a = KernelShapTest.gaussian(rng, n, p, 1);
    double[] y = KernelShapTest.gaussian(rng, 1, n, 1)[0];
    double[] w = new double[n];
    for (int r = 0; r < n; r++) w[r] = rng.nextDouble();
    double[] ridge = {0.5, 0, 2, 0, 0.1};
    double[] beta = WeightedLeastSquares.solve(a, y, w, ridge, "test");
    for (int j = 0; j < p; j++) {
      double g = ridge[j] * beta[j];
      for (int r = 0; r < n; r++) {
        double res = -y[r];
        for (int c = 0; c < p; c++) res += a[r][c] * beta[c];
        g += w[r] * a[r][j] * res;
      }
      assertThat(g).isCloseTo(0, within(1e-12));
    }
    // one column: β = Σ w x y / (Σ w x² + λ)
    double num = 0, den = 3;
    double[][] col = new double[n][1];
    for (int r = 0; r < n; r++) {
      col[r][0] = a[r][0];
      num += w[r] * a[r][0] * y[r];
      den += w[r] * a[r][0] * a[r][0];
    }
    assertThat(WeightedLeastSquares.solve(col, y, w, new double[] {3}, "test")[0]).isCloseTo(num / den, within(1e-13));
  }

  @Test
  void rankDeficientDesignIsReported() {
    double[][] a = {{1, 2}, {2, 4}, {3, 6}};
    assertThatThrownBy(() -> WeightedLeastSquares.solve(a, new double[] {1, 2, 3}, new double[] {1, 1, 1}, null, "who"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("who: ").hasMessageContaining("rank 1 but 2 unknowns");
    // a ridge penalty makes it well posed
    assertThat(WeightedLeastSquares.solve(a, new double[] {1, 2, 3}, new double[] {1, 1, 1}, new double[] {1, 1}, "who"))
        .hasSize(2);
  }
}
