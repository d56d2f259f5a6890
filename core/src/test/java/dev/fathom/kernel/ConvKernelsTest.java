package dev.fathom.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ConvKernels} against its scalar twin {@link ScalarConvKernels} at awkward sizes. */
class ConvKernelsTest {

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
    return a;
  }

  @Test
  void matchScalarTwins() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int n : new int[] {1, 2, 7}) {
      for (int c : new int[] {1, 3, 64}) {
        for (int l : new int[] {1, 7, 8, 9, 31, 196}) {
          String at = "n=" + n + " c=" + c + " l=" + l;
          float[] y = random(rnd, n * c * l), yT = y.clone(), bias = random(rnd, c);
          ConvKernels.addChannelBias(y, n, c, l, bias);
          ScalarConvKernels.addChannelBias(yT, n, c, l, bias);
          assertArrayEquals(yT, y, at + " bias");
          int off = 5;
          float[] src = random(rnd, off + n * c * l), dst = new float[n * c * l], dstT = new float[n * c * l];
          double[] sums = new double[c], sumsT = new double[c];
          ConvKernels.toChannelMajor(src, off, n, c, l, dst, sums);
          ScalarConvKernels.toChannelMajor(src, off, n, c, l, dstT, sumsT);
          assertArrayEquals(dstT, dst, at + " permute");
          for (int ch = 0; ch < c; ch++) assertEquals(sumsT[ch], sums[ch], 1e-5, at + " sum " + ch);
          if (c > 1) assertEquals(src[off + l], dst[n * l], at + " second channel starts with image 0");
        }
      }
    }
  }
  @Test
  void smallKMatchesScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(9);
    for (int k : new int[] {1, 7, 9, 16}) {
      for (int hw : new int[] {1, 7, 8, 9, 31, 196}) {
        for (int n : new int[] {1, 3}) {
          int o = 5, ld = n * hw + 3, outOff = 2;
          String at = "k=" + k + " hw=" + hw + " n=" + n;
          float[] col = random(rnd, k * ld), w = random(rnd, o * k), bias = random(rnd, o);
          float[] out = new float[outOff + n * o * hw], outT = out.clone();
          ConvKernels.smallKForward(col, ld, n, hw, k, w, o, bias, out, outOff);
          ScalarConvKernels.smallKForward(col, ld, n, hw, k, w, o, bias, outT, outOff);
          assertArrayEquals(outT, out, at + " forward");
          float[] g = random(rnd, outOff + n * o * hw);
          double[] gw = new double[o * k], gwT = new double[o * k], gb = new double[o], gbT = new double[o];
          ConvKernels.smallKWeightGrad(g, outOff, col, ld, n, hw, k, o, gw, gb);
          ScalarConvKernels.smallKWeightGrad(g, outOff, col, ld, n, hw, k, o, gwT, gbT);
          for (int q = 0; q < gw.length; q++) assertEquals(gwT[q], gw[q], 1e-5 * Math.sqrt(n * hw), at + " gw " + q);
          for (int q = 0; q < o; q++) assertEquals(gbT[q], gb[q], 1e-5 * Math.sqrt(n * hw), at + " gb " + q);
        }
      }
    }
  }
}
