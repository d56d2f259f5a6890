package dev.fathom.nn;

import static dev.fathom.testing.Inputs.randn;
import static dev.fathom.testing.Inputs.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * The fused layer and RMS normalization ops against the unfused composition of differentiable
 * tensor ops they replaced (forward and the gradients of input, weight and bias), plus gradient
 * checks and shape errors.
 */
class FusedNormTest {

  /** The composition F.layerNorm used before it was fused. */
  private static Tensor composedLayerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
    int r = x.dim();
    int[] dims = new int[normalizedDims];
    for (int i = 0; i < normalizedDims; i++) dims[i] = r - normalizedDims + i;
    Tensor mean = x.mean(dims, true);
    Tensor var = x.var(dims, 0, true);
    Tensor y = x.sub(mean).mul(var.add((float) eps).rsqrt());
    if (weight != null) y = y.mul(weight);
    if (bias != null) y = y.add(bias);
    return y;
  }

  /** The composition F.rmsNorm used before it was fused. */
  private static Tensor composedRmsNorm(Tensor x, Tensor weight, double eps) {
    Tensor ms = x.mul(x).mean(-1, true);
    Tensor y = x.mul(ms.add((float) eps).rsqrt());
    return weight == null ? y : y.mul(weight);
  }

  /** |a − b| ≤ rtol·max|expected| + rtol·|expected| element-wise. */
  private static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
    assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
    float[] e = expected.toFloatArray(), a = actual.toFloatArray();
    double scale = 0;
    for (float v : e) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < e.length; i++) {
      double tol = rtol * (scale + Math.abs(e[i])) + 1e-30;
      if (!(Math.abs(e[i] - a[i]) <= tol)) fail(what + ": element " + i + " expected " + e[i] + " got " + a[i]);
    }
  }

  private static Tensor leaf(Tensor t) {
    return t == null ? null : t.detach().requiresGrad(true);
  }

  private static void compareLayerNorm(String name, Tensor x0, int k, Tensor w0, Tensor b0) {
    Tensor seed = Tensor.randn(new Rng(name.hashCode()), x0.shape());
    Tensor x1 = leaf(x0), w1 = leaf(w0), b1 = leaf(b0);
    Tensor fused = F.layerNorm(x1, k, w1, b1, 1e-5);
    fused.backward(seed);
    Tensor x2 = leaf(x0), w2 = leaf(w0), b2 = leaf(b0);
    Tensor ref = composedLayerNorm(x2, k, w2, b2, 1e-5);
    ref.backward(seed);
    assertClose(ref, fused, 1e-5, name + " forward");
    assertClose(x2.grad(), x1.grad(), 1e-5, name + " grad x");
    if (w0 != null) assertClose(w2.grad(), w1.grad(), 1e-5, name + " grad weight");
    if (b0 != null) assertClose(b2.grad(), b1.grad(), 1e-5, name + " grad bias");
  }

  private static void compareRmsNorm(String name, Tensor x0, Tensor w0) {
    compareRmsNorm(name, x0, w0, 1e-5);
  }

  private static void compareRmsNorm(String name, Tensor x0, Tensor w0, double gradRtol) {
    Tensor seed = Tensor.randn(new Rng(name.hashCode()), x0.shape());
    Tensor x1 = leaf(x0), w1 = leaf(w0);
    Tensor fused = F.rmsNorm(x1, w1, 1e-6);
    fused.backward(seed);
    Tensor x2 = leaf(x0), w2 = leaf(w0);
    Tensor ref = composedRmsNorm(x2, w2, 1e-6);
    ref.backward(seed);
    assertClose(ref, fused, 1e-5, name + " forward");
    assertClose(x2.grad(), x1.grad(), gradRtol, name + " grad x");
    if (w0 != null) assertClose(w2.grad(), w1.grad(), 1e-5, name + " grad weight");
  }

  @Test
  void layerNormMatchesComposition() {
    compareLayerNorm("last dim", randn(1, 4, 5, 7), 1, uniform(2, 0.5f, 1.5f, 7), randn(3, 7));
    compareLayerNorm("last 2 dims", randn(4, 3, 5, 9), 2, uniform(5, 0.5f, 1.5f, 5, 9), randn(6, 5, 9));
    compareLayerNorm("all dims", randn(7, 6, 33), 2, uniform(8, 0.5f, 1.5f, 6, 33), randn(9, 6, 33));
    compareLayerNorm("no affine", randn(10, 17, 31), 1, null, null);
    compareLayerNorm("weight only", randn(11, 17, 31), 1, uniform(12, 0.5f, 1.5f, 31), null);
    compareLayerNorm("wide, many rows", randn(13, 300, 257), 1, uniform(14, 0.5f, 1.5f, 257), randn(15, 257));
  }

  @Test
  void rmsNormMatchesComposition() {
    compareRmsNorm("weight", randn(21, 4, 5, 7), uniform(22, 0.5f, 1.5f, 7));
    compareRmsNorm("no weight", randn(23, 17, 31), null);
    // One column: gx = ĝ·rstd·eps/(x² + eps) is all cancellation in float, in both forms.
    compareRmsNorm("one column", randn(24, 9, 1), uniform(25, 0.5f, 1.5f, 1), 1e-3);
    compareRmsNorm("wide, many rows", randn(26, 300, 257), uniform(27, 0.5f, 1.5f, 257));
  }

  @Test
  void gradientChecks() {
    Tensor x = randn(31, 3, 2, 5);
    GradCheck.check("fused layerNorm", in -> NormOps.layerNorm(in.get(0), 1, in.get(1), in.get(2), 1e-5),
        x, uniform(32, 0.5f, 1.5f, 5), randn(33, 5));
    GradCheck.check("fused layerNorm 2 dims", in -> NormOps.layerNorm(in.get(0), 2, in.get(1), in.get(2), 1e-5),
        x, uniform(34, 0.5f, 1.5f, 2, 5), randn(35, 2, 5));
    GradCheck.check("fused layerNorm no affine", in -> NormOps.layerNorm(in.get(0), 1, null, null, 1e-5), x);
    GradCheck.check("fused rmsNorm", in -> NormOps.rmsNorm(in.get(0), in.get(1), 1e-6), x, uniform(36, 0.5f, 1.5f, 5));
    GradCheck.check("fused rmsNorm no weight", in -> NormOps.rmsNorm(in.get(0), null, 1e-6), x);
  }

  @Test
  void onlyTheNeededGradientsAreComputed() {
    Tensor x = Tensor.randn(new Rng(41), 3, 4);
    Tensor w = uniform(42, 0.5f, 1.5f, 4), b = Tensor.zeros(4);
    F.layerNorm(x, 1, w, b, 1e-5).sum().backward();
    assertThat(w.grad()).isNotNull();
    assertThat(x.grad()).isNull();
    assertThat(b.grad()).isNull();
    try (var g = Grad.disabled()) {
      assertThat(F.rmsNorm(randn(43, 2, 4), w, 1e-6).requiresGrad()).isFalse();
    }
  }

  @Test
  void emptyBatch() {
    Tensor x = randn(51, 0, 4), w = uniform(52, 0.5f, 1.5f, 4), b = randn(53, 4);
    Tensor y = F.layerNorm(x, 1, w, b, 1e-5);
    assertThat(y.shape()).containsExactly(0, 4);
    y.sum().backward();
    assertThat(w.grad().toFloatArray()).containsOnly(0f);
    assertThat(F.rmsNorm(x, w, 1e-6).shape()).containsExactly(0, 4);
  }

  @Test
  void shapeErrors() {
    Tensor x = Tensor.zeros(2, 3, 4);
    assertThatThrownBy(() -> F.layerNorm(x, 4, null, null, 1e-5)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("cannot normalize the last 4 dims of [2, 3, 4]");
    assertThatThrownBy(() -> F.layerNorm(x, 2, Tensor.ones(4), null, 1e-5)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("weight of shape [4] does not match the normalized shape [3, 4] of input [2, 3, 4]");
    assertThatThrownBy(() -> F.layerNorm(x, 1, null, Tensor.ones(3), 1e-5)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("bias of shape [3]");
    assertThatThrownBy(() -> F.rmsNorm(x, Tensor.ones(3), 1e-6)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("rmsNorm: weight of shape [3] does not match the normalized shape [4]");
    assertThatThrownBy(() -> F.rmsNorm(Tensor.scalar(1f), null, 1e-6)).isInstanceOf(ShapeException.class);
  }
}
