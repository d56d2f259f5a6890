package dev.fathom.compress.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.autograd.Grad;
import dev.fathom.nn.F;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class DistillationLossTest {

  private static Tensor logits(Rng rng, int n, int c, double scale) {
    float[] v = new float[n * c];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * scale);
    return Tensor.of(v, n, c);
  }

  private static Tensor labels(Rng rng, int n, int c) {
    long[] y = new long[n];
    for (int i = 0; i < n; i++) y[i] = rng.nextInt(c);
    return Tensor.ofLongs(y, n);
  }

  private static float[] gradOf(Tensor s, Tensor t, Tensor y, DistillConfig cfg) {
    Tensor x = s.detach().requiresGrad(true);
    DistillationLoss.loss(x, t, y, cfg).backward();
    return x.grad().data().clone();
  }

  @Test
  void matchesPyTorchReference() throws IOException {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/golden/distillation.json")) {
      root = new ObjectMapper().readTree(in);
    }
    assertThat(root.path("cases").size()).isEqualTo(5);
    for (JsonNode c : root.path("cases")) {
      int n = c.path("rows").asInt(), k = c.path("classes").asInt();
      Tensor s = Tensor.of(floats(c.path("student")), n, k), t = Tensor.of(floats(c.path("teacher")), n, k);
      long[] y = new long[n];
      for (int i = 0; i < n; i++) y[i] = c.path("targets").get(i).asLong();
      DistillConfig cfg = new DistillConfig(c.path("temperature").asDouble(), c.path("alpha").asDouble());
      Tensor x = s.requiresGrad(true);
      Tensor loss = DistillationLoss.loss(x, t, Tensor.ofLongs(y, n), cfg);
      double expected = c.path("loss").asDouble();
      assertThat((double) loss.item()).as("loss, T=%s alpha=%s", cfg.temperature(), cfg.alpha())
          .isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
      if (cfg.alpha() == 1) {
        assertThat(DistillationLoss.klDivergence(s, t, cfg.temperature())).isCloseTo(c.path("kl").asDouble(), within(1e-6));
      }
      loss.backward();
      float[] g = x.grad().data();
      for (int i = 0; i < g.length; i++) {
        assertThat((double) g[i]).as("grad[%d], T=%s", i, cfg.temperature()).isCloseTo(c.path("grad").get(i).asDouble(), within(2e-6));
      }
    }
  }

  private static float[] floats(JsonNode a) {
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) v[i] = (float) a.get(i).asDouble();
    return v;
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Rng rng = new Rng(7);
    int n = 3, c = 6;
    Tensor s = logits(rng, n, c, 1.5), t = logits(rng, n, c, 1.5), y = labels(rng, n, c);
    DistillConfig cfg = new DistillConfig(3.0, 0.7);
    float[] g = gradOf(s, t, y, cfg);
    float h = 1e-2f;
    for (int i = 0; i < n * c; i++) {
      float[] plus = s.data().clone(), minus = s.data().clone();
      plus[i] += h;
      minus[i] -= h;
      double fd;
      try (var off = Grad.disabled()) {
        fd = ((double) DistillationLoss.loss(Tensor.of(plus, n, c), t, y, cfg).item()
            - DistillationLoss.loss(Tensor.of(minus, n, c), t, y, cfg).item()) / (2 * h);
      }
      assertThat((double) g[i]).as("d/ds[%d]", i).isCloseTo(fd, within(1e-2 * Math.max(Math.abs(fd), 0.02)));
    }
  }

  @Test
  void alphaZeroIsCrossEntropy() {
    Rng rng = new Rng(11);
    int n = 8, c = 10;
    Tensor s = logits(rng, n, c, 3), t = logits(rng, n, c, 3), y = labels(rng, n, c);
    DistillConfig cfg = new DistillConfig(4.0, 0.0);
    float kd = DistillationLoss.loss(s, t, y, cfg).item(), kdNoTeacher = DistillationLoss.loss(s, null, y, cfg).item();
    float ce = F.crossEntropy(s, y).item();
    assertThat(kd).isCloseTo(ce, within(1e-6f * Math.abs(ce)));
    assertThat(kdNoTeacher).isEqualTo(kd);
    Tensor x = s.detach().requiresGrad(true);
    F.crossEntropy(x, y).backward();
    float[] gce = x.grad().data(), gkd = gradOf(s, t, y, cfg);
    for (int i = 0; i < gce.length; i++) assertThat(gkd[i]).isCloseTo(gce[i], within(1e-6f));
  }

  @Test
  void temperatureSquaredKeepsTheSoftGradientScale() {
    Rng rng = new Rng(3);
    int n = 4, c = 8;
    Tensor s = logits(rng, n, c, 1), t = logits(rng, n, c, 1), y = labels(rng, n, c);
    // the loss at T = 1 and T = 4 is α·T²·KL_T, KL_T recomputed here in double from its definition
    for (double temp : new double[] {1, 4}) {
      double kl = 0;
      for (int r = 0; r < n; r++) {
        double[] ls = logSoftmax(s.data(), r, c, temp), lt = logSoftmax(t.data(), r, c, temp);
        for (int j = 0; j < c; j++) kl += Math.exp(lt[j]) * (lt[j] - ls[j]);
      }
      kl /= n;
      assertThat((double) DistillationLoss.loss(s, t, y, new DistillConfig(temp, 1)).item())
          .isCloseTo(temp * temp * kl, within(1e-5 * temp * temp * kl));
    }
    // at high T the soft gradient tends to (z_s − z_t − mean)/(C·N), whatever T is: the T² makes it T-free
    float[] g40 = gradOf(s, t, y, new DistillConfig(40, 1)), g80 = gradOf(s, t, y, new DistillConfig(80, 1));
    for (int r = 0; r < n; r++) {
      double mean = 0;
      for (int j = 0; j < c; j++) mean += s.data()[r * c + j] - t.data()[r * c + j];
      mean /= c;
      for (int j = 0; j < c; j++) {
        int i = r * c + j;
        double limit = (s.data()[i] - t.data()[i] - mean) / (c * n);
        assertThat((double) g80[i]).isCloseTo(limit, within(0.02 * Math.abs(limit) + 2e-4));
        assertThat((double) g40[i]).isCloseTo(g80[i], within(0.06 * Math.abs(limit) + 4e-4));  // without T² it would be 4×
      }
    }
  }

  private static double[] logSoftmax(float[] x, int r, int c, double temp) {
    double m = Double.NEGATIVE_INFINITY, z = 0;
    for (int j = 0; j < c; j++) m = Math.max(m, x[r * c + j] / temp);
    for (int j = 0; j < c; j++) z += Math.exp(x[r * c + j] / temp - m);
    double[] out = new double[c];
    for (int j = 0; j < c; j++) out[j] = x[r * c + j] / temp - m - Math.log(z);
    return out;
  }

  @Test
  void teacherLogitsReceiveNoGradient() {
    Rng rng = new Rng(5);
    Tensor s = logits(rng, 4, 5, 1).requiresGrad(true), t = logits(rng, 4, 5, 1).requiresGrad(true);
    DistillationLoss.loss(s, t, labels(rng, 4, 5), new DistillConfig(2, 0.5)).backward();
    assertThat(s.grad()).isNotNull();
    assertThat(t.grad()).isNull();
  }

  @Test
  void ignoredRowsDropOutOfTheMean() {
    Rng rng = new Rng(9);
    Tensor s = logits(rng, 3, 4, 1), t = logits(rng, 3, 4, 1);
    DistillConfig cfg = new DistillConfig(2, 0.5);
    float all2 = DistillationLoss.loss(Tensor.of(java.util.Arrays.copyOf(s.data(), 8), 2, 4), Tensor.of(java.util.Arrays.copyOf(t.data(), 8), 2, 4),
        Tensor.ofLongs(new long[] {1, 2}, 2), cfg).item();
    float masked = DistillationLoss.loss(s, t, Tensor.ofLongs(new long[] {1, 2, DistillationLoss.IGNORE_INDEX}, 3), cfg).item();
    assertThat(masked).isCloseTo(all2, within(1e-6f));
  }

  @Test
  void badInputNamesWhatWasExpected() {
    Rng rng = new Rng(1);
    Tensor s = logits(rng, 4, 7, 1), t = logits(rng, 4, 10, 1), y = labels(rng, 4, 7);
    assertThatThrownBy(() -> DistillationLoss.loss(s, t, y, DistillConfig.DEFAULT)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("7 classes").hasMessageContaining("[4, 10]");
    assertThatThrownBy(() -> DistillationLoss.loss(s, null, y, DistillConfig.DEFAULT)).hasMessageContaining("needs teacher logits");
    assertThatThrownBy(() -> DistillationLoss.loss(s, logits(rng, 4, 7, 1), Tensor.ofLongs(new long[] {0, 1, 9, 2}, 4), DistillConfig.DEFAULT))
        .hasMessageContaining("[0, 7)").hasMessageContaining("got 9");
    assertThatThrownBy(() -> new DistillConfig(0, 0.5)).hasMessageContaining("temperature > 0, got 0.0");
    assertThatThrownBy(() -> new DistillConfig(-1, 0.5)).hasMessageContaining("got -1.0");
    assertThatThrownBy(() -> new DistillConfig(2, 1.5)).hasMessageContaining("alpha in [0, 1], got 1.5");
    assertThatThrownBy(() -> new DistillConfig(2, Double.NaN)).hasMessageContaining("got NaN");
  }
}
