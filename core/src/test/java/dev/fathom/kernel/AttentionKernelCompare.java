package dev.fathom.kernel;

import java.util.Random;

/**
 * Old (row-at-a-time, {@link LegacyFlashAttention}) against the register-blocked
 * {@link FlashAttention}, alternately in one process, on float[] (no autograd): causal
 * forward + backward. A plain {@code main}: {@code [B H T D rounds]}.
 */
public final class AttentionKernelCompare {
  private AttentionKernelCompare() {}

  public static void main(String[] args) {
    int b = args.length > 0 ? Integer.parseInt(args[0]) : 16, h = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int t = args.length > 2 ? Integer.parseInt(args[2]) : 256, d = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    Random r = new Random(1);
    float[] q = rand(r, b * h * t * d), k = rand(r, b * h * t * d), v = rand(r, b * h * t * d), g = rand(r, b * h * t * d);
    float[] out = new float[q.length], lse = new float[b * h * t], gq = new float[q.length], gk = new float[q.length],
        gv = new float[q.length];
    float scale = (float) (1 / Math.sqrt(d));
    double flop = 7.0 * b * h * t * (double) t * d;  // causal: 7 T×T×D products, half of each
    double[] bestOld = {1e30, 1e30}, bestNew = {1e30, 1e30};
    double bestGemm = 1e30;
    float[] ga = rand(r, 512 * 512), gb = rand(r, 512 * 512), gc = new float[512 * 512];
    for (int round = 0; round < rounds; round++) {
      long g0 = System.nanoTime();
      Gemm.sgemm(false, false, 512, 512, 512, 1f, ga, 0, 512, gb, 0, 512, 0f, gc, 0, 512);
      bestGemm = Math.min(bestGemm, (System.nanoTime() - g0) / 1e6);
      for (int which = 0; which < 2; which++) {
        long t0 = System.nanoTime();
        if (which == 0) LegacyFlashAttention.forward(q, k, v, out, lse, b, h, h, t, t, d, d, scale, true);
        else FlashAttention.forward(q, k, v, out, lse, b, h, h, t, t, d, d, scale, true);
        long t1 = System.nanoTime();
        if (which == 0) LegacyFlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, b, h, h, t, t, d, d, scale, true);
        else FlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, b, h, h, t, t, d, d, scale, true);
        long t2 = System.nanoTime();
        double[] best = which == 0 ? bestOld : bestNew;
        best[0] = Math.min(best[0], (t1 - t0) / 1e6);
        best[1] = Math.min(best[1], (t2 - t0) / 1e6);
      }
    }
    System.out.printf("B=%d H=%d T=%d D=%d causal, threads=%d, best of %d: old fwd %.1f ms fwd+bwd %.1f ms (%.1f GFLOP/s) |"
        + " new fwd %.1f ms fwd+bwd %.1f ms (%.1f GFLOP/s) | fwd+bwd speed-up %.2f×%n", b, h, t, d, Parallel.threads(), rounds,
        bestOld[0], bestOld[1], flop / bestOld[1] / 1e6, bestNew[0], bestNew[1], flop / bestNew[1] / 1e6,
        bestOld[1] / bestNew[1]);
    System.out.printf("same run, Gemm.sgemm 512×512×512: %.1f GFLOP/s (best of %d)%n", 2.0 * 512 * 512 * 512 / bestGemm / 1e6, rounds);
  }

  private static float[] rand(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
