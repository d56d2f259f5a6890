package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.autograd.Grad;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.Sgd;
import dev.fathom.optim.SgdConfig;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Small models really learn: an MLP separates a problem no linear model can (XOR quadrants with
 * a margin, and two concentric rings), measured on held-out points. Each test takes about a
 * second, mostly JIT warm-up; the timeout leaves room for a loaded machine.
 */
class LearningTest {

  /** Points in [-1, 1]² with |x|, |y| ≥ 0.1; label 1 when x·y > 0 (XOR of the signs). */
  private static Tensor[] xorQuadrants(Rng rng, int n) {
    float[] x = new float[2 * n];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < 2; d++) {
        float v = 0.1f + 0.9f * rng.nextFloat();
        x[2 * i + d] = rng.nextFloat() < 0.5f ? -v : v;
      }
      y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
    }
    return new Tensor[] {Tensor.of(x, n, 2), Tensor.ofLongs(y, n)};
  }

  /** Two rings: radius in [0, 0.5) (class 0) or [0.7, 1) (class 1). */
  private static Tensor[] rings(Rng rng, int n) {
    float[] x = new float[2 * n];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      int c = i % 2;
      double r = c == 0 ? 0.5 * rng.nextDouble() : 0.7 + 0.3 * rng.nextDouble();
      double a = 2 * Math.PI * rng.nextDouble();
      x[2 * i] = (float) (r * Math.cos(a));
      x[2 * i + 1] = (float) (r * Math.sin(a));
      y[i] = c;
    }
    return new Tensor[] {Tensor.of(x, n, 2), Tensor.ofLongs(y, n)};
  }

  private static double accuracy(Module model, Tensor x, Tensor y) {
    model.eval();
    Tensor pred;
    try (var g = Grad.disabled()) {
      pred = model.call(x).argmax(1, false);
    }
    model.train();
    int ok = 0;
    for (int i = 0; i < y.numel(); i++) if (pred.getLong(i) == y.getLong(i)) ok++;
    return (double) ok / y.numel();
  }

  /** Full-batch training; returns {first loss, last loss}. */
  private static double[] fit(Module model, Optimizer opt, Tensor x, Tensor y, int steps) {
    double first = Double.NaN, last = Double.NaN;
    for (int s = 0; s < steps; s++) {
      opt.zeroGrad();
      Tensor loss = F.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      if (s == 0) first = loss.item();
      last = loss.item();
    }
    return new double[] {first, last};
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void mlpLearnsXorQuadrants() {
    Rng rng = new Rng(42);
    Tensor[] train = xorQuadrants(rng, 128), test = xorQuadrants(rng, 512);
    Sequential mlp = new Sequential(new Linear(2, 16, rng), Activation.tanh(), new Linear(16, 16, rng), Activation.relu(),
        new Linear(16, 2, rng));
    double linearBaseline = accuracy(mlp, test[0], test[1]);
    double[] loss = fit(mlp, new AdamW(mlp.parameters(), new AdamConfig(0.05, 0.9, 0.999, 1e-8, 0.01)), train[0], train[1], 120);
    assertThat(loss[1]).isLessThan(0.2 * loss[0]);
    assertThat(accuracy(mlp, test[0], test[1])).as("held-out accuracy (untrained: %.2f)", linearBaseline).isGreaterThan(0.95);
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void mlpWithBatchNormAndDropoutLearnsRingsWithSgd() {
    Rng rng = new Rng(7);
    Tensor[] train = rings(rng, 128), test = rings(rng, 512);
    Sequential mlp = new Sequential(new Linear(2, 32, rng), new BatchNorm1d(32), Activation.relu(), new Dropout(0.1, rng),
        new Linear(32, 2, rng));
    double[] loss = fit(mlp, new Sgd(mlp.parameters(), new SgdConfig(0.2, 0.9, 0, 1e-4, true)), train[0], train[1], 80);
    assertThat(loss[1]).isLessThan(0.3 * loss[0]);
    assertThat(accuracy(mlp, test[0], test[1])).isGreaterThan(0.95);
  }
}
