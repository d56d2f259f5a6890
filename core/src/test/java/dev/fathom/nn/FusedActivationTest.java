package dev.fathom.nn;

import static dev.fathom.testing.Inputs.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The fused activation ops against the unfused compositions they replace: {@link F#swiglu}
 * against {@code gate·σ(gate)·up} built from sigmoid and mul, {@link F#linearAct} against the
 * activation applied to {@link F#linear}, and GELU (erf and tanh forms) and SiLU against their
 * textbook formulas in double. Forward values and every input gradient are compared; gradient
 * checks by finite differences cover the fused backward passes on their own.
 */
class FusedActivationTest {

  /** |a − b| ≤ rtol·(max|expected| + |expected|) element-wise. */
  private static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
    assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
    float[] e = expected.toFloatArray(), a = actual.toFloatArray();
    double scale = 0;
    for (float v : e) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < e.length; i++) {
      double tol = rtol * (scale + Math.abs(e[i])) + 1e-30;
      if (!(Math.abs(e[i] - a[i]) <= tol)) {
        fail(what + ": element " + i + " expected " + e[i] + " got " + a[i]);
      }
    }
  }

  private static Tensor leaf(Tensor t) {
    return t == null ? null : t.detach().requiresGrad(true);
  }

  private static void compareSwiglu(String name, int... shape) {
    Tensor g0 = randn(name.hashCode(), shape).mul(3f), u0 = randn(name.hashCode() + 1, shape);
    Tensor seed = Tensor.randn(new Rng(name.hashCode() + 2), shape);
    Tensor g1 = leaf(g0), u1 = leaf(u0);
    Tensor fused = F.swiglu(g1, u1);
    fused.backward(seed);
    Tensor g2 = leaf(g0), u2 = leaf(u0);
    Tensor ref = g2.mul(g2.sigmoid()).mul(u2);
    ref.backward(seed);
    assertClose(ref, fused, 1e-6, name + " forward");
    assertClose(g2.grad(), g1.grad(), 1e-6, name + " grad gate");
    assertClose(u2.grad(), u1.grad(), 1e-6, name + " grad up");
  }

  @Test
  void swigluMatchesComposition() {
    compareSwiglu("one", 1);
    compareSwiglu("seven", 7);
    compareSwiglu("rows", 9, 31);
    compareSwiglu("odd", 3, 1023);
    compareSwiglu("parallel", 4, 20_001);
  }

  @Test
  void swigluGradientCheckAndOneSidedGrad() {
    GradCheck.check("swiglu", in -> F.swiglu(in.get(0), in.get(1)),
        leaf(randn(31, 5, 7).mul(2f)), leaf(randn(32, 5, 7)));
    Tensor g = leaf(randn(33, 17)), u = randn(34, 17).detach();
    F.swiglu(g, u).sum().backward();
    assertThat(g.grad()).isNotNull();
    assertThat(u.grad()).isNull();
    try (var off = Grad.disabled()) {
      assertThat(F.swiglu(g, u).requiresGrad()).isFalse();
    }
  }

  @Test
  void swigluRejectsDifferentShapes() {
    assertThatThrownBy(() -> F.swiglu(randn(1, 3, 4), randn(2, 4, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[3, 4]").hasMessageContaining("[4, 3]");
  }

  private static UnaryOperator<Tensor> unfused(F.Act act) {
    return switch (act) {
      case RELU -> F::relu;
      case GELU -> F::gelu;
      case GELU_TANH -> Tensor::geluTanh;
      case SILU -> t -> t.mul(t.sigmoid());
    };
  }

  private static void compareLinearAct(F.Act act, boolean bias, int rows, int in, int out) {
    String name = act + (bias ? "+bias " : " ") + rows + "x" + in + "->" + out;
    Tensor x0 = randn(name.hashCode(), rows, in), w0 = randn(name.hashCode() + 1, out, in);
    Tensor b0 = bias ? randn(name.hashCode() + 2, out) : null;
    Tensor seed = Tensor.randn(new Rng(name.hashCode() + 3), rows, out);
    Tensor x1 = leaf(x0), w1 = leaf(w0), b1 = leaf(b0);
    Tensor fused = F.linearAct(x1, w1, b1, act);
    fused.backward(seed);
    Tensor x2 = leaf(x0), w2 = leaf(w0), b2 = leaf(b0);
    Tensor ref = unfused(act).apply(F.linear(x2, w2, b2));
    ref.backward(seed);
    assertClose(ref, fused, 1e-6, name + " forward");
    assertClose(x2.grad(), x1.grad(), 1e-5, name + " grad x");
    assertClose(w2.grad(), w1.grad(), 1e-5, name + " grad weight");
    if (bias) assertClose(b2.grad(), b1.grad(), 1e-5, name + " grad bias");
  }

  @Test
  void linearActMatchesComposition() {
    for (F.Act act : F.Act.values()) {
      compareLinearAct(act, true, 1, 1, 1);
      compareLinearAct(act, false, 7, 9, 8);
      compareLinearAct(act, true, 33, 31, 17);
      compareLinearAct(act, true, 64, 96, 130);
    }
  }

  @Test
  void linearActGradientChecksAndShapes() {
    for (F.Act act : F.Act.values()) {
      GradCheck.check("linearAct " + act, in -> F.linearAct(in.get(0), in.get(1), in.get(2), act),
          leaf(randn(41, 2, 3, 5)), leaf(randn(42, 4, 5)), leaf(randn(43, 4)));
    }
    assertThat(F.linearAct(randn(44, 2, 3, 5), randn(45, 4, 5), null, F.Act.SILU).shape())
        .containsExactly(2, 3, 4);
    assertThatThrownBy(() -> F.linearAct(randn(46, 2, 5), randn(47, 4, 6), null, F.Act.RELU))
        .isInstanceOf(ShapeException.class).hasMessageStartingWith("linearAct: input [2, 5]");
  }

  /** Exact GELU, its tanh form and SiLU against double-precision formulas, with gradients. */
  @Test
  void activationsMatchFormulas() {
    Tensor x0 = randn(51, 3, 1023).mul(4f);
    checkFormula("gelu", x0, Tensor::gelu, v -> 0.5 * v * (1 + erf(v / Math.sqrt(2))),
        v -> 0.5 * (1 + erf(v / Math.sqrt(2))) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI));
    double c = Math.sqrt(2 / Math.PI);
    checkFormula("geluTanh", x0, Tensor::geluTanh,
        v -> 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v))),
        v -> {
          double t = Math.tanh(c * (v + 0.044715 * v * v * v));
          return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v);
        });
    checkFormula("silu", x0, Tensor::silu, v -> v / (1 + Math.exp(-v)),
        v -> {
          double s = 1 / (1 + Math.exp(-v));
          return s * (1 + v * (1 - s));
        });
  }

  private static void checkFormula(String name, Tensor x0, UnaryOperator<Tensor> op,
      java.util.function.DoubleUnaryOperator f, java.util.function.DoubleUnaryOperator df) {
    Tensor x = leaf(x0);
    Tensor y = op.apply(x);
    y.sum().backward();
    float[] xs = x0.toFloatArray(), ys = y.toFloatArray(), gs = x.grad().toFloatArray();
    for (int i = 0; i < xs.length; i++) {
      double want = f.applyAsDouble(xs[i]), dwant = df.applyAsDouble(xs[i]);
      if (Math.abs(ys[i] - want) > 1e-6 * (1 + Math.abs(want))) {
        fail(name + "(" + xs[i] + ") = " + ys[i] + ", want " + want);
      }
      if (Math.abs(gs[i] - dwant) > 2e-6 * (1 + Math.abs(dwant))) {
        fail(name + "'(" + xs[i] + ") = " + gs[i] + ", want " + dwant);
      }
    }
  }

  /** erf to 1e-12 by its Taylor series (|z| ≤ 3) or its continued fraction tail. */
  private static double erf(double z) {
    double a = Math.abs(z);
    double r;
    if (a < 3) {
      double term = a, sum = a;
      for (int n = 1; n < 200; n++) {
        term *= -a * a / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      double cf = 0;
      for (int n = 60; n >= 1; n--) cf = n / 2.0 / (a + cf);
      r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + cf);
    }
    return z < 0 ? -r : r;
  }
}
