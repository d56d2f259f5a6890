package dev.fathom.tensor;

import static dev.fathom.testing.Inputs.randn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of matmul in all its operand ranks, with batch broadcasting. */
class LinalgGradTest {

  private static void check(int[] a, int[] b, int[] expectedShape) {
    String name = "matmul " + Shape.str(a) + " @ " + Shape.str(b);
    Tensor x = randn(a.length * 10L + b.length, a), y = randn(a.length * 10L + b.length + 100, b);
    assertThat(x.matmul(y).shape()).as(name).containsExactly(expectedShape);
    GradCheck.check(name, in -> in.get(0).matmul(in.get(1)), x, y);
  }

  @Test
  void vectorOperands() {
    check(new int[] {4}, new int[] {4}, new int[] {});
    check(new int[] {4}, new int[] {4, 5}, new int[] {5});
    check(new int[] {3, 4}, new int[] {4}, new int[] {3});
    check(new int[] {4}, new int[] {2, 4, 5}, new int[] {2, 5});
    check(new int[] {2, 3, 4}, new int[] {4}, new int[] {2, 3});
  }

  @Test
  void matrices() {
    check(new int[] {3, 4}, new int[] {4, 5}, new int[] {3, 5});
    check(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
    check(new int[] {2, 3, 4}, new int[] {4, 5}, new int[] {2, 3, 5});
  }

  @Test
  void batched() {
    check(new int[] {2, 3, 4}, new int[] {2, 4, 5}, new int[] {2, 3, 5});
    check(new int[] {3, 4}, new int[] {2, 4, 5}, new int[] {2, 3, 5});
    check(new int[] {2, 1, 3, 4}, new int[] {5, 4, 2}, new int[] {2, 5, 3, 2});
    check(new int[] {1, 3, 4}, new int[] {2, 4, 5}, new int[] {2, 3, 5});
    check(new int[] {2, 1, 3, 4}, new int[] {1, 3, 4, 2}, new int[] {2, 3, 3, 2});
  }

  @Test
  void matchesANaiveProduct() {
    Tensor a = Tensor.randn(new Rng(1), 2, 1, 3, 4), b = Tensor.randn(new Rng(2), 5, 4, 2);
    Tensor c = a.matmul(b);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 5; j++) {
        for (int r = 0; r < 3; r++) {
          for (int s = 0; s < 2; s++) {
            double acc = 0;
            for (int k = 0; k < 4; k++) acc += a.get(i, 0, r, k) * b.get(j, k, s);
            assertThat((double) c.get(i, j, r, s)).isCloseTo(acc, org.assertj.core.data.Offset.offset(1e-5));
          }
        }
      }
    }
  }
}
