// Mean and best time of the small products a training step is made of (an MLP 784-128-10 at
// batch 256, In-Run Data Shapley's Gram products with 64 validation rows), back to back in one
// JVM: what a thread pool's hand-off costs shows as the gap between the mean and the best
// (docs/BENCHMARKS.md, "Thread pool: spinning workers").
//   CP="cli/target/fathom-cli.jar:$(ls cli/target/lib/*.jar | tr '\n' ':')"
//   java --add-modules jdk.incubator.vector -cp "$CP" bench/gemm_small_shapes.java
// Run it against two builds' class paths, alternating, to compare them.
import dev.fathom.kernel.Gemm;
import java.util.Locale;
import java.util.SplittableRandom;

public class GemmSmallShapes {
  public static void main(String[] args) {
    // {transA, transB, m, n, k}
    int[][] shapes = {
        {0, 1, 256, 128, 784},  // forward 784 → 128, batch 256
        {1, 0, 128, 784, 256},  // its weight gradient
        {0, 1, 64, 128, 784},   // the same forward, 64 rows
        {0, 1, 256, 64, 784},   // Gram A_B A_Vᵀ
        {0, 1, 256, 64, 128},   // Gram G_B G_Vᵀ
        {0, 1, 128, 128, 128},
        {0, 0, 64, 512, 64}};
    SplittableRandom rnd = new SplittableRandom(1);
    System.out.println("shape                 best µs   mean µs   GFLOP/s (mean)");
    for (int[] s : shapes) {
      boolean ta = s[0] == 1, tb = s[1] == 1;
      int m = s[2], n = s[3], k = s[4];
      float[] a = new float[m * k], b = new float[n * k], c = new float[m * n];
      for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
      for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
      int lda = ta ? m : k, ldb = tb ? k : n;
      for (int r = 0; r < 2000; r++) Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
      long best = Long.MAX_VALUE, t0 = System.nanoTime();
      int reps = 3000;
      for (int r = 0; r < reps; r++) {
        long t = System.nanoTime();
        Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        best = Math.min(best, System.nanoTime() - t);
      }
      double mean = (System.nanoTime() - t0) / 1e3 / reps;
      System.out.printf(Locale.ROOT, "%s%s %4d x %4d x %4d  %7.1f  %8.1f  %6.0f%n", ta ? "T" : "N", tb ? "T" : "N", m, n, k, best / 1e3, mean,
          2.0 * m * n * k / mean / 1e3);
    }
  }
}
