package dev.fathom.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tape's behaviour: accumulation, no-grad scopes, detach, retainGrad, hooks, grad(), errors. */
class AutogradBehaviourTest {

  private static Tensor leaf(float... v) {
    return Tensor.vector(v).requiresGrad(true);
  }

  @Test
  void gradientsAccumulateAcrossBackwardCalls() {
    Tensor x = leaf(1f, -2f, 3f);
    x.mul(x).sum().backward();             // d/dx = 2x
    assertThat(x.grad().toFloatArray()).containsExactly(2f, -4f, 6f);
    x.mul(3f).sum().backward();            // + 3
    assertThat(x.grad().toFloatArray()).containsExactly(5f, -1f, 9f);
    x.setGrad(null);
    x.mul(3f).sum().backward();
    assertThat(x.grad().toFloatArray()).containsExactly(3f, 3f, 3f);
  }

  @Test
  void backwardTwiceThroughTheSameGraphAccumulates() {
    Tensor x = leaf(0.5f, 1.5f);
    Tensor y = x.exp().sum();
    y.backward();
    y.backward();
    assertThat(x.grad().get(0)).isCloseTo(2 * (float) Math.exp(0.5), within(1e-5f));
    assertThat(x.grad().get(1)).isCloseTo(2 * (float) Math.exp(1.5), within(1e-5f));
  }

  @Test
  void onlyRequiringInputsGetGradients() {
    Tensor x = leaf(1f, 2f);
    Tensor c = Tensor.vector(3f, 4f);
    x.mul(c).sum().backward();
    assertThat(x.grad().toFloatArray()).containsExactly(3f, 4f);
    assertThat(c.grad()).isNull();
    assertThat(c.requiresGrad()).isFalse();
  }

  @Test
  void leavesAndRecordedResults() {
    Tensor x = leaf(1f, 2f);
    Tensor y = x.mul(2f);
    assertThat(x.isLeaf()).isTrue();
    assertThat(x.gradFn()).isNull();
    assertThat(y.isLeaf()).isFalse();
    assertThat(y.requiresGrad()).isTrue();
    assertThat(y.gradFn().name()).isEqualTo("mulScalar");
    assertThat(y.gradFn().inputs()).containsExactly(x);
    assertThatThrownBy(() -> y.requiresGrad(false)).isInstanceOf(IllegalStateException.class).hasMessageContaining("detach");
    assertThatThrownBy(() -> Tensor.ofLongs(new long[] {1}, 1).requiresGrad(true))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("INT64");
    Tensor plain = Tensor.vector(1f, 2f);
    assertThat(plain.mul(plain).requiresGrad()).isFalse();
  }

  @Test
  void disabledRecordsNothing() {
    Tensor x = leaf(1f, 2f, 3f);
    Tensor y;
    try (var g = Grad.disabled()) {
      assertThat(Grad.isEnabled()).isFalse();
      y = x.mul(x).exp().sum();
      try (var e = Grad.enabled()) {
        assertThat(x.mul(2f).requiresGrad()).isTrue();
      }
      assertThat(Grad.isEnabled()).isFalse();
    }
    assertThat(Grad.isEnabled()).isTrue();
    assertThat(y.requiresGrad()).isFalse();
    assertThat(y.gradFn()).isNull();
    assertThat(y.item()).isCloseTo((float) (Math.exp(1) + Math.exp(4) + Math.exp(9)), within(1e-2f));
    assertThatThrownBy(y::backward).isInstanceOf(IllegalStateException.class).hasMessageContaining("does not require grad");
  }

  @Test
  void disabledIsPerThread() throws Exception {
    Tensor x = leaf(1f);
    boolean[] recorded = new boolean[1];
    try (var g = Grad.disabled()) {
      Thread t = new Thread(() -> recorded[0] = x.mul(2f).requiresGrad());
      t.start();
      t.join();
    }
    assertThat(recorded[0]).isTrue();
  }

  @Test
  void detachStopsGradients() {
    Tensor x = leaf(2f, 3f);
    Tensor d = x.detach();
    assertThat(d.requiresGrad()).isFalse();
    assertThat(d.isLeaf()).isTrue();
    assertThat(d.data()).isSameAs(x.data());
    // y = x · stopgrad(x): dy/dx = stopgrad(x) only.
    x.mul(x.detach()).sum().backward();
    assertThat(x.grad().toFloatArray()).containsExactly(2f, 3f);
    // Nothing flows through a detached branch at all.
    Tensor z = leaf(1f, 1f);
    z.exp().detach().mul(5f).requiresGrad(true).sum().backward();
    assertThat(z.grad()).isNull();
  }

