package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API linear attention against its scalar twin (bit for bit, forward and backward,
 * at awkward sizes and with grouped heads), work items independent of how they are split across
 * threads, the one-token path against the whole-sequence walk, and bad sizes.
 */
class LinearAttentionKernelsTest {

  private record Case(int b, int h, int hkv, int t, int d, int dv) {}

  private static float[] rand(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }

  /** {out, den, gq, gk, gv} of one case, vector or scalar, from inputs drawn with the seed. */
  private static float[][] run(boolean vector, Case c, long seed) {
    Random r = new Random(seed);
    float[] q = rand(r, c.b * c.h * c.t * c.d), k = rand(r, c.b * c.hkv * c.t * c.d), v = rand(r, c.b * c.hkv * c.t * c.dv);
    float[] g = rand(r, c.b * c.h * c.t * c.dv);
    float[] out = new float[g.length], den = new float[c.b * c.h * c.t];
    float[] gq = new float[q.length], gk = new float[k.length], gv = new float[v.length];
    Arrays.fill(gq, Float.NaN);  // overwritten, never read
    Arrays.fill(gk, Float.NaN);
    Arrays.fill(gv, Float.NaN);
    if (vector) {
      LinearAttentionKernels.forward(q, k, v, out, den, c.b, c.h, c.hkv, c.t, c.d, c.dv);
      LinearAttentionKernels.backward(q, k, v, out, den, g, gq, gk, gv, c.b, c.h, c.hkv, c.t, c.d, c.dv);
    } else {
      ScalarLinearAttentionKernels.forward(q, k, v, out, den, c.b, c.h, c.hkv, c.t, c.d, c.dv);
      ScalarLinearAttentionKernels.backward(q, k, v, out, den, g, gq, gk, gv, c.b, c.h, c.hkv, c.t, c.d, c.dv);
    }
    return new float[][] {out, den, gq, gk, gv};
  }

  @Test
  void vectorAndScalarAgreeBitForBitAtAwkwardSizes() {
    assertThat(Kernels.scalarOnly()).as("this test compares the two paths; run it without fathom.kernels=scalar").isFalse();
    int[] ts = {1, 2, 7, 65, 200}, ds = {1, 7, 16, 17, 64};
    int[][] heads = {{1, 1, 1}, {2, 4, 2}, {1, 3, 1}, {1, 2, 2}};  // B H Hkv
    String[] names = {"out", "den", "gq", "gk", "gv"};
    int n = 0;
    for (int t : ts) {
      for (int d : ds) {
        for (int dv : ds) {
          if (t == 200 && d != dv && d != 1) continue;  // the longest walk at fewer sizes: it is the slow one in the scalar twin
          int[] bh = heads[n % heads.length];
          Case c = new Case(bh[0], bh[1], bh[2], t, d, dv);
          float[][] vec = run(true, c, n), sca = run(false, c, n);
          for (int i = 0; i < vec.length; i++) {
            assertThat(vec[i]).as("%s %s", names[i], c).containsExactly(sca[i]);
            for (float x : vec[i]) assertThat(Float.isFinite(x)).as("%s %s finite", names[i], c).isTrue();
          }
          n++;
        }
      }
    }
  }

  @Test
  void eachBatchAndHeadGroupIsComputedAloneSoTheThreadSplitDoesNotMatter() {
    // Work items are (batch, kv head) pairs walked independently: running a batch of 3 at once
    // (split across the pool's threads) gives the same bits as each batch element on its own.
    Case all = new Case(3, 4, 2, 33, 16, 9);
    float[][] whole = run(true, all, 5);
    Random r = new Random(5);
    float[] q = rand(r, 3 * 4 * 33 * 16), k = rand(r, 3 * 2 * 33 * 16), v = rand(r, 3 * 2 * 33 * 9), g = rand(r, 3 * 4 * 33 * 9);
    int qn = 4 * 33 * 16, kn = 2 * 33 * 16, vn = 2 * 33 * 9, on = 4 * 33 * 9;
    for (int bb = 0; bb < 3; bb++) {
      float[] qb = Arrays.copyOfRange(q, bb * qn, (bb + 1) * qn), kb = Arrays.copyOfRange(k, bb * kn, (bb + 1) * kn);
      float[] vb = Arrays.copyOfRange(v, bb * vn, (bb + 1) * vn), gb = Arrays.copyOfRange(g, bb * on, (bb + 1) * on);
      float[] out = new float[on], den = new float[4 * 33], gq = new float[qn], gk = new float[kn], gv = new float[vn];
      LinearAttentionKernels.forward(qb, kb, vb, out, den, 1, 4, 2, 33, 16, 9);
      LinearAttentionKernels.backward(qb, kb, vb, out, den, gb, gq, gk, gv, 1, 4, 2, 33, 16, 9);
      assertThat(out).as("out of batch %d", bb).containsExactly(Arrays.copyOfRange(whole[0], bb * on, (bb + 1) * on));
      assertThat(gq).as("gq of batch %d", bb).containsExactly(Arrays.copyOfRange(whole[2], bb * qn, (bb + 1) * qn));
      assertThat(gk).as("gk of batch %d", bb).containsExactly(Arrays.copyOfRange(whole[3], bb * kn, (bb + 1) * kn));
      assertThat(gv).as("gv of batch %d", bb).containsExactly(Arrays.copyOfRange(whole[4], bb * vn, (bb + 1) * vn));
    }
  }

  @Test
  void theOneTokenPathGivesTheWholeSequenceBits() {
    for (boolean vector : new boolean[] {true, false}) {
      int t = 40, d = 17, dv = 9;
      Random r = new Random(11);
      float[] q = rand(r, t * d), k = rand(r, t * d), v = rand(r, t * dv);
      float[] out = new float[t * dv], den = new float[t], step = new float[t * dv];
      ScalarLinearAttentionKernels.forward(q, k, v, out, den, 1, 1, 1, t, d, dv);
      double[] s = new double[3 + d * dv], z = new double[5 + d], scratch = new double[ScalarLinearAttentionKernels.scratchSize(d, dv)];
      for (int i = 0; i < t; i++) {  // at offsets 3 and 5 into the state arrays
        if (vector) {
          LinearAttentionKernels.accumulate(k, i * d, v, i * dv, d, dv, s, 3, z, 5, scratch);
          assertThat((float) LinearAttentionKernels.read(q, i * d, d, dv, s, 3, z, 5, scratch, step, i * dv)).isEqualTo(den[i]);
        } else {
          ScalarLinearAttentionKernels.accumulate(k, i * d, v, i * dv, d, dv, s, 3, z, 5, scratch);
          assertThat((float) ScalarLinearAttentionKernels.read(q, i * d, d, dv, s, 3, z, 5, scratch, step, i * dv)).isEqualTo(den[i]);
        }
      }
      assertThat(step).as("vector %s", vector).containsExactly(out);
    }
  }

  @Test
  void badSizesAreReported() {
    float[] a = new float[8];
    assertThatThrownBy(() -> LinearAttentionKernels.forward(a, a, a, a, a, 1, 3, 2, 2, 4, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("H=3, Hkv=2");
    assertThatThrownBy(() -> LinearAttentionKernels.forward(a, a, a, a, a, 1, 1, 1, 4, 4, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q 8");
    float[] q = new float[16], den = new float[4];
    assertThatThrownBy(() -> LinearAttentionKernels.backward(q, q, q, q, den, q, a, q, q, 1, 1, 1, 4, 4, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gq 8");
  }
}
