package dev.fathom.insight.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The recorded factors against 1/√(var + ε) computed by hand, and the hooks' removal. */
class LayerNormBlowupTest {
  static final class TwoNorms extends Module {
    final LayerNorm a = child("a", new LayerNorm(4));
    final LayerNorm b = child("b", new LayerNorm(new int[] {4}, 0.5, true));

    @Override
    public Tensor forward(Tensor x) {
      return b.call(a.call(x).mul(0.1f));
    }
  }

  @Test
  void factorsAreOneOverTheRowStandardDeviation() {
    TwoNorms m = new TwoNorms();
    // rows with biased variances 1.25 and 5: (-1.5, -0.5, 0.5, 1.5)·1 and ·2
    Tensor x = Tensor.of(new float[] {-1.5f, -0.5f, 0.5f, 1.5f, -3, -1, 1, 3}, 2, 4);
    try (LayerNormBlowup probe = LayerNormBlowup.attach(m)) {
      m.call(x);
      double a = (1 / Math.sqrt(1.25 + 1e-5) + 1 / Math.sqrt(5 + 1e-5)) / 2;
      assertThat(probe.meanFactors().get("a")).isCloseTo(a, within(1e-6));
      // b sees the normalized rows scaled by 0.1: variance 0.01·(1 − tiny), ε = 0.5
      assertThat(probe.meanFactors().get("b")).isCloseTo(1 / Math.sqrt(0.01 + 0.5), within(1e-4));
      assertThat(probe.meanBlowup()).isCloseTo(1 / Math.sqrt(0.51), within(1e-4));
      assertThat(probe.maxBlowup()).isCloseTo(1 / Math.sqrt(0.01 + 0.5), within(1e-4));
      probe.close();
      m.call(x.mul(1e-3f));
      assertThat(probe.meanFactors().get("a")).as("nothing is recorded after close").isCloseTo(a, within(1e-6));
    }
  }

  @Test
  void aPositionRestrictsTheRows() {
    LayerNorm ln = new LayerNorm(2);
    // (B=2, T=2, D=2): position 1 holds the rows (0, 2) and (0, 6), variances 1 and 9
    Tensor x = Tensor.of(new float[] {0, 100, 0, 2, 5, -5, 0, 6}, 2, 2, 2);
    try (LayerNormBlowup all = LayerNormBlowup.attach(ln); LayerNormBlowup at1 = LayerNormBlowup.attach(ln, 1)) {
      ln.call(x);
      assertThat(at1.meanBlowup()).isCloseTo((1 / Math.sqrt(1 + 1e-5) + 1 / Math.sqrt(9 + 1e-5)) / 2, within(1e-6));
      assertThat(all.maxBlowup()).isCloseTo(1 / Math.sqrt(1 + 1e-5), within(1e-6));
      assertThat(all.meanBlowup()).isLessThan(at1.meanBlowup());
    }
    assertThatThrownBy(() -> {
      try (LayerNormBlowup at5 = LayerNormBlowup.attach(ln, 5)) {
        ln.call(x);
      }
    }).hasMessageContaining("position 5 but the input has T = 2");
  }

  @Test
  void aModelWithoutLayerNormIsRejected() {
    assertThatThrownBy(() -> LayerNormBlowup.attach(new Linear(2, 2, new Rng(1)))).hasMessageContaining("has no LayerNorm");
  }
}