  @Test
  void retainGradKeepsIntermediateGradients() {
    Tensor x = leaf(1f, 2f);
    Tensor h = x.mul(3f).retainGrad();
    Tensor other = x.mul(2f);
    h.mul(h).sum().add(other.sum()).backward();
    assertThat(h.retainsGrad()).isTrue();
    assertThat(h.grad().toFloatArray()).containsExactly(6f, 12f);       // 2h
    assertThat(other.grad()).isNull();
    assertThat(x.grad().toFloatArray()).containsExactly(20f, 38f);      // 2h·3 + 2
  }

  @Test
  void tensorHooksObserveAndReplace() {
    Tensor x = leaf(1f, 2f);
    Tensor h = x.mul(x);
    List<float[]> seen = new ArrayList<>();
    h.registerHook(g -> {
      seen.add(g.toFloatArray());
      return null;
    });
    h.mul(Tensor.vector(5f, 7f)).sum().backward();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).containsExactly(5f, 7f);
    assertThat(x.grad().toFloatArray()).containsExactly(10f, 28f);

    // A replacing hook changes what flows further down.
    x.setGrad(null);
    Tensor h2 = x.mul(x);
    Runnable remove = h2.registerHook(g -> g.mul(0.5f));
    h2.sum().backward();
    assertThat(x.grad().toFloatArray()).containsExactly(1f, 2f);       // 0.5 · 2x
    remove.run();
    assertThat(h2.hooks()).isEmpty();
    x.setGrad(null);
    h2.sum().backward();
    assertThat(x.grad().toFloatArray()).containsExactly(2f, 4f);

    // Hooks on a leaf change what is accumulated; several hooks run in registration order.
    Tensor y = leaf(1f, 1f);
    y.registerHook(g -> g.add(1f));
    y.registerHook(g -> g.mul(10f));
    y.mul(3f).sum().backward();
    assertThat(y.grad().toFloatArray()).containsExactly(40f, 40f);
  }

  @Test
  void hookSeesTheSummedGradientOnce() {
    Tensor x = leaf(2f);
    Tensor h = x.mul(1f);
    int[] calls = new int[1];
    float[] value = new float[1];
    h.registerHook(g -> {
      calls[0]++;
      value[0] = g.item();
      return null;
    });
    h.mul(h).add(h.mul(3f)).sum().backward();   // d/dh (h² + 3h) = 2h + 3 = 7
    assertThat(calls[0]).isEqualTo(1);
    assertThat(value[0]).isEqualTo(7f);
  }

  @Test
  void gradFunctionDoesNotTouchDotGrad() {
    Tensor x = leaf(1f, 2f, 3f);
    Tensor w = leaf(0.5f, -1f, 2f);
    Tensor unused = leaf(9f);
    Tensor h = x.mul(w);
    Tensor y = h.sum();
    Tensor[] g = Autograd.grad(y, null, x, w, unused, h);
    assertThat(g[0].toFloatArray()).containsExactly(0.5f, -1f, 2f);
    assertThat(g[1].toFloatArray()).containsExactly(1f, 2f, 3f);
    assertThat(g[2].toFloatArray()).containsExactly(0f);
    assertThat(g[3].toFloatArray()).containsExactly(1f, 1f, 1f);
    assertThat(x.grad()).isNull();
    assertThat(w.grad()).isNull();
    assertThat(unused.grad()).isNull();
    // With a seed for a non-scalar output.
    Tensor[] gs = Autograd.grad(h, Tensor.vector(1f, 10f, 100f), x);
    assertThat(gs[0].toFloatArray()).containsExactly(0.5f, -10f, 200f);
    assertThat(x.grad()).isNull();
  }

  @Test
  void backwardOnNonScalarNeedsASeed() {
    Tensor x = leaf(1f, 2f);
    Tensor y = x.mul(2f);
    assertThatThrownBy(y::backward).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seed").hasMessageContaining("[2]");
    assertThatThrownBy(() -> y.backward(Tensor.ones(3))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[3]").hasMessageContaining("[2]");
    y.backward(Tensor.vector(1f, -1f));
    assertThat(x.grad().toFloatArray()).containsExactly(2f, -2f);
  }

  @Test
  void deepChainDoesNotOverflowTheStack() {
    Tensor x = leaf(1f);
    Tensor y = x;
    for (int i = 0; i < 20_000; i++) y = y.add(0f);
    y.sum().backward();
    assertThat(x.grad().item()).isEqualTo(1f);
  }

  @Test
  void setGradChecksTheShape() {
    Tensor x = Tensor.randn(new Rng(1), 2, 3).requiresGrad(true);
    assertThatThrownBy(() -> x.setGrad(Tensor.zeros(3, 2))).hasMessageContaining("[3, 2]").hasMessageContaining("[2, 3]");
  }
}
