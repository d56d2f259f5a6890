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
 * for causal forward + backward at B=1, H=4, D=64: a plain {@code main}, not a unit test.
 *
 * <p>For each T it reports the best of a few timed forward+backward passes, the max |difference|
 * of out and of the three gradients, and the extra memory beyond inputs, output and gradients:
 * counted analytically (naive: the (B,H,T,T) tensors it materializes; tiled: per-thread tiles,
 * lse and row dots) and measured: bytes allocated by all threads during one pass
 * ({@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes}) and the peak heap
 * after a full GC (sum of the heap pools' peak usage, reset before the pass), minus the inputs.
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
    int[] ts = args.length == 0 ? new int[] {512, 1024, 2048, 4096} : new int[args.length];
    for (int i = 0; i < args.length; i++) ts[i] = Integer.parseInt(args[i]);
    int reps = Integer.getInteger("reps", 2);
    System.out.printf("attention fwd+bwd, causal, B=%d H=%d D=%d, threads=%d, kernels: %s%n", B, H, D,
        Parallel.threads(), Kernels.describe());
    for (int w = 0; w < 3; w++) {  // JIT warm-up
      pass(true, inputs(256, 0));
      pass(false, inputs(256, 0));
    }
    System.out.println("| T | naive ms | tiled ms | speed-up | max abs diff (out / gq / gk / gv) "
        + "| naive extra MiB (counted / allocated / held after fwd) | tiled extra MiB (counted / allocated / held after fwd) |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int t : ts) {
      Tensor[] in = inputs(t, t);
      Tensor[] fast = pass(true, in), slow = pass(false, in);
      String diffs = String.format("%.1e / %.1e / %.1e / %.1e", diff(fast[0], slow[0]), diff(fast[1], slow[1]),
          diff(fast[2], slow[2]), diff(fast[3], slow[3]));
      fast = slow = null;
      double msFast = time(true, in, reps), msSlow = time(false, in, reps);
      long[] memFast = measure(true, in), memSlow = measure(false, in);
      long elems = (long) B * H * t * t;
      double countSlow = elems * 4.0 * 8 + 4.0 * t * t;  // fwd: scores, scaled, masked, probs; bwd: their 4 grads; the T×T mask
      int threads = Parallel.threads();
      double countFast = threads * 4.0 * (2 * D * 64 + 64 * D + 2 * 64 * 64 + 4 * 64 + 2 * 64) + B * H * t * 4.0 * 2;
      System.out.printf("| %d | %.0f | %.0f | %.1f× | %s | %.0f / %.0f / %.0f | %.2f / %.2f / %.2f |%n", t, msSlow,
          msFast, msSlow / msFast, diffs, countSlow / (1 << 20), memSlow[0] / 1048576.0, memSlow[1] / 1048576.0,
          countFast / (1 << 20), memFast[0] / 1048576.0, memFast[1] / 1048576.0);
    }
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
