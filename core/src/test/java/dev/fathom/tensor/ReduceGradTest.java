package dev.fathom.tensor;

import static dev.fathom.testing.Inputs.distinct;
import static dev.fathom.testing.Inputs.randn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of reductions, softmax and log-softmax over several dims. */
class ReduceGradTest {

  @Test
  void sum() {
    Tensor x = randn(1, 2, 3, 4);
    GradCheck.check("sum()", in -> in.get(0).sum(), x);
    for (int d : new int[] {0, 1, 2, -1}) {
      for (boolean keep : new boolean[] {false, true}) {
        GradCheck.check("sum(" + d + ", " + keep + ")", in -> in.get(0).sum(d, keep), x);
      }
    }
    GradCheck.check("sum([0,2], true)", in -> in.get(0).sum(new int[] {0, 2}, true), x);
    GradCheck.check("sum([-1,0], false)", in -> in.get(0).sum(new int[] {-1, 0}, false), x);
  }

  @Test
  void mean() {
    Tensor x = randn(2, 2, 3, 4);
    GradCheck.check("mean()", in -> in.get(0).mean(), x);
    for (int d : new int[] {0, 1, -1}) {
      for (boolean keep : new boolean[] {false, true}) {
        GradCheck.check("mean(" + d + ", " + keep + ")", in -> in.get(0).mean(d, keep), x);
      }
    }
    GradCheck.check("mean([1,2], false)", in -> in.get(0).mean(new int[] {1, 2}, false), x);
  }

  @Test
  void var() {
    Tensor x = randn(3, 2, 3, 4);
    for (int d : new int[] {0, 1, -1}) {
      for (boolean keep : new boolean[] {false, true}) {
        GradCheck.check("var(" + d + ", " + keep + ")", in -> in.get(0).var(d, keep), x);
      }
    }
    GradCheck.check("var([0,2], 0, true)", in -> in.get(0).var(new int[] {0, 2}, 0, true), x);
    GradCheck.check("var([1,2], 1, false)", in -> in.get(0).var(new int[] {1, 2}, 1, false), x);
  }

  @Test
  void maxMinAlongDims() {
    // Distinct values spaced 2/24 apart: a step of 5e-3 never changes the argmax.
    Tensor x = distinct(4, 2, 3, 4);
    GradCheck g = GradCheck.with().relStep(5e-3);
    for (int d : new int[] {0, 1, 2, -1}) {
      for (boolean keep : new boolean[] {false, true}) {
        g.verify("max(" + d + ", " + keep + ")", in -> in.get(0).max(d, keep), x);
        g.verify("min(" + d + ", " + keep + ")", in -> in.get(0).min(d, keep), x);
      }
    }
    g.verify("max()", in -> in.get(0).max(), x);
    g.verify("min()", in -> in.get(0).min(), x);
  }

  @Test
  void maxGradientGoesToOneElement() {
    Tensor x = Tensor.vector(1f, 3f, 3f, 2f).requiresGrad(true);
    x.max(0, false).backward();
    // Ties: the documented rule sends the whole gradient to the first maximal element.
    assertThat(x.grad().toFloatArray()).containsExactly(0f, 1f, 0f, 0f);
  }

  @Test
  void logsumexp() {
    Tensor x = randn(5, 3, 4, 5);
    for (int d : new int[] {0, 1, -1}) {
      for (boolean keep : new boolean[] {false, true}) {
        GradCheck.check("logsumexp(" + d + ", " + keep + ")", in -> in.get(0).logsumexp(d, keep), x);
      }
    }
    Tensor big = randn(6, 2, 5).mul(30f).detach().requiresGrad(true);
    GradCheck.with().relStep(1e-3).verify("logsumexp large logits", in -> in.get(0).logsumexp(1, false), big);
  }

  @Test
  void softmaxAndLogSoftmax() {
    Tensor x = randn(7, 3, 4, 5);
    for (int d : new int[] {0, 1, 2, -1}) {
      GradCheck.check("softmax(" + d + ")", in -> in.get(0).softmax(d), x);
      GradCheck.check("logSoftmax(" + d + ")", in -> in.get(0).logSoftmax(d), x);
    }
    Tensor m = randn(8, 4, 6);
    GradCheck.check("softmax 2-D dim 0", in -> in.get(0).softmax(0), m);
    GradCheck.check("logSoftmax 2-D dim 1", in -> in.get(0).logSoftmax(1), m);
  }
}
