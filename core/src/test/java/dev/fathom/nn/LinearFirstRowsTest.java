package dev.fathom.nn;

import static dev.fathom.testing.Inputs.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@link F#linearFirstRows}: the parameters learn from the first rows only, bit for bit as {@link F#linear} on them. */
class LinearFirstRowsTest {

  private static Tensor leaf(Tensor t) {
    return t.detach().copy().requiresGrad(true);
  }

  @Test
  void parameterGradientsAreThoseOfTheFirstRowsAloneAndInputGradientsThoseOfAll() {
    // 40 rows of 64 → 48: both row counts take the same GEMM path, so the first rows' outputs agree bitwise too
    int rows = 40, first = 29, in = 64, out = 48;
    Tensor x = randn(1, rows, in), w = randn(2, out, in), b = randn(3, out), r = randn(4, rows, out);
    Tensor xs = leaf(x), ws = leaf(w), bs = leaf(b);
    Tensor y = F.linearFirstRows(xs, ws, bs, first);
    y.mul(r).sum().backward();

    Tensor wf = leaf(w), bf = leaf(b);
    Tensor yFirst = F.linear(x.narrow(0, 0, first).detach(), wf, bf);
    yFirst.mul(r.narrow(0, 0, first).detach()).sum().backward();
    assertThat(ws.grad().data()).containsExactly(wf.grad().data());
    assertThat(bs.grad().data()).containsExactly(bf.grad().data());

    Tensor xa = leaf(x);
    Tensor yAll = F.linear(xa, leaf(w), leaf(b));
    yAll.mul(r).sum().backward();
    assertThat(xs.grad().data()).containsExactly(xa.grad().data());
    assertThat(y.data()).containsExactly(yAll.data());
    float[] head = new float[first * out];
    System.arraycopy(y.data(), 0, head, 0, head.length);
    assertThat(head).containsExactly(yFirst.data());
  }

  @Test
  void noFirstRowsMeansZeroParameterGradientsAndTooManyIsRefused() {
    Tensor ws = leaf(randn(5, 3, 4)), bs = leaf(randn(6, 3));
    F.linearFirstRows(randn(7, 6, 4), ws, bs, 0).sum().backward();
    assertThat(ws.grad().data()).containsOnly(0f);
    assertThat(bs.grad().data()).containsOnly(0f);
    assertThatThrownBy(() -> F.linearFirstRows(randn(8, 6, 4), ws, bs, 7))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("linearFirstRows: paramRows must be in [0, 6], got 7");
    assertThatThrownBy(() -> F.linearFirstRows(randn(9, 6, 4), ws, bs, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("linearFirstRows: paramRows must be in [0, 6], got -1");
  }
}
