package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The update kernels against a double-precision transcription of torch.optim (1.13,
 * single-tensor path): {@code _single_tensor_adam} and {@code _single_tensor_sgd}.
 */
class OptimizersTest {

  private static final int[] SIZES = {1, 7, 8, 9, 15, 16, 17, 31, 1023, 1025};
  /** Above the parallel threshold: checked for one configuration of each optimizer. */
  private static final int LARGE = 70001;
  private static final int STEPS = 5;

  private static float[] random(SplittableRandom rnd, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
    return a;
  }

  private static int[] withLarge() {
    int[] sizes = Arrays.copyOf(SIZES, SIZES.length + 1);
    sizes[SIZES.length] = LARGE;
    return sizes;
  }

  private static double[] widen(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) d[i] = a[i];
    return d;
  }

  /** torch.optim.Adam / AdamW step, transcribed in double. */
  private static void torchAdam(double[] p, double[] g, double[] m, double[] v, double lr,
      double beta1, double beta2, double eps, double weightDecay, boolean decoupled, int step) {
    double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
    double stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
    for (int i = 0; i < p.length; i++) {
      double grad = g[i];
      if (decoupled) {
        // param.mul_(1 - lr * weight_decay)
        p[i] *= 1 - lr * weightDecay;
      } else if (weightDecay != 0) {
        // grad = grad.add(param, alpha=weight_decay)
        grad = grad + weightDecay * p[i];
      }
      // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
      m[i] = m[i] * beta1 + (1 - beta1) * grad;
      // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      v[i] = v[i] * beta2 + (1 - beta2) * grad * grad;
      // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
      double denom = Math.sqrt(v[i]) / bc2Sqrt + eps;
      // param.addcdiv_(exp_avg, denom, value=-step_size)
      p[i] -= stepSize * m[i] / denom;
    }
  }

  /** torch.optim.SGD step, transcribed in double. */
  private static void torchSgd(double[] p, double[] g, double[] buf, double lr, double momentum,
      double dampening, double weightDecay, boolean nesterov, boolean first) {
    for (int i = 0; i < p.length; i++) {
      double d = g[i];
      // d_p = d_p.add(param, alpha=weight_decay)
      if (weightDecay != 0) d = d + weightDecay * p[i];
      if (momentum != 0) {
        // first step: buf = clone(d_p); later: buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
        buf[i] = first ? d : buf[i] * momentum + (1 - dampening) * d;
        // d_p = d_p.add(buf, alpha=momentum) if nesterov else buf
        d = nesterov ? d + momentum * buf[i] : buf[i];
      }
      // param.add_(d_p, alpha=-lr)
      p[i] -= lr * d;
    }
  }

  /**
   * Float against double: a few float roundings of the terms, which are at most about 1 in size
   * (and may cancel), so the bound is relative plus a small absolute part.
   */
  private static void assertClose(double[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.abs(expected[i]) + 2e-6, what + " at " + i);
    }
  }

  @Test
  void adamAndAdamWFollowTorchFormulasAndTheScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(1);
    float lr = 1e-2f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
    for (boolean decoupled : new boolean[] {false, true}) {
      for (float wd : new float[] {0f, 0.05f}) {
        for (int n : decoupled && wd != 0f ? withLarge() : SIZES) {
          float[] p = random(rnd, n, 1), m = new float[n], v = new float[n];
          float[] tp = p.clone(), tm = new float[n], tv = new float[n];
          double[] dp = widen(p), dm = new double[n], dv = new double[n];
          for (int step = 1; step <= STEPS; step++) {
            float[] g = random(rnd, n, 0.5);
            float[] gKeep = g.clone();
            Optimizers.adamStep(p, g, m, v, n, lr, beta1, beta2, eps, wd, decoupled, step);
            Optimizers.adamStepScalar(tp, g, tm, tv, n, lr, beta1, beta2, eps, wd, decoupled, step);
            torchAdam(dp, widen(g), dm, dv, lr, beta1, beta2, eps, wd, decoupled, step);
            assertArrayEquals(gKeep, g, "the gradient is not modified");
          }
          String what = (decoupled ? "AdamW" : "Adam") + " wd=" + wd + " n=" + n;
          assertArrayEquals(tp, p, what + " vs twin");
          assertArrayEquals(tm, m, what + " m vs twin");
          assertArrayEquals(tv, v, what + " v vs twin");
          assertClose(dp, p, what + " p");
          assertClose(dm, m, what + " m");
          assertClose(dv, v, what + " v");
        }
      }
    }
  }

  @Test
  void sgdVariantsFollowTorchFormulasAndTheScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(2);
    // momentum, dampening, weightDecay, nesterov
    float[][] configs = {
        {0f, 0f, 0f, 0}, {0f, 0f, 1e-2f, 0}, {0.9f, 0f, 1e-2f, 1}, {0.9f, 0.1f, 0f, 0},
        {0.5f, 0f, 0f, 1}};
    float lr = 0.05f;
    for (float[] c : configs) {
      boolean nesterov = c[3] != 0;
      for (int n : nesterov && c[2] != 0f ? withLarge() : SIZES) {
        float[] p = random(rnd, n, 1), tp = p.clone();
        float[] buf = c[0] != 0 ? new float[n] : null, tbuf = c[0] != 0 ? new float[n] : null;
        double[] dp = widen(p), dbuf = new double[n];
        for (int step = 1; step <= STEPS; step++) {
          float[] g = random(rnd, n, 0.5);
          Optimizers.sgdStep(p, g, buf, n, lr, c[0], c[1], c[2], nesterov, step == 1);
          Optimizers.sgdStepScalar(tp, g, tbuf, n, lr, c[0], c[1], c[2], nesterov, step == 1);
          torchSgd(dp, widen(g), dbuf, lr, c[0], c[1], c[2], nesterov, step == 1);
        }
        String what = "SGD momentum=" + c[0] + " dampening=" + c[1] + " wd=" + c[2]
            + " nesterov=" + nesterov + " n=" + n;
        assertArrayEquals(tp, p, what + " vs twin");
        if (buf != null) {
          assertArrayEquals(tbuf, buf, what + " buf vs twin");
          assertClose(dbuf, buf, what + " buf");
        }
        assertClose(dp, p, what + " p");
      }
    }
  }

  @Test
  void firstAdamStepMovesEveryParameterByAboutLr() {
    float[] p = {1f, -2f, 3f}, g = {0.3f, -1e-3f, 5f}, m = new float[3], v = new float[3];
    Optimizers.adamStep(p, g, m, v, 3, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, 1);
    assertEquals(0.9f, p[0], 1e-5f);
    assertEquals(-1.9f, p[1], 1e-4f);
    assertEquals(2.9f, p[2], 1e-5f);
  }

  @Test
  void badArgumentsAreRejected() {
    float[] a = new float[4];
    assertThatThrownBy(
            () -> Optimizers.adamStep(a, a, a, a, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, true, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("step must be >= 1");
    assertThatThrownBy(() -> Optimizers.sgdStep(a, a, null, 4, 0.1f, 0.9f, 0f, 0f, false, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("momentum buffer");
    assertThatThrownBy(() -> Optimizers.sgdStep(a, a, a, 4, 0.1f, 0.9f, 0.1f, 0f, true, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dampening 0");
    float[] shortState = new float[3];
    assertThatThrownBy(() -> Optimizers.adamStep(a, a, shortState, a, 4, 1e-3f, 0.9f, 0.999f, 1e-8f,
            0f, true, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
