package dev.fathom.cli;

import dev.fathom.kernel.Gemm;
import dev.fathom.kernel.Kernels;
import dev.fathom.kernel.Parallel;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom bench gemm}: SGEMM GFLOP/s at the shapes; peer: bench/gemm_numpy.py. */
@Command(name = "gemm", mixinStandardHelpOptions = true, description = "SGEMM GFLOP/s (peer: bench/gemm_numpy.py).")
final class BenchGemmCommand implements Callable<Integer> {
  /** (name, m, n, k, transA, transB): the squares and transformer shapes of the kernels issue. */
  record Shape(String name, int m, int n, int k, boolean ta, boolean tb) {}

  static final List<Shape> SHAPES = List.of(
      new Shape("square", 256, 256, 256, false, false), new Shape("square", 512, 512, 512, false, false),
      new Shape("square", 1024, 1024, 1024, false, false), new Shape("square", 2048, 2048, 2048, false, false),
      new Shape("tall", 4096, 256, 256, false, false), new Shape("tall", 4096, 688, 256, false, false),
      new Shape("tall", 4096, 256, 688, false, false), new Shape("tall", 4096, 256, 4096, false, false),
      new Shape("NT", 512, 512, 512, false, true), new Shape("TN", 512, 512, 512, true, false),
      new Shape("TT", 512, 512, 512, true, true));

  @Option(names = "--reps", defaultValue = "5", description = "timed repetitions per shape at least (best and median reported); default ${DEFAULT-VALUE}")
  int reps;

  @Option(names = "--seconds", defaultValue = "1.0", description = "timing per shape at least, after 0.4 s of warm-up on that shape "
      + "(as bench/gemm_numpy.py); default ${DEFAULT-VALUE}")
  double seconds;

  @Override
  public Integer call() {
    System.out.printf("SGEMM, %d threads, %s%n| shape | m | n | k | GFLOP/s best | GFLOP/s median |%n|---|---|---|---|---|---|%n",
        Parallel.threads(), Kernels.describeGemm());
    if (reps < 1) throw new CliException("--reps must be >= 1, got " + reps, 2);
    if (!(seconds >= 0) || seconds > 600) throw new CliException("--seconds must be in [0, 600], got " + seconds, 2);
    Rng rng = new Rng(7);
    warmUp(rng);
    for (Shape s : SHAPES) {
      float[] a = Tensor.randn(rng, s.m() * s.k()).data(), b = Tensor.randn(rng, s.k() * s.n()).data(), c = new float[s.m() * s.n()];
      int lda = s.ta() ? s.m() : s.k(), ldb = s.tb() ? s.k() : s.n();
      double[] t = BenchCommand.bestAndMedianTimed(0.4, reps, seconds,
          () -> Gemm.sgemm(s.ta(), s.tb(), s.m(), s.n(), s.k(), 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n()));
      double flops = 2.0 * s.m() * s.n() * s.k();
      System.out.printf("| %s | %d | %d | %d | %.0f | %.0f |%n", s.name(), s.m(), s.n(), s.k(), flops / t[0] / 1e9, flops / t[1] / 1e9);
    }
    return 0;
  }

  /** Runs every transpose case at 512³ and each shape once for a few seconds, so the kernels are JIT-compiled before timing. */
  private static void warmUp(Rng rng) {
    float[] a = Tensor.randn(rng, 4096 * 688).data(), b = Tensor.randn(rng, 4096 * 688).data(), c = new float[4096 * 688];
    long end = System.nanoTime() + 4_000_000_000L;
    while (System.nanoTime() < end) {
      for (int t = 0; t < 4; t++) Gemm.sgemm((t & 1) != 0, (t & 2) != 0, 512, 512, 512, 1f, a, 0, 512, b, 0, 512, 0f, c, 0, 512);
      Gemm.sgemm(false, false, 4096, 256, 256, 1f, a, 0, 256, b, 0, 256, 0f, c, 0, 256);
    }
  }
}
