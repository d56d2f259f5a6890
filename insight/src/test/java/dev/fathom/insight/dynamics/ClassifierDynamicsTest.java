package dev.fathom.insight.dynamics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ClassifierDynamicsTest {

  /**
   * For z = W·x + b, ∂z_i/∂W_jk = δ_ij·x_k and ∂z_i/∂b_j = δ_ij, so K(x_o, x_u) = (x_o·x_u + 1)·I;
   * A and G follow from the softmax computed here by hand.
   */
  @Test
  void akgOfALinearSoftmaxModelIsTheHandCalculation() {
    int d = 4, v = 3, y = 2;
    Linear lin = new Linear(d, v, new Rng(3));
    ClassifierDynamics dyn = new ClassifierDynamics(new Sequential(lin));
    Tensor xs = TinyModels.inputs(2, d, 5);
    Tensor xo = xs.narrow(0, 0, 1), xu = xs.narrow(0, 1, 1);

    double[] pio = softmax(lin, xo.data()), piu = softmax(lin, xu.data());
    double kk = 1;
    for (int i = 0; i < d; i++) kk += (double) xo.data()[i] * xu.data()[i];
    double[] kg = new double[v];
    for (int i = 0; i < v; i++) kg[i] = kk * (piu[i] - (i == y ? 1 : 0));
    double mean = 0;
    for (int i = 0; i < v; i++) mean += pio[i] * kg[i];

    Decomposition dec = dyn.decompose(xo, xu, y, Direction.POSITIVE);
    for (int i = 0; i < v; i++) {
      for (int j = 0; j < v; j++) {
        assertThat(dec.k()[i][j]).as("K[%d][%d]", i, j).isCloseTo(i == j ? kk : 0, within(1e-5 * Math.abs(kk)));
        assertThat(dec.a()[i][j]).isCloseTo((i == j ? 1 : 0) - pio[j], within(1e-6));
      }
      assertThat(dec.rate()[i]).as("−AKG[%d]", i).isCloseTo(-(kg[i] - mean), within(1e-5 * Math.abs(kk)));
    }
    double[] neg = dyn.decompose(xo, xu, y, Direction.NEGATIVE).rate();
    for (int i = 0; i < v; i++) assertThat(neg[i]).isCloseTo(kg[i] - mean, within(1e-5 * Math.abs(kk)));
  }

  /** A step of −η with the positive gradient is a step of +η with the negative one: a central difference. */
  @Test
  void firstOrderIsTheCentralDifferenceOfRealSteps() {
    Sequential m = TinyModels.mlp(5, 8, 3, 11);
    ClassifierDynamics dyn = new ClassifierDynamics(m);
    Tensor probes = TinyModels.inputs(6, 5, 12), xu = TinyModels.inputs(1, 5, 13);
    double eta = 2e-2;
    double[][] rate = dyn.firstOrder(xu, 1, Direction.POSITIVE, probes);
    double[][] up = dyn.afterStep(xu, 1, Direction.POSITIVE, probes, eta), down = dyn.afterStep(xu, 1, Direction.NEGATIVE, probes, eta);
    double scale = 0;
    for (double[] r : rate) for (double x : r) scale = Math.max(scale, Math.abs(x));
    assertThat(scale).isGreaterThan(1e-3);
    for (int i = 0; i < rate.length; i++) {
      for (int c = 0; c < 3; c++) {
        assertThat((up[i][c] - down[i][c]) / (2 * eta)).as("probe %d class %d", i, c).isCloseTo(rate[i][c], within(2e-2 * scale));
      }
    }
  }

  @Test
  void predictionAgreesAtSmallEtaAndTheResidualShrinksQuadratically() {
    Sequential m = TinyModels.mlp(6, 16, 4, 21);
    ClassifierDynamics dyn = new ClassifierDynamics(m);
    Tensor probes = TinyModels.inputs(12, 6, 22), xu = TinyModels.inputs(1, 6, 23);
    double[][] rate = dyn.firstOrder(xu, 0, Direction.POSITIVE, probes);
    double eta = 0.1;
    double[] residual = new double[3];
    for (int h = 0; h < 3; h++) {
      double e = eta / (1 << h);
      double[][] predicted = new double[rate.length][];
      for (int i = 0; i < rate.length; i++) predicted[i] = java.util.Arrays.stream(rate[i]).map(r -> r * e).toArray();
      Agreement a = Agreement.of(predicted, dyn.actualChange(xu, 0, Direction.POSITIVE, probes, e));
      assertThat(a.pearson()).as("Pearson at eta %s", e).isGreaterThan(0.99);
      residual[h] = a.residualNorm();
    }
    assertThat(residual[0] / residual[1]).isBetween(3.0, 5.0);
    assertThat(residual[1] / residual[2]).isBetween(3.0, 5.0);
  }

  @Test
  void theStepLeavesTheParametersAsTheyWere() {
    Sequential m = TinyModels.mlp(3, 4, 2, 31);
    float[] before = m.parameters().get(0).data().clone();
    new ClassifierDynamics(m).actualChange(TinyModels.inputs(1, 3, 1), 1, Direction.NEGATIVE, TinyModels.inputs(2, 3, 2), 0.5);
    assertThat(m.parameters().get(0).data()).containsExactly(before);
    assertThat(m.parameters().get(0).grad()).isNull();
  }

  @Test
  void badArgumentsAreRejected() {
    ClassifierDynamics dyn = new ClassifierDynamics(TinyModels.mlp(3, 4, 2, 31));
    Tensor x = TinyModels.inputs(1, 3, 1);
    assertThatThrownBy(() -> dyn.actualChange(x, 0, Direction.POSITIVE, x, 0)).hasMessageContaining("positive learning rate");
    assertThatThrownBy(() -> dyn.firstOrder(x, 5, Direction.POSITIVE, x)).hasMessageContaining("class in [0, 2)");
    assertThatThrownBy(() -> dyn.decompose(TinyModels.inputs(2, 3, 1), x, 0, Direction.POSITIVE)).hasMessageContaining("one example");
  }

  private static double[] softmax(Linear lin, float[] x) {
    int v = lin.weight.size(0), d = lin.weight.size(1);
    double[] z = new double[v];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      z[i] = lin.bias.data()[i];
      for (int k = 0; k < d; k++) z[i] += (double) lin.weight.data()[i * d + k] * x[k];
      max = Math.max(max, z[i]);
    }
    double s = 0;
    for (int i = 0; i < v; i++) s += Math.exp(z[i] - max);
    for (int i = 0; i < v; i++) z[i] = Math.exp(z[i] - max) / s;
    return z;
  }
}
