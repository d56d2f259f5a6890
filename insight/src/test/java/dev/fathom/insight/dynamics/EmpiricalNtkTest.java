package dev.fathom.insight.dynamics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmpiricalNtkTest {

  @Test
  void jacobianMatchesFiniteDifferencesAlongARandomDirection() {
    Sequential m = TinyModels.mlp(4, 6, 3, 7);
    List<Tensor> ps = m.parameters();
    Tensor x = TinyModels.inputs(1, 4, 8);
    double[][] j = EmpiricalNtk.jacobian(m::call, ps, x);
    Rng rng = new Rng(9);
    double[] dir = new double[Params.count(ps)];
    for (int i = 0; i < dir.length; i++) dir[i] = rng.nextGaussian();
    double eps = 1e-2;
    float[][] saved = Params.save(ps);
    double[] plus = shifted(m, ps, x, dir, eps), minus;
    Params.restore(ps, saved);
    minus = shifted(m, ps, x, dir, -eps);
    Params.restore(ps, saved);
    for (int c = 0; c < 3; c++) {
      double jd = Params.dot(j[c], dir), fd = (plus[c] - minus[c]) / (2 * eps);
      assertThat(fd).as("output %d", c).isCloseTo(jd, within(1e-2 * Math.max(1, Math.abs(jd))));
    }
  }

  @Test
  void kernelIsSymmetricAndPositiveSemiDefinite() {
    Sequential m = TinyModels.mlp(5, 7, 3, 17);
    List<Tensor> ps = m.parameters();
    Tensor xs = TinyModels.inputs(3, 5, 18);
    double[][][] j = new double[3][][];
    for (int i = 0; i < 3; i++) j[i] = EmpiricalNtk.jacobian(m::call, ps, xs.narrow(0, i, 1));
    double[][] big = new double[9][9];
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) {
        double[][] k = EmpiricalNtk.kernel(j[a], j[b]), kt = EmpiricalNtk.kernel(j[b], j[a]);
        for (int r = 0; r < 3; r++) {
          for (int c = 0; c < 3; c++) {
            assertThat(k[r][c]).isCloseTo(kt[c][r], within(1e-9 * (1 + Math.abs(k[r][c]))));
            big[a * 3 + r][b * 3 + c] = k[r][c];
          }
        }
      }
    }
    assertThat(minCholeskyPivot(big)).as("smallest Cholesky pivot of the 9×9 Gram matrix").isGreaterThan(0);
  }

  /** Smallest pivot of an LDLᵀ elimination: all pivots ≥ 0 ⇔ PSD (here, with P ≫ 9, > 0). */
  private static double minCholeskyPivot(double[][] k) {
    int n = k.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) a[i] = k[i].clone();
    double min = Double.POSITIVE_INFINITY;
    for (int p = 0; p < n; p++) {
      min = Math.min(min, a[p][p]);
      if (a[p][p] <= 0) return a[p][p];
      for (int i = p + 1; i < n; i++) {
        double f = a[i][p] / a[p][p];
        for (int c = p; c < n; c++) a[i][c] -= f * a[p][c];
      }
    }
    return min;
  }

  private static double[] shifted(Sequential m, List<Tensor> ps, Tensor x, double[] dir, double eps) {
    int o = 0;
    for (Tensor p : ps) {
      float[] d = p.data();
      for (int i = 0; i < d.length; i++) d[i] += (float) (eps * dir[o++]);
    }
    try (var g = Grad.disabled()) {
      float[] z = m.call(x).data();
      return new double[] {z[0], z[1], z[2]};
    }
  }
}
