package dev.fathom.tensor;

import static dev.fathom.testing.Inputs.awayFromZero;
import static dev.fathom.testing.Inputs.randn;
import static dev.fathom.testing.Inputs.uniform;

import dev.fathom.testing.GradCheck;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every elementwise op, including broadcasting and scalar forms. */
class PointwiseGradTest {

  /** Shape pairs that broadcast in different ways. */
  private static final int[][][] BROADCASTS = {
      {{3, 4}, {3, 4}},        // same shape
      {{2, 3, 4}, {3, 1}},     // trailing 1 and a missing leading dim
      {{3, 1}, {1, 4}},        // both sides expand
      {{4}, {2, 3, 4}},        // the smaller one first
      {{2, 3, 4}, {}},         // 0-d operand
  };

  @Test
  void addSubMulBroadcast() {
    for (int[][] s : BROADCASTS) {
      String shapes = Shape.str(s[0]) + " " + Shape.str(s[1]);
      GradCheck.check("add " + shapes, in -> in.get(0).add(in.get(1)), randn(1, s[0]), randn(2, s[1]));
      GradCheck.check("sub " + shapes, in -> in.get(0).sub(in.get(1)), randn(3, s[0]), randn(4, s[1]));
      GradCheck.check("mul " + shapes, in -> in.get(0).mul(in.get(1)), randn(5, s[0]), randn(6, s[1]));
    }
  }

  @Test
  void divBroadcast() {
    for (int[][] s : BROADCASTS) {
      // Divisors in ±[0.5, 2]: far from the pole at 0.
      Tensor b = uniform(8, 0.5f, 2f, s[1]);
      float[] d = b.data();
      for (int i = 0; i < d.length; i += 2) d[i] = -d[i];
      GradCheck.check("div " + Shape.str(s[0]) + " " + Shape.str(s[1]), in -> in.get(0).div(in.get(1)), randn(7, s[0]), b);
    }
  }

  @Test
  void powTensorBroadcast() {
    // Positive bases so that d/db = a^b·log a is defined.
    GradCheck.check("pow [3,4]^[3,4]", in -> in.get(0).pow(in.get(1)), uniform(9, 0.5f, 2f, 3, 4), uniform(10, -1.5f, 1.5f, 3, 4));
    GradCheck.check("pow [2,3,4]^[3,1]", in -> in.get(0).pow(in.get(1)), uniform(11, 0.5f, 2f, 2, 3, 4), uniform(12, -1.5f, 1.5f, 3, 1));
    GradCheck.check("pow [4]^[2,3,4]", in -> in.get(0).pow(in.get(1)), uniform(13, 0.5f, 2f, 4), uniform(14, -1.5f, 1.5f, 2, 3, 4));
  }

  @Test
  void maximumMinimumBroadcast() {
    for (int[][] s : new int[][][] {{{3, 4}, {3, 4}}, {{2, 3, 4}, {3, 1}}, {{4}, {2, 3, 4}}}) {
      Tensor a = randn(15, s[0]);
      Tensor b = randn(16, s[1]);
      // No ties and no near-ties: nudge b away from every a it is compared with.
      pushApart(a, b);
      GradCheck.check("maximum " + Shape.str(s[0]) + " " + Shape.str(s[1]), in -> in.get(0).maximum(in.get(1)), a, b);
      GradCheck.check("minimum " + Shape.str(s[0]) + " " + Shape.str(s[1]), in -> in.get(0).minimum(in.get(1)), a, b);
    }
  }

  /** Makes every broadcast pair (a_i, b_j) differ by at least 0.1 by shifting a. */
  private static void pushApart(Tensor a, Tensor b) {
    for (int iter = 0; iter < 100; iter++) {
      Tensor diff;
      try (var g = dev.fathom.autograd.Grad.disabled()) {
        diff = a.sub(b).abs().lt(0.1f);
      }
      if (diff.sum().item() == 0) return;
      float[] ad = a.data();
      for (int i = 0; i < ad.length; i++) ad[i] += 0.037f * (i % 3 + 1);
    }
    throw new IllegalStateException("could not separate the inputs");
  }

