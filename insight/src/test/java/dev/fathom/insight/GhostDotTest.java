package dev.fathom.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Activation;
import dev.fathom.nn.F;
import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ghost dot-product against explicit per-example gradients (one backward per example). */
class GhostDotTest {
  static Sequential mlp(Rng rng) {
    return new Sequential(new Linear(6, 5, rng), Activation.tanh(), new Linear(5, 4, false, rng), Activation.relu(), new Linear(4, 3, rng));
  }

  static Examples random(Rng rng, int n) {
    float[] x = new float[n * 6];
    int[] y = new int[n];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    for (int i = 0; i < n; i++) y[i] = rng.nextInt(3);
    return new Examples(x, y, 6, 3);
  }

  /** ∇θ of the mean loss over {@code rows}, flattened over all parameters. */
  static double[] gradient(Module model, Examples rows) {
    model.zeroGrad();
    F.crossEntropy(model.call(InRunShapley.input(rows, false)), InRunShapley.labels(rows)).backward();
    return flatGradient(model);
  }

  /** Captures of the validation rows (mean loss) and of the batch (summed loss: each row's own ∇ℓ_i). */
  static GhostDot.Capture[] captures(GhostDot ghost, Module model, Examples valid, Examples batch) {
    model.zeroGrad();
    F.crossEntropy(model.call(InRunShapley.input(valid, false)), InRunShapley.labels(valid)).backward();
    GhostDot.Capture v = ghost.take();
    model.zeroGrad();
    F.crossEntropy(model.call(InRunShapley.input(batch, false)), InRunShapley.labels(batch)).mul(batch.size()).backward();
    return new GhostDot.Capture[] {v, ghost.take()};
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  @Test
  void dotsAndNormsMatchExplicitPerExampleGradients() {
    Rng rng = new Rng(1);
    Sequential model = mlp(rng);
    Examples batch = random(rng, 7), valid = random(rng, 5);
    double[] gVal = gradient(model, valid);
    double[][] gEach = new double[7][];
    int[] all = {0, 1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 7; i++) gEach[i] = gradient(model, batch.rows(all, i, i + 1));

    try (GhostDot ghost = new GhostDot(model)) {
      GhostDot.Capture[] c = captures(ghost, model, valid, batch);
      GhostDot.Capture v = c[0], b = c[1];
      double[] dots = b.dotsWith(v), norms = b.squaredNorms();
      for (int i = 0; i < 7; i++) {
        assertThat(dots[i]).as("dot %d", i).isCloseTo(dot(gEach[i], gVal), within(1e-5 * (1 + Math.abs(dot(gEach[i], gVal)))));
        assertThat(norms[i]).as("norm %d", i).isCloseTo(dot(gEach[i], gEach[i]), within(1e-5 * (1 + dot(gEach[i], gEach[i]))));
      }
      // a gradient-shaped direction: weights and biases of each Linear layer
      List<Linear> layers = ghost.layers();
      Tensor[] w = new Tensor[3], bias = new Tensor[3];
      double[] flat = new double[gVal.length];
      int o = 0;
      for (int l = 0; l < 3; l++) {
        w[l] = Tensor.randn(rng, layers.get(l).weight.shape());
        for (float x : w[l].data()) flat[o++] = x;
        if (layers.get(l).bias != null) {
          bias[l] = Tensor.randn(rng, layers.get(l).bias.shape());
          for (float x : bias[l].data()) flat[o++] = x;
        }
      }
      double[] dir = b.dotsWithDirection(w, bias);
      for (int i = 0; i < 7; i++) assertThat(dir[i]).isCloseTo(dot(gEach[i], flat), within(1e-5 * (1 + Math.abs(dot(gEach[i], flat)))));
    }
  }

  /**
   * A wide first layer (40 → 30, ghost form cheaper at B = 6, V = 8) and a narrow last one
   * (30 → 3, direct form cheaper), both against explicit gradients.
   */
  @Test
  void ghostAndDirectLayersMatchExplicitGradients() {
    Rng rng = new Rng(3);
    Sequential model = new Sequential(new Linear(40, 30, rng), Activation.tanh(), new Linear(30, 3, rng));
    float[] x = new float[14 * 40];
    int[] y = new int[14];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    for (int i = 0; i < 14; i++) y[i] = rng.nextInt(3);
    Examples all = new Examples(x, y, 40, 3);
    int[] idx = new int[14];
    for (int i = 0; i < 14; i++) idx[i] = i;
    Examples batch = all.rows(idx, 0, 6), valid = all.rows(idx, 6, 14);
    double[] gVal = gradient(model, valid);
    try (GhostDot ghost = new GhostDot(model)) {
      GhostDot.Capture[] c = captures(ghost, model, valid, batch);
      GhostDot.Capture v = c[0], b = c[1];
      double[] dots = b.dotsWith(v);
      for (int i = 0; i < 6; i++) {
        double want = dot(gradient(model, batch.rows(idx, i, i + 1)), gVal);
        assertThat(dots[i]).as("dot %d", i).isCloseTo(want, within(1e-5 * (1 + Math.abs(want))));
      }
    }
  }

  /** Summed cross-entropy over every position of (n, T, 40) inputs: row i's loss is Σ_t ℓ_it. */
  static Tensor sequenceLoss(Module model, float[] x, int[] y, int n, int t) {
    Tensor logits = model.call(Tensor.of(x, n, t, 40)).reshape(n * t, 3); // (n·T, C)
    return F.crossEntropy(logits, Tensor.ofInts(y, n * t)).mul(n * t);
  }

  static double[] flatGradient(Module model) {
    List<Tensor> ps = model.parameters();
    int total = 0;
    for (Tensor p : ps) total += p.numel();
    double[] g = new double[total];
    int o = 0;
    for (Tensor p : ps) for (float v : p.grad().data()) g[o++] = v;
    return g;
  }

  /**
   * A Linear layer shared over positions: (B, T, in) inputs, T = 4 for the batch and T' = 3 for
   * the validation rows; the first layer takes the ghost form, the last the direct one. Dots,
   * norms and the direction dot against explicit per-example gradients.
   */
  @Test
  void sequenceInputsMatchExplicitGradients() {
    Rng rng = new Rng(4);
    Sequential model = new Sequential(new Linear(40, 30, rng), Activation.tanh(), new Linear(30, 3, rng));
    int b = 5, t = 4, v = 2, tv = 3;
    float[] xb = new float[b * t * 40], xv = new float[v * tv * 40];
    for (int i = 0; i < xb.length; i++) xb[i] = (float) rng.nextGaussian();
    for (int i = 0; i < xv.length; i++) xv[i] = (float) rng.nextGaussian();
    int[] yb = new int[b * t], yv = new int[v * tv];
    for (int i = 0; i < yb.length; i++) yb[i] = rng.nextInt(3);
    for (int i = 0; i < yv.length; i++) yv[i] = rng.nextInt(3);
    model.zeroGrad();
    sequenceLoss(model, xv, yv, v, tv).backward();
    double[] gVal = flatGradient(model);
    double[][] gEach = new double[b][];
    for (int i = 0; i < b; i++) {
      model.zeroGrad();
      sequenceLoss(model, java.util.Arrays.copyOfRange(xb, i * t * 40, (i + 1) * t * 40), java.util.Arrays.copyOfRange(yb, i * t, (i + 1) * t), 1, t).backward();
      gEach[i] = flatGradient(model);
    }
    try (GhostDot ghost = new GhostDot(model)) {
      model.zeroGrad();
      sequenceLoss(model, xv, yv, v, tv).backward();
      GhostDot.Capture cv = ghost.take();
      model.zeroGrad();
      sequenceLoss(model, xb, yb, b, t).backward();
      GhostDot.Capture cb = ghost.take();
      double[] dots = cb.dotsWith(cv), norms = cb.squaredNorms();
      List<Linear> layers = ghost.layers();
      Tensor[] w = new Tensor[2], bias = new Tensor[2];
      double[] flat = new double[gVal.length];
      int o = 0;
      for (int l = 0; l < 2; l++) {
        w[l] = Tensor.randn(rng, layers.get(l).weight.shape());
        for (float x : w[l].data()) flat[o++] = x;
        bias[l] = Tensor.randn(rng, layers.get(l).bias.shape());
        for (float x : bias[l].data()) flat[o++] = x;
      }
      double[] dir = cb.dotsWithDirection(w, bias);
      for (int i = 0; i < b; i++) {
        double want = dot(gEach[i], gVal), norm = dot(gEach[i], gEach[i]), d = dot(gEach[i], flat);
        assertThat(dots[i]).as("dot %d", i).isCloseTo(want, within(1e-5 * (1 + Math.abs(want))));
        assertThat(norms[i]).as("norm %d", i).isCloseTo(norm, within(1e-5 * (1 + norm)));
        assertThat(dir[i]).as("direction %d", i).isCloseTo(d, within(1e-5 * (1 + Math.abs(d))));
      }
    }
  }

  @Test
  void refusesParametersOutsideLinearLayersAndMissingPasses() {
    Rng rng = new Rng(2);
    Sequential withNorm = new Sequential(new Linear(6, 4, rng), new LayerNorm(4), new Linear(4, 3, rng));
    assertThatThrownBy(() -> new GhostDot(withNorm)).hasMessageContaining("parameter '1.weight' is not in a Linear layer");
    assertThatThrownBy(() -> new GhostDot(new Sequential(Activation.relu()))).hasMessageContaining("has no Linear layer");
    try (GhostDot ghost = new GhostDot(mlp(rng))) {
      assertThatThrownBy(ghost::take).hasMessageContaining("layer 0 has no captured input");
    }
  }

  /** Rows [from, from + n) of a (rows, ...) tensor, copied. */
  static Tensor rows(Tensor t, int from, int n) {
    return t.narrow(0, from, n).detach();
  }

  @Test
  void windowsOfStackedTensorsGiveTheDotsOfSeparateCaptures() {
    Rng rng = new Rng(5);
    int b = 3, v = 2;
    // layer 0 (50 → 40) takes the ghost form, layer 1 (40 → 1) the direct form; 2-D and 3-D (T = 2) rows
    for (int t : new int[] {1, 2}) {
      int[] ins = {50, 40}, outs = {40, 1};
      Tensor[] a = new Tensor[2], g = new Tensor[2];
      for (int l = 0; l < 2; l++) {
        a[l] = t == 1 ? Tensor.randn(rng, b + v, ins[l]) : Tensor.randn(rng, b + v, t, ins[l]);
        g[l] = t == 1 ? Tensor.randn(rng, b + v, outs[l]) : Tensor.randn(rng, b + v, t, outs[l]);
      }
      boolean[] bias = {true, false};
      GhostDot.Capture trainWindow = new GhostDot.Capture(a, g, bias, 0, b), validWindow = new GhostDot.Capture(a, g, bias, b, v);
      GhostDot.Capture trainCopy = new GhostDot.Capture(new Tensor[] {rows(a[0], 0, b), rows(a[1], 0, b)}, new Tensor[] {rows(g[0], 0, b), rows(g[1], 0, b)}, bias);
      GhostDot.Capture validCopy = new GhostDot.Capture(new Tensor[] {rows(a[0], b, v), rows(a[1], b, v)}, new Tensor[] {rows(g[0], b, v), rows(g[1], b, v)}, bias);
      assertThat(trainWindow.dotsWith(validWindow)).containsExactly(trainCopy.dotsWith(validCopy));
      assertThat(validWindow.dotsWith(trainWindow)).containsExactly(validCopy.dotsWith(trainCopy));
      assertThat(validWindow.squaredNorms()).containsExactly(validCopy.squaredNorms());
      Tensor[] dir = {Tensor.randn(rng, 40, 50), Tensor.randn(rng, 1, 40)}, dirBias = {Tensor.randn(rng, 40), null};
      assertThat(validWindow.dotsWithDirection(dir, dirBias)).containsExactly(validCopy.dotsWithDirection(dir, dirBias));
    }
  }

  @Test
  void captureWindowsOutsideTheTensorsAreRefused() {
    Rng rng = new Rng(6);
    Tensor[] a = {Tensor.randn(rng, 4, 3)}, g = {Tensor.randn(rng, 4, 2)};
    assertThatThrownBy(() -> new GhostDot.Capture(a, g, new boolean[] {true}, 2, 3)).hasMessageContaining("cover examples [2, 5)");
    assertThatThrownBy(() -> new GhostDot.Capture(a, new Tensor[] {Tensor.randn(rng, 3, 2)}, new boolean[] {true})).hasMessageContaining("4 inputs and 3 output gradients");
    assertThatThrownBy(() -> new GhostDot.Capture(a, g, new boolean[0])).hasMessageContaining("one input, output gradient and bias flag per layer");
  }
}
