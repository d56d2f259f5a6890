package dev.fathom.tensor;

import java.util.Arrays;

/** Static helpers for shapes ({@code int[]} dims, row-major). */
public final class Shape {
  private Shape() {}

  /** Number of elements of a shape; throws when it overflows an int. */
  public static int numel(int... shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new ShapeException("shape " + str(shape) + " has a negative dimension");
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new ShapeException("shape " + str(shape) + " has more than 2^31-1 elements");
      }
    }
    return (int) n;
  }

  /** Row-major (contiguous) strides of a shape. */
  public static int[] strides(int... shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** The shape as PyTorch prints it: {@code [2, 3, 4]}. */
  public static String str(int... shape) {
    return Arrays.toString(shape);
  }

  /** Normalizes a possibly negative dim ({@code -1} = last) against a rank; throws if out of range. */
  public static int dim(int dim, int rank) {
    int d = dim < 0 ? dim + rank : dim;
    if (d < 0 || d >= Math.max(rank, 1) || (rank == 0 && d != 0)) {
      throw new ShapeException("dim " + dim + " is out of range for a tensor of rank " + rank
          + " (expected " + (-Math.max(rank, 1)) + " to " + (Math.max(rank, 1) - 1) + ")");
    }
    return d;
  }

  /** The broadcast shape of two shapes under NumPy/PyTorch rules. */
  public static int[] broadcast(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
      int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
      if (da != db && da != 1 && db != 1) {
        throw new ShapeException("shapes " + str(a) + " and " + str(b)
            + " cannot be broadcast: dimension " + i + " is " + da + " vs " + db);
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /**
   * Strides to read a tensor of {@code shape} as if it had the broadcast shape {@code target}:
   * 0 along broadcast dimensions.
   */
  public static int[] broadcastStrides(int[] shape, int[] target) {
    int[] own = strides(shape);
    int[] s = new int[target.length];
    int off = target.length - shape.length;
    for (int i = 0; i < target.length; i++) {
      int j = i - off;
      s[i] = (j < 0 || shape[j] == 1) ? 0 : own[j];
    }
    return s;
  }
}