  @Test
  void scalarForms() {
    Tensor x = randn(17, 2, 3);
    GradCheck.check("add(s)", in -> in.get(0).add(1.5f), x);
    GradCheck.check("sub(s)", in -> in.get(0).sub(-0.5f), x);
    GradCheck.check("mul(s)", in -> in.get(0).mul(-2.5f), x);
    GradCheck.check("div(s)", in -> in.get(0).div(0.75f), x);
    GradCheck.check("rsub(s)", in -> in.get(0).rsub(3f), x);
    GradCheck.check("pow(2)", in -> in.get(0).pow(2f), x);
    GradCheck.check("pow(3)", in -> in.get(0).pow(3f), x);
    Tensor pos = uniform(18, 0.5f, 2f, 2, 3);
    GradCheck.check("pow(0.5)", in -> in.get(0).pow(0.5f), pos);
    GradCheck.check("pow(-1.5)", in -> in.get(0).pow(-1.5f), pos);
  }

  @Test
  void unarySmooth() {
    Tensor x = randn(19, 3, 5);
    check("neg", Tensor::neg, x);
    check("exp", Tensor::exp, x);
    check("tanh", Tensor::tanh, x);
    check("sigmoid", Tensor::sigmoid, x);
    check("gelu", Tensor::gelu, x);
    check("geluTanh", Tensor::geluTanh, x);
    check("silu", Tensor::silu, x);
    check("sin", Tensor::sin, x);
    check("cos", Tensor::cos, x);
    Tensor wide = uniform(20, -6f, 6f, 4, 6);
    check("sigmoid wide", Tensor::sigmoid, wide);
    check("gelu wide", Tensor::gelu, wide);
    check("geluTanh wide", Tensor::geluTanh, wide);
    check("silu wide", Tensor::silu, wide);
    Tensor pos = uniform(21, 0.5f, 3f, 3, 5);
    check("log", Tensor::log, pos);
    check("sqrt", Tensor::sqrt, pos);
    check("rsqrt", Tensor::rsqrt, pos);
  }

  @Test
  void unaryWithKinks() {
    Tensor x = awayFromZero(22, 0.1f, 3, 5);
    check("relu", Tensor::relu, x);
    check("abs", Tensor::abs, x);
  }

  @Test
  void clampInsideAndOutside() {
    // Values at least 0.05 from the edges ±0.5; some inside (gradient 1), some outside (0).
    float[] v = {-1.2f, -0.7f, -0.44f, -0.1f, 0.05f, 0.3f, 0.42f, 0.58f, 0.9f, 2f, -0.3f, 0.2f};
    Tensor x = dev.fathom.testing.Inputs.of(v, 3, 4);
    GradCheck.with().relStep(5e-3).verify("clamp", in -> in.get(0).clamp(-0.5f, 0.5f), x);
    GradCheck.with().relStep(5e-3).verify("clamp one-sided", in -> in.get(0).clamp(0f, Float.POSITIVE_INFINITY), x);
  }

  @Test
  void whereBroadcast() {
    Tensor cond = Tensor.of(new float[] {1, 0, 1}, 3, 1);
    Tensor a = randn(23, 2, 3, 4);
    Tensor b = randn(24, 4);
    GradCheck.check("where", in -> Tensor.where(cond, in.get(0), in.get(1)), a, b);
    Tensor condFull = Tensor.of(new float[] {1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0}, 3, 4);
    GradCheck.check("where same shape", in -> Tensor.where(condFull, in.get(0), in.get(1)), randn(25, 3, 4), randn(26, 3, 4));
  }

  @Test
  void maskedFillBroadcast() {
    Tensor mask = Tensor.of(new float[] {0, 1, 0}, 3, 1);
    GradCheck.check("maskedFill", in -> in.get(0).maskedFill(mask, -3f), randn(27, 2, 3, 4));
    Tensor full = Tensor.of(new float[] {1, 0, 0, 1, 0, 1}, 2, 3);
    GradCheck.check("maskedFill same shape", in -> in.get(0).maskedFill(full, 0f).mul(in.get(0)), randn(28, 2, 3));
  }

  @Test
  void sharedInputAndChains() {
    // One tensor used several times: the gradients of all uses must be summed.
    Tensor x = uniform(29, 0.5f, 2f, 2, 3);
    GradCheck.check("x*x + x/exp(x) - log(x)", in -> {
      Tensor t = in.get(0);
      return t.mul(t).add(t.div(t.exp())).sub(t.log());
    }, x);
    Tensor y = randn(30, 3);
    GradCheck.check("tanh(x·y)·sigmoid(y)", in -> in.get(0).mul(in.get(1)).tanh().mul(in.get(1).sigmoid()), x, y);
  }

  private static void check(String name, UnaryOperator<Tensor> op, Tensor x) {
    GradCheck.check(name, in -> op.apply(in.get(0)), x);
  }
}
