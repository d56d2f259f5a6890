package dev.fathom.insight.dynamics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DpoLossTest {

  /** m = 0.5·[(−3 − (−4)) − (−5 − (−4.5))] = 0.5·1.5 = 0.75; L = −log σ(0.75) = log(1 + e^{−0.75}). */
  @Test
  void valueAndGradientMatchTheHandCalculation() {
    double lc = -3, lr = -5, rc = -4, rr = -4.5, beta = 0.5;
    double m = 0.75, sigma = 1 / (1 + Math.exp(-m));
    double expected = -Math.log(sigma);
    assertThat(DpoLoss.value(lc, lr, rc, rr, beta)).isCloseTo(expected, within(1e-12));

    Tensor c = Tensor.scalar((float) lc).requiresGrad(true), r = Tensor.scalar((float) lr).requiresGrad(true);
    Tensor loss = DpoLoss.of(c, r, rc, rr, beta);
    assertThat(loss.item()).isCloseTo((float) expected, within(1e-6f));
    Tensor[] g = Autograd.grad(loss, null, c, r);
    assertThat(g[0].item()).as("∂L/∂log π(y+) = −β·σ(−m)").isCloseTo((float) (-beta * (1 - sigma)), within(1e-6f));
    assertThat(g[1].item()).as("∂L/∂log π(y−) = +β·σ(−m)").isCloseTo((float) (beta * (1 - sigma)), within(1e-6f));
  }

  @Test
  void largeMarginsDoNotOverflow() {
    assertThat(DpoLoss.value(0, 1000, 0, 0, 1)).isCloseTo(1000, within(1e-9));
    assertThat(DpoLoss.value(1000, 0, 0, 0, 1)).isCloseTo(0, within(1e-9));
    Tensor c = Tensor.scalar(0f).requiresGrad(true), r = Tensor.scalar(500f).requiresGrad(true);
    Tensor loss = DpoLoss.of(c, r, 0, 0, 1);
    assertThat(loss.item()).isCloseTo(500f, within(1e-3f));
    assertThat(Autograd.grad(loss, null, c)[0].item()).isCloseTo(-1f, within(1e-6f));
  }

  @Test
  void betaMustBePositive() {
    assertThatThrownBy(() -> DpoLoss.value(0, 0, 0, 0, 0)).hasMessageContaining("beta must be a positive number, got 0.0");
  }
}
