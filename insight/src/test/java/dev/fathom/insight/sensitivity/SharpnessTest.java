package dev.fathom.insight.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** Sharpness against the exact expectation on a quadratic, zero at radius 0, parameters restored. */
class SharpnessTest {
  private static List<Tensor> params(Rng rng) {
    return List.of(Tensor.randn(rng, 7, 5), Tensor.randn(rng, 13).mul(3f), Tensor.zeros(4));
  }

  /** L(θ) = Σ (θ − θ*)², with θ* the values at construction. */
  private static DoubleSupplier quadratic(List<Tensor> params) {
    List<float[]> star = params.stream().map(p -> p.data().clone()).toList();
    return () -> {
      double l = 0;
      for (int p = 0; p < params.size(); p++) {
        float[] d = params.get(p).data();
        for (int i = 0; i < d.length; i++) l += (double) (d[i] - star.get(p)[i]) * (d[i] - star.get(p)[i]);
      }
      return l;
    };
  }

  @Test
  void quadraticMinimumGivesRhoSquaredTimesTheSquaredNorm() {
    List<Tensor> ps = params(new Rng(1));
    double sq = 0;
    for (Tensor p : ps) for (float v : p.data()) sq += (double) v * v;
    double rho = 0.1;
    // E‖Δ_p‖² = numel·σ_p² = ρ²‖θ_p‖²; the zero tensor is not moved
    double s = Sharpness.expectedLossIncrease(ps, quadratic(ps), rho, 4000, new Rng(2));
    assertThat(s).isCloseTo(rho * rho * sq, within(0.03 * rho * rho * sq));
    double s4 = Sharpness.expectedLossIncrease(ps, quadratic(ps), 2 * rho, 4000, new Rng(3));
    assertThat(s4 / s).as("quadratic in the radius").isCloseTo(4.0, within(0.2));
  }

  @Test
  void zeroAtRadiusZeroAndParametersRestored() {
    List<Tensor> ps = params(new Rng(4));
    List<float[]> before = ps.stream().map(p -> p.data().clone()).toList();
    DoubleSupplier odd = () -> {
      double l = 0;
      for (Tensor p : ps) for (float v : p.data()) l += Math.sin(3 * v) + v * v * v;
      return l;
    };
    assertThat(Sharpness.expectedLossIncrease(ps, odd, 0, 5, new Rng(5))).isZero();
    Sharpness.expectedLossIncrease(ps, odd, 0.3, 5, new Rng(6));
    for (int p = 0; p < ps.size(); p++) assertThat(ps.get(p).data()).isEqualTo(before.get(p));
  }

  @Test
  void parametersAreRestoredWhenTheLossThrows() {
    List<Tensor> ps = params(new Rng(7));
    List<float[]> before = ps.stream().map(p -> p.data().clone()).toList();
    int[] calls = {0};
    assertThatThrownBy(() -> Sharpness.expectedLossIncrease(ps, () -> {
      if (calls[0]++ > 0) throw new IllegalStateException("boom");
      return 0;
    }, 0.5, 3, new Rng(8))).hasMessage("boom");
    for (int p = 0; p < ps.size(); p++) assertThat(ps.get(p).data()).isEqualTo(before.get(p));
  }

  @Test
  void badArgumentsAreRejected() {
    List<Tensor> ps = params(new Rng(9));
    assertThatThrownBy(() -> Sharpness.expectedLossIncrease(ps, () -> 0, -0.1, 3, new Rng(1))).hasMessageContaining("radius must be finite and >= 0, got -0.1");
    assertThatThrownBy(() -> Sharpness.expectedLossIncrease(ps, () -> 0, Double.NaN, 3, new Rng(1))).hasMessageContaining("got NaN");
    assertThatThrownBy(() -> Sharpness.expectedLossIncrease(ps, () -> 0, 0.1, 0, new Rng(1))).hasMessageContaining("draws must be >= 1, got 0");
    assertThatThrownBy(() -> Sharpness.expectedLossIncrease(List.of(), () -> 0, 0.1, 1, new Rng(1))).hasMessageContaining("no parameters");
  }
}
