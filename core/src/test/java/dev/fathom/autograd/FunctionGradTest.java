package dev.fathom.autograd;

import static dev.fathom.testing.Inputs.randn;
import static dev.fathom.testing.Inputs.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** Custom differentiable functions through {@link Function}: gradient checks and the API's contract. */
class FunctionGradTest {

  /** f(x, y) = x²·y + sin(x), with a hand-written backward. */
  static final class XSquaredY extends Function {
    boolean[] needs;

    @Override
    protected Tensor forward(FunctionContext ctx, Tensor... in) {
      ctx.saveForBackward(in[0], in[1]);
      ctx.put("shape", in[0].shape());
      needs = new boolean[] {ctx.needsInputGrad(0), ctx.needsInputGrad(1)};
      return in[0].mul(in[0]).mul(in[1]).add(in[0].sin());
    }

    @Override
    protected Tensor[] backward(FunctionContext ctx, Tensor g) {
      Tensor x = ctx.savedTensors()[0], y = ctx.savedTensors()[1];
      int[] shape = ctx.get("shape");
      assertThat(shape).isEqualTo(x.shape());
      Tensor gx = ctx.needsInputGrad(0) ? g.mul(x.mul(y).mul(2f).add(x.cos())) : null;
      Tensor gy = ctx.needsInputGrad(1) ? g.mul(x.mul(x)) : null;
      return new Tensor[] {gx, gy};
    }
  }

  /** Rounds to integers in forward, passes the gradient straight through (quantization-aware training). */
  static final class RoundStraightThrough extends Function {
    @Override
    protected Tensor forward(FunctionContext ctx, Tensor... in) {
      float[] d = in[0].toFloatArray();
      for (int i = 0; i < d.length; i++) d[i] = Math.round(d[i]);
      return Tensor.of(d, in[0].shape());
    }

    @Override
    protected Tensor[] backward(FunctionContext ctx, Tensor g) {
      return new Tensor[] {g};
    }
  }

  /** Cube with a deliberately wrong backward (2x² instead of 3x²). */
  static final class WrongCube extends Function {
    @Override
    protected Tensor forward(FunctionContext ctx, Tensor... in) {
      ctx.saveForBackward(in[0]);
      return in[0].pow(3f);
    }

    @Override
    protected Tensor[] backward(FunctionContext ctx, Tensor g) {
      Tensor x = ctx.savedTensors()[0];
      return new Tensor[] {g.mul(x.mul(x).mul(2f))};
    }
  }

  @Test
  void customFunctionPassesGradCheck() {
    Tensor x = randn(1, 3, 4), y = randn(2, 3, 4);
    GradCheck.check("custom x²y + sin x", in -> new XSquaredY().apply(in.get(0), in.get(1)), x, y);
    // Inside a larger graph, with the output used twice.
    GradCheck.check("custom inside a graph", in -> {
      Tensor f = new XSquaredY().apply(in.get(0).tanh(), in.get(1));
      return f.mul(f).add(f.exp());
    }, x, y);
  }

  @Test
  void needsInputGradReflectsTheInputs() {
    Tensor x = randn(3, 2), c = Tensor.vector(1f, 2f);
    XSquaredY f = new XSquaredY();
    Tensor out = f.apply(x, c);
    assertThat(f.needs).containsExactly(true, false);
    out.sum().backward();
    assertThat(x.grad()).isNotNull();
    assertThat(c.grad()).isNull();
    assertThat(out.gradFn().name()).isEqualTo("XSquaredY");
  }

  @Test
  void forwardRunsWithoutRecordingAndNothingIsRecordedWithoutGradInputs() {
    Tensor x = randn(4, 3);
    Tensor out = new XSquaredY().apply(x, Tensor.ones(3));
    // The output's only node is the custom function, not the ops used inside forward.
    assertThat(out.gradFn().inputs()).hasSize(2);
    Tensor plain = new XSquaredY().apply(Tensor.ones(3), Tensor.ones(3));
    assertThat(plain.requiresGrad()).isFalse();
    try (var g = Grad.disabled()) {
      assertThat(new XSquaredY().apply(x, x).requiresGrad()).isFalse();
    }
  }

  @Test
  void straightThroughEstimator() {
    Tensor x = Tensor.vector(0.2f, 1.7f, -2.4f).requiresGrad(true);
    Tensor q = new RoundStraightThrough().apply(x);
    assertThat(q.toFloatArray()).containsExactly(0f, 2f, -2f);
    q.mul(Tensor.vector(1f, 2f, 3f)).sum().backward();
    assertThat(x.grad().toFloatArray()).containsExactly(1f, 2f, 3f);
  }

  @Test
  void forwardMayReturnItsInput() {
    Function identity = new Function() {
      @Override
      protected Tensor forward(FunctionContext ctx, Tensor... in) {
        return in[0];
      }

      @Override
      protected Tensor[] backward(FunctionContext ctx, Tensor g) {
        return new Tensor[] {g.mul(2f)};
      }
    };
    Tensor x = randn(8, 3);
    Tensor y = identity.apply(x);
    assertThat(y).isNotSameAs(x);
    assertThat(x.isLeaf()).isTrue();
    assertThat(y.toFloatArray()).containsExactly(x.toFloatArray());
    y.sum().backward();
    assertThat(x.grad().toFloatArray()).containsOnly(2f);
  }

  @Test
  void gradCheckRejectsAWrongBackward() {
    Tensor x = uniform(5, 0.5f, 2f, 5);
    assertThatThrownBy(() -> GradCheck.check("wrong cube", in -> new WrongCube().apply(in.get(0)), x))
        .isInstanceOf(AssertionError.class).hasMessageContaining("wrong cube").hasMessageContaining("analytic");
  }

  @Test
  void backwardMustReturnOneGradientPerInput() {
    Function bad = new Function() {
      @Override
      protected Tensor forward(FunctionContext ctx, Tensor... in) {
        return in[0].add(in[1]);
      }

      @Override
      protected Tensor[] backward(FunctionContext ctx, Tensor g) {
        return new Tensor[] {g};
      }
    };
    Tensor x = randn(6, 2), y = randn(7, 2);
    assertThatThrownBy(() -> bad.apply(x, y).sum().backward()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 gradients for 2 inputs");
    Function badShape = new Function() {
      @Override
      protected Tensor forward(FunctionContext ctx, Tensor... in) {
        return in[0].mul(2f);
      }

      @Override
      protected Tensor[] backward(FunctionContext ctx, Tensor g) {
        return new Tensor[] {Tensor.zeros(3)};
      }
    };
    assertThatThrownBy(() -> badShape.apply(x).sum().backward()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[3]").hasMessageContaining("[2]");
  }

  @Test
  void missingContextValueIsReported() {
    FunctionContext ctx = new FunctionContext();
    ctx.put("a", 1);
    assertThatThrownBy(() -> ctx.get("b")).hasMessageContaining("'b'").hasMessageContaining("a");
  }
}
