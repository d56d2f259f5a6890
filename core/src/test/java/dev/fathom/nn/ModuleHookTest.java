package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forward pre-hooks, forward hooks and backward hooks of {@link Module}. */
class ModuleHookTest {

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("index %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void forwardPreHookObservesAndReplacesTheInput() {
    Linear lin = new Linear(3, 2, new Rng(1));
    Tensor x = Tensor.randn(new Rng(2), 4, 3);
    List<int[]> seen = new ArrayList<>();
    Runnable remove = lin.registerForwardPreHook((m, in) -> {
      assertThat(m).isSameAs(lin);
      seen.add(in.shape());
      return in.mul(2f);
    });
    Tensor hooked = lin.call(x);
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).containsExactly(4, 3);
    assertClose(hooked.toFloatArray(), lin.forward(x.mul(2f)).toFloatArray());
    remove.run();
    assertClose(lin.call(x).toFloatArray(), lin.forward(x).toFloatArray());
    assertThat(seen).hasSize(1);
  }

  @Test
  void forwardHookObservesAndReplacesTheOutput() {
    Linear lin = new Linear(3, 2, new Rng(3));
    Tensor x = Tensor.randn(new Rng(4), 4, 3);
    Tensor[] captured = new Tensor[2];
    lin.registerForwardHook((m, in, out) -> {
      captured[0] = in;
      captured[1] = out;
      return null;
    });
    Runnable replace = lin.registerForwardHook((m, in, out) -> out.relu());
    Tensor y = lin.call(x);
    assertThat(captured[0].toFloatArray()).containsExactly(x.toFloatArray());
    assertClose(captured[1].toFloatArray(), lin.forward(x).toFloatArray());
    assertClose(y.toFloatArray(), lin.forward(x).relu().toFloatArray());
    replace.run();
    assertClose(lin.call(x).toFloatArray(), lin.forward(x).toFloatArray());
  }

  @Test
  void hooksRunForChildrenInsideSequential() {
    Rng rng = new Rng(5);
    Linear a = new Linear(3, 4, rng), b = new Linear(4, 2, rng);
    Sequential net = new Sequential(a, Activation.tanh(), b);
    List<String> order = new ArrayList<>();
    a.registerForwardHook((m, in, out) -> {
      order.add("a " + out.size(1));
      return null;
    });
    b.registerForwardPreHook((m, in) -> {
      order.add("b-pre " + in.size(1));
      return null;
    });
    net.registerForwardHook((m, in, out) -> {
      order.add("net " + out.size(1));
      return null;
    });
    net.call(Tensor.randn(rng, 2, 3));
    assertThat(order).containsExactly("a 4", "b-pre 4", "net 2");
  }

  @Test
  void backwardHookGetsInputAndOutputGradients() {
    Linear lin = new Linear(3, 2, new Rng(6));
    Tensor x = Tensor.randn(new Rng(7), 4, 3).requiresGrad(true);
    Tensor[] grads = new Tensor[2];
    int[] calls = new int[1];
    lin.registerBackwardHook((m, gin, gout) -> {
      assertThat(m).isSameAs(lin);
      calls[0]++;
      grads[0] = gin;
      grads[1] = gout;
    });
    Tensor r = Tensor.randn(new Rng(8), 4, 2);
    lin.call(x).mul(r).sum().backward();
    assertThat(calls[0]).isEqualTo(1);
    assertThat(grads[1].shape()).containsExactly(4, 2);
    assertThat(grads[0].shape()).containsExactly(4, 3);
    // dL/dy = r; dL/dx = r·W.
    assertClose(grads[1].toFloatArray(), r.toFloatArray());
    Tensor expected;
    try (var g = Grad.disabled()) {
      expected = r.matmul(lin.weight);
    }
    assertClose(grads[0].toFloatArray(), expected.toFloatArray());
    assertClose(x.grad().toFloatArray(), expected.toFloatArray());
    // The hook does not disturb the parameter gradients.
    Tensor gw;
    try (var g = Grad.disabled()) {
      gw = r.t().matmul(x);
    }
    assertClose(lin.weight.grad().toFloatArray(), gw.toFloatArray());
  }

  @Test
  void backwardHookWithoutInputGradient() {
    Linear lin = new Linear(3, 2, new Rng(9));
    Tensor x = Tensor.randn(new Rng(10), 2, 3);
    Tensor[] grads = new Tensor[2];
    boolean[] called = new boolean[1];
    Runnable remove = lin.registerBackwardHook((m, gin, gout) -> {
      called[0] = true;
      grads[0] = gin;
      grads[1] = gout;
    });
    lin.call(x).sum().backward();
    assertThat(called[0]).isTrue();
    assertThat(grads[0]).isNull();
    assertThat(grads[1].toFloatArray()).containsOnly(1f);
    remove.run();
    called[0] = false;
    lin.call(x).sum().backward();
    assertThat(called[0]).isFalse();
  }

  @Test
  void backwardHookOnAChildOfAModel() {
    Rng rng = new Rng(11);
    Linear a = new Linear(3, 4, rng), b = new Linear(4, 2, rng);
    Sequential net = new Sequential(a, Activation.tanh(), b);
    Tensor[] got = new Tensor[2];
    b.registerBackwardHook((m, gin, gout) -> {
      got[0] = gin;
      got[1] = gout;
    });
    Tensor x = Tensor.randn(rng, 5, 3);
    net.call(x).sum().backward();
    // gin is the gradient at b's input (the tanh output): ones(5, 2)·W_b.
    assertThat(got[0].shape()).containsExactly(5, 4);
    assertThat(got[1].shape()).containsExactly(5, 2);
    float[] expected;
    try (var g = Grad.disabled()) {
      expected = Tensor.ones(5, 2).matmul(b.weight).toFloatArray();
    }
    assertClose(got[0].toFloatArray(), expected);
    assertThat(a.weight.grad()).isNotNull();
  }
}
