package dev.fathom.kernel;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.AttentionOps;
import dev.fathom.nn.F;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Tiled attention ({@link AttentionOps#attention}, on {@link FlashAttention}) against the naive
 * composition ({@link F#scaledDotProductAttentionComposed}: scores, mask, softmax, matmul as Tensor ops)
 * for causal forward + backward at B=1, H=4, D=64: a plain {@code main}, not a unit test. The
 * naive path is skipped at a T whose (B,H,T,T) tensors do not fit in the heap (-Xmx; at 10 GiB
 * that is T = 8192); every T is also checked against attention in double precision on a sample
 * of rows and keys of head 0.
 *
 * <p>For each T it reports the best of a few timed forward+backward passes, the tiled path's
 * GFLOP/s (7·B·H·T²·D: the seven T×T×D products of causal attention forward and backward, each
 * half masked; the kernel does two more to recompute P), the max |difference|
 * of out and of the three gradients, and the extra memory beyond inputs, output and gradients:
 * counted analytically (naive: the (B,H,T,T) tensors it materializes; tiled: per-thread tiles,
 * lse and row dots) and measured: bytes allocated by all threads during one pass
 * ({@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes}) and the peak heap
 * after a full GC (sum of the heap pools' peak usage, reset before the pass), minus the inputs.
 *
 * <p>A line before the table gives {@code Gemm.sgemm}'s GFLOP/s in the same run, for scale.
 *
 * <pre>
 * ./mvnw -q -pl core test-compile
 * java --add-modules jdk.incubator.vector -Xmx10g \
 *     -cp core/target/classes:core/target/test-classes dev.fathom.kernel.AttentionBenchmark [T ...]
 * </pre>
 */
public final class AttentionBenchmark {
  private static final int B = 1, H = 4, D = 64;

  private AttentionBenchmark() {}

  public static void main(String[] args) {
    int[] ts = args.length == 0 ? new int[] {512, 1024, 2048, 4096, 8192} : new int[args.length];
    for (int i = 0; i < args.length; i++) ts[i] = Integer.parseInt(args[i]);
    int reps = Integer.getInteger("reps", 2);
    int threads = Parallel.threads();
    System.out.printf("attention fwd+bwd, causal, B=%d H=%d D=%d, threads=%d, kernels: %s, max heap %d MiB%n", B, H, D,
        threads, Kernels.describe(), Runtime.getRuntime().maxMemory() >> 20);
    for (int w = 0; w < 3; w++) pass(false, inputs(256, 0));  // JIT warm-up (C2 must compile the vector code)
    for (int w = 0; w < 30; w++) pass(true, inputs(w % 2 == 0 ? 256 : 320, 0));
    System.out.printf("same run, for scale: Gemm.sgemm 512×512×512 at %.1f GFLOP/s (best of 5)%n", gemmGflops());
    System.out.println("| T | naive ms | tiled ms | time ratio naive/tiled | tiled GFLOP/s | max abs diff vs naive (out / gq / gk / gv) "
        + "| max abs diff vs fp64, sampled (out / gq / gk / gv) "
        + "| naive extra MiB (counted / allocated / held after fwd) | tiled extra MiB (counted / allocated / held after fwd) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (int t : ts) {
      Tensor[] in = inputs(t, t);
      long elems = (long) B * H * t * t;
      double countSlow = elems * 4.0 * 8 + 4.0 * t * t;  // fwd: scores, scaled, masked, probs; bwd: their 4 grads; the T×T mask
      // the largest per-thread working set (the gk/gv pass: kT, vT, two score tiles, two partials), lse and row dots
      double countFast = threads * 4.0 * Math.max(Math.max(D * 64 + 64 * 64 + 64 * D + 3 * 64,
          2 * D * 64 + 2 * 64 * 64 + 64 * D), 2 * D * 64 + 2 * 64 * 64 + 2 * 64 * D) + B * H * t * 4.0 * 2;
      // the naive path needs its (B,H,T,T) tensors plus a few copies of the inputs at once
      boolean naive = countSlow * 1.25 < Runtime.getRuntime().maxMemory();
      Tensor[] fast = pass(true, in);
      String sampled = sampledDiffs(in, fast, t);
      String diffs = "skipped (needs more than -Xmx)";
      if (naive) {
        Tensor[] slow = pass(false, in);
        diffs = String.format("%.1e / %.1e / %.1e / %.1e", diff(fast[0], slow[0]), diff(fast[1], slow[1]),
            diff(fast[2], slow[2]), diff(fast[3], slow[3]));
      }
      fast = null;
      double msFast = time(true, in, reps), msSlow = naive ? time(false, in, reps) : Double.NaN;
      long[] memFast = measure(true, in), memSlow = naive ? measure(false, in) : new long[] {-1, -1};
      double gflops = 7.0 * B * H * t * (double) t * D / msFast / 1e6;  // causal: 7 T×T×D products, half of each
      System.out.printf("| %d | %s | %.0f | %s | %.1f | %s | %s | %s | %.2f / %.2f / %.2f |%n", t,
          naive ? String.format("%.0f", msSlow) : "—", msFast, naive ? String.format("%.1f×", msSlow / msFast) : "—",
          gflops, diffs, sampled,
          naive ? String.format("%.0f / %.0f / %.0f", countSlow / (1 << 20), memSlow[0] / 1048576.0, memSlow[1] / 1048576.0)
              : String.format("%.0f / — / —", countSlow / (1 << 20)),
          countFast / (1 << 20), memFast[0] / 1048576.0, memFast[1] / 1048576.0);
    }
  }

  /**
   * Max |difference| against attention computed in double precision for a sample of head 0:
   * out and gq at 8 query rows, gk and gv at 8 keys (these need the log-sum-exp of every row,
   * computed in double too).
   */
  private static String sampledDiffs(Tensor[] in, Tensor[] fast, int t) {
    float[] q = in[0].toFloatArray(), k = in[1].toFloatArray(), v = in[2].toFloatArray(), g = in[3].toFloatArray();
    float[] out = fast[0].toFloatArray(), gq = fast[1].toFloatArray(), gk = fast[2].toFloatArray(), gv = fast[3].toFloatArray();
    double scale = 1 / Math.sqrt(D);
    double[] lse = new double[t], rowDot = new double[t];
    double[][] o = new double[t][];
    Parallel.forRange(t, 16, (a, z) -> {
      for (int i = a; i < z; i++) {
        double m = Double.NEGATIVE_INFINITY;
        double[] sc = new double[i + 1];
        for (int j = 0; j <= i; j++) {
          double dot = 0;
          for (int e = 0; e < D; e++) dot += (double) q[i * D + e] * k[j * D + e];
          sc[j] = dot * scale;
          m = Math.max(m, sc[j]);
        }
        double z2 = 0;
        for (int j = 0; j <= i; j++) z2 += Math.exp(sc[j] - m);
        lse[i] = m + Math.log(z2);
        double[] oi = new double[D];
        for (int j = 0; j <= i; j++) {
          double p = Math.exp(sc[j] - lse[i]);
          for (int e = 0; e < D; e++) oi[e] += p * v[j * D + e];
        }
        double rd = 0;
        for (int e = 0; e < D; e++) rd += oi[e] * g[i * D + e];
        rowDot[i] = rd;
        o[i] = oi;
      }
    });
    double dOut = 0, dGq = 0, dGk = 0, dGv = 0;
    for (int n = 0; n < 8; n++) {
      int i = (int) ((long) (t - 1) * n / 7);
      for (int e = 0; e < D; e++) dOut = Math.max(dOut, Math.abs(o[i][e] - out[i * D + e]));
      double[] gqi = new double[D];
      for (int j = 0; j <= i; j++) {
        double p = Math.exp(score(q, k, i, j) * scale - lse[i]), dp = 0;
        for (int e = 0; e < D; e++) dp += (double) g[i * D + e] * v[j * D + e];
        double ds = p * (dp - rowDot[i]) * scale;
        for (int e = 0; e < D; e++) gqi[e] += ds * k[j * D + e];
      }
      for (int e = 0; e < D; e++) dGq = Math.max(dGq, Math.abs(gqi[e] - gq[i * D + e]));
      int j = i;
      double[] gkj = new double[D], gvj = new double[D];
      for (int r = j; r < t; r++) {
        double p = Math.exp(score(q, k, r, j) * scale - lse[r]), dp = 0;
        for (int e = 0; e < D; e++) dp += (double) g[r * D + e] * v[j * D + e];
        double ds = p * (dp - rowDot[r]) * scale;
        for (int e = 0; e < D; e++) {
          gkj[e] += ds * q[r * D + e];
          gvj[e] += p * g[r * D + e];
        }
      }
      for (int e = 0; e < D; e++) {
        dGk = Math.max(dGk, Math.abs(gkj[e] - gk[j * D + e]));
        dGv = Math.max(dGv, Math.abs(gvj[e] - gv[j * D + e]));
      }
    }
    return String.format("%.1e / %.1e / %.1e / %.1e", dOut, dGq, dGk, dGv);
  }

  private static double score(float[] q, float[] k, int i, int j) {
    double dot = 0;
    for (int e = 0; e < D; e++) dot += (double) q[i * D + e] * k[j * D + e];
    return dot;
  }

  private static double gemmGflops() {
    Rng rng = new Rng(3);
    float[] a = Tensor.randn(rng, 512, 512).toFloatArray(), b = Tensor.randn(rng, 512, 512).toFloatArray();
    float[] c = new float[512 * 512];
    double best = Double.MAX_VALUE;
    for (int r = 0; r < 8; r++) {
      long t0 = System.nanoTime();
      Gemm.sgemm(false, false, 512, 512, 512, 1f, a, 0, 512, b, 0, 512, 0f, c, 0, 512);
      if (r >= 3) best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return 2.0 * 512 * 512 * 512 / best / 1e9;
  }

  /** q, k, v (requiring grad) and the output gradient g. */
  private static Tensor[] inputs(int t, long seed) {
    Rng rng = new Rng(seed + 17);
    return new Tensor[] {Tensor.randn(rng, B, H, t, D).requiresGrad(true), Tensor.randn(rng, B, H, t, D).requiresGrad(true),
        Tensor.randn(rng, B, H, t, D).requiresGrad(true), Tensor.randn(rng, B, H, t, D)};
  }

  /** One forward + backward: out, gq, gk, gv. */
  private static Tensor[] pass(boolean tiled, Tensor[] in) {
    Tensor out = tiled ? AttentionOps.attention(in[0], in[1], in[2], true)
        : F.scaledDotProductAttentionComposed(in[0], in[1], in[2], true, null);
    Tensor[] g = Autograd.grad(out, in[3], in[0], in[1], in[2]);
    return new Tensor[] {out, g[0], g[1], g[2]};
  }

  private static double time(boolean tiled, Tensor[] in, int reps) {
    double best = Double.MAX_VALUE;
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      pass(tiled, in);
      best = Math.min(best, (System.nanoTime() - t0) / 1e6);
    }
    return best;
  }

  /**
   * {bytes allocated by all threads during one forward + backward, less the results; heap held
   * after a full GC between forward and backward (what the graph keeps for the backward), less
   * the output}.
   */
  private static long[] measure(boolean tiled, Tensor[] in) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.gc();
    long before = heapUsed();
    long a0 = threads.getTotalThreadAllocatedBytes();
    Tensor out = tiled ? AttentionOps.attention(in[0], in[1], in[2], true)
        : F.scaledDotProductAttentionComposed(in[0], in[1], in[2], true, null);
    long a1 = threads.getTotalThreadAllocatedBytes();
    System.gc();
    long held = heapUsed() - before - 4L * out.numel();
    long a2 = threads.getTotalThreadAllocatedBytes();
    Tensor[] g = Autograd.grad(out, in[3], in[0], in[1], in[2]);
    long allocated = (a1 - a0) + (threads.getTotalThreadAllocatedBytes() - a2);
    long results = 4L * out.numel();
    for (Tensor x : g) results += 4L * x.numel();
    return new long[] {allocated - results, held};
  }

  private static long heapUsed() {
    long used = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) used += p.getUsage().getUsed();
    }
    return used;
  }

  private static double diff(Tensor a, Tensor b) {
    float[] x = a.toFloatArray(), y = b.toFloatArray();
    double m = 0;
    for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs((double) x[i] - y[i]));
    return m;
  }
}
