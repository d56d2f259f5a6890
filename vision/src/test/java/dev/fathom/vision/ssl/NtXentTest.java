package dev.fathom.vision.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NtXentTest {
  /** The formula, in doubles, written out independently of the implementation. */
  private static double reference(double[][] z, double tau) {
    int m = z.length, n = m / 2;
    double[][] u = new double[m][];
    for (int i = 0; i < m; i++) {
      double norm = Math.sqrt(z[i][0] * z[i][0] + z[i][1] * z[i][1]);
      u[i] = new double[] {z[i][0] / norm, z[i][1] / norm};
    }
    double total = 0;
    for (int i = 0; i < m; i++) {
      int p = (i + n) % m;
      double denom = 0;
      for (int k = 0; k < m; k++) if (k != i) denom += Math.exp((u[i][0] * u[k][0] + u[i][1] * u[k][1]) / tau);
      total += -((u[i][0] * u[p][0] + u[i][1] * u[p][1]) / tau - Math.log(denom));
    }
    return total / m;
  }

  @Test
  void matchesAHandComputedCaseOfTwoPairs() {
    // pair (a, a') = rows 0 and 2, pair (b, b') = rows 1 and 3; directions at 0°, 90°, 0°, 180° (after normalization)
    double[][] z = {{2, 0}, {0, 3}, {1, 0}, {0, -1}};
    double tau = 0.5;
    // by hand: ẑ = e1, e2, e1, −e2; s/τ: s(0,1) = 0, s(0,2) = 2, s(0,3) = 0; s(1,0) = 0, s(1,2) = 0, s(1,3) = −2.
    // ℓ0 = ℓ2 = −2 + log(e^2 + 2);  ℓ1 = ℓ3 = 2 + log(2 + e^−2)
    double byHand = (2 * (-2 + Math.log(Math.exp(2) + 2)) + 2 * (2 + Math.log(2 + Math.exp(-2)))) / 4;
    assertThat(reference(z, tau)).isCloseTo(byHand, within(1e-12));
    float[] flat = {2, 0, 0, 3, 1, 0, 0, -1};
    assertThat((double) NtXent.loss(Tensor.of(flat, 4, 2), tau).item()).isCloseTo(byHand, within(1e-5));
  }

  @Test
  void matchesTheFormulaOnRandomEmbeddings() {
    Rng rng = new Rng(3);
    for (double tau : new double[] {0.1, 0.5, 2}) {
      double[][] z = new double[6][2];
      float[] flat = new float[12];
      for (int i = 0; i < 12; i++) flat[i] = (float) (z[i / 2][i % 2] = rng.nextGaussian());
      assertThat((double) NtXent.loss(Tensor.of(flat, 6, 2), tau).item()).as("tau %s", tau).isCloseTo(reference(z, tau), within(2e-5 / tau));
    }
  }

  @Test
  void gradientMatchesCentralDifferences() {
    Rng rng = new Rng(11);
    int m = 6, d = 4;
    float[] x = new float[m * d];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    Tensor z = Tensor.of(x.clone(), m, d).requiresGrad(true);
    NtXent.loss(z, 0.3).backward();
    float[] analytic = z.grad().data();
    double maxAbs = 0;
    for (float g : analytic) maxAbs = Math.max(maxAbs, Math.abs(g));
    assertThat(maxAbs).isGreaterThan(1e-3);
    for (int i = 0; i < x.length; i++) {
      double h = 1e-2 * Math.max(1, Math.abs(x[i]));
      float[] plus = x.clone(), minus = x.clone();
      plus[i] += (float) h;
      minus[i] -= (float) h;
      double step = (double) plus[i] - minus[i];
      double numeric = ((double) NtXent.loss(Tensor.of(plus, m, d), 0.3).item() - NtXent.loss(Tensor.of(minus, m, d), 0.3).item()) / step;
      assertThat((double) analytic[i]).as("coordinate %d", i).isCloseTo(numeric, within(1e-2 * Math.max(Math.abs(numeric), 1e-1 * maxAbs) + 1e-4));
    }
  }

  @Test
  void perfectAlignmentGivesALowerLossThanRandomPairs() {
    float[] aligned = {1, 0, 0, 1, 1, 0, 0, 1};
    float[] crossed = {1, 0, 0, 1, 0, 1, 1, 0};
    assertThat(NtXent.loss(Tensor.of(aligned, 4, 2), 0.5).item()).isLessThan(NtXent.loss(Tensor.of(crossed, 4, 2), 0.5).item());
  }

  @Test
  void rejectsOddBatchesAndBadTemperatures() {
    assertThatThrownBy(() -> NtXent.loss(Tensor.zeros(3, 2), 0.5)).hasMessageContaining("(2N, D)").hasMessageContaining("[3, 2]");
    assertThatThrownBy(() -> NtXent.loss(Tensor.ones(4, 2), 0)).hasMessageContaining("temperature").hasMessageContaining("0.0");
  }
}
