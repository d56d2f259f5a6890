package dev.fathom.compress;

import dev.fathom.tensor.Tensor;

/**
 * Keeping some indices along one dimension of a row-major tensor viewed as (outer, n, inner):
 * rows of a matrix are (1, rows, cols), its columns (rows, cols, 1), the input channels of a conv
 * weight (out, in, kh·kw). Also zeroing the same slices in place (the masked twin of a pruned model).
 */
final class Slicing {
  private Slicing() {}

  /** A new tensor of {@code shape} holding t's (outer, n, inner) entries at middle indices {@code keep}. */
  static Tensor keep(Tensor t, int outer, int n, int inner, int[] keep, int... shape) {
    float[] a = t.toFloatArray();
    check(a.length, outer, n, inner);
    float[] out = new float[outer * keep.length * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < keep.length; i++) {
        System.arraycopy(a, (o * n + keep[i]) * inner, out, (o * keep.length + i) * inner, inner);
      }
    }
    return Tensor.of(out, shape);
  }

  /** Sets t's (outer, n, inner) entries at middle indices {@code drop} to zero, in place. */
  static void zero(float[] a, int outer, int n, int inner, int[] drop) {
    check(a.length, outer, n, inner);
    for (int o = 0; o < outer; o++) for (int d : drop) java.util.Arrays.fill(a, (o * n + d) * inner, (o * n + d + 1) * inner, 0f);
  }

  private static void check(int len, int outer, int n, int inner) {
    if ((long) outer * n * inner != len) {
      throw new IllegalArgumentException("slicing: a tensor of " + len + " values cannot be viewed as (" + outer + ", " + n + ", " + inner + ")");
    }
  }
}
