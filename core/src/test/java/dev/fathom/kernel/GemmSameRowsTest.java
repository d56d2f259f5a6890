package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Gemm#sameRows}: extra rows under a product leave the original rows' bits alone when promised. */
class GemmSameRowsTest {

  /** The first m1 rows of C computed with m1 rows and with m2 rows; true when every bit agrees. */
  static boolean rowsAgree(boolean transB, int m1, int m2, int n, int k, float beta, long seed) {
    Random r = new Random(seed);
    int m = Math.max(m1, m2);
    float[] a = new float[m * k], b = new float[n * k], c0 = new float[m * n];
    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
    for (int i = 0; i < c0.length; i++) c0[i] = (float) r.nextGaussian();
    float[] c1 = c0.clone(), c2 = c0.clone();
    int ldb = transB ? k : n;
    Gemm.sgemm(false, transB, m1, n, k, 1f, a, 0, k, b, 0, ldb, beta, c1, 0, n);
    Gemm.sgemm(false, transB, m2, n, k, 1f, a, 0, k, b, 0, ldb, beta, c2, 0, n);
    for (int i = 0; i < Math.min(m1, m2) * n; i++) {
      if (Float.floatToRawIntBits(c1[i]) != Float.floatToRawIntBits(c2[i])) return false;
    }
    return true;
  }

  @Test
  void promisedShapesGiveTheSameBits() {
    int[][] shapes = {{256, 320, 128, 784}, {256, 320, 10, 128}, {256, 320, 784, 128}, {5, 8, 4, 8}, {100, 130, 16, 64},
        {16, 36, 16, 8}, {13, 200, 33, 17}, {7, 1, 9, 300}};
    int promised = 0;
    for (int[] s : shapes) {
      if (!Gemm.sameRows(s[0], s[1], s[2], s[3])) continue;
      promised++;
      for (boolean transB : new boolean[] {false, true}) {
        for (float beta : new float[] {0f, 1f}) {
          assertThat(rowsAgree(transB, s[0], s[1], s[2], s[3], beta, s[0] * 31L + s[1]))
              .as("m %d vs %d, n %d, k %d, transB %s, beta %s", s[0], s[1], s[2], s[3], transB, beta).isTrue();
        }
      }
    }
    assertThat(promised).as("shapes the promise covers").isGreaterThanOrEqualTo(5);
  }

  @Test
  void shapesOnEitherSideOfAPathChangeAreNotPromised() {
    // 20·20·64 multiply-adds take the direct path, 27·20·64 the packed one: their sums differ in order
    assertThat(Gemm.sameRows(20, 27, 20, 64)).isFalse();
    assertThat(Gemm.sameRows(4, 8, 50, 100)).isFalse();  // 4 rows are skinny
    assertThat(Gemm.sameRows(20, 20, 20, 64)).isTrue();
    assertThatThrownBy(() -> Gemm.sameRows(-1, 2, 3, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m1=-1");
  }
}
