package dev.fathom.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * GFLOP/s of {@link Gemm#sgemm} at the sizes of {@code bench/gemm_numpy.py}, its numpy peer: a
 * plain {@code main}, not a unit test. FLOPs are counted as 2·m·n·k; each case is warmed up
 * (JIT), then timed over repeated calls, and the best and the median call are reported.
 *
 * <p>Run from the repository root (threads from {@code FATHOM_THREADS}, default all cores):
 *
 * <pre>
 * ./mvnw -q -pl core test-compile
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes \
 *     dev.fathom.kernel.GemmBenchmark
 * OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/gemm_numpy.py
 * </pre>
 */
public final class GemmBenchmark {

  private GemmBenchmark() {}

  /** One timed shape: op(A) is m×k, op(B) is k×n. */
  record Shape(String name, boolean transA, boolean transB, int m, int n, int k) {}

  /** The shapes, in the order the numpy peer prints them. */
  static List<Shape> shapes() {
    List<Shape> s = new ArrayList<>();
    for (int n : new int[] {256, 512, 1024, 2048}) {
      s.add(new Shape("square", false, false, n, n, n));
    }
    // Transformer shapes: (tokens, out, in) of the projections of a d=256 model with a
    // 688-wide SwiGLU MLP, and a long-k product (a weight gradient over 4096 tokens).
    s.add(new Shape("tall", false, false, 4096, 256, 256));
    s.add(new Shape("tall", false, false, 4096, 688, 256));
    s.add(new Shape("tall", false, false, 4096, 256, 688));
    s.add(new Shape("tall", false, false, 4096, 256, 4096));
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        s.add(new Shape((ta ? "T" : "N") + (tb ? "T" : "N"), ta, tb, 512, 512, 512));
      }
    }
    return s;
  }

  /**
   * Runs every shape and prints one line each.
   *
   * @param args optional: target seconds of timing per shape (default 1.5), then a substring
   *     that a shape's line must contain to run, e.g. {@code "4096"} or {@code "TN"}
   */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.5;
    String only = args.length > 1 ? args[1] : "";
    System.out.printf("Fathom Gemm.sgemm, %d threads, %s%n", Parallel.threads(),
        Kernels.describe());
    System.out.printf("%-7s %5s %5s %5s  %9s %9s  %s%n", "shape", "m", "n", "k", "best", "median",
        "GFLOP/s");
    warmUp(Math.max(1.0, seconds));
    for (Shape s : shapes()) {
      if (!label(s).contains(only)) continue;
      double[] r = time(s, seconds);
      System.out.printf("%-7s %5d %5d %5d  %9.1f %9.1f%n", s.name(), s.m(), s.n(), s.k(),
          r[0], r[1]);
    }
  }

  /**
   * Runs every transpose combination at 256 and 512 for about {@code seconds}, so that the
   * first timed shape does not pay for the JIT compiling the Vector API kernels (on a busy
   * machine that takes seconds, and a kernel not yet compiled by C2 runs 100× slower).
   */
  static void warmUp(double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    SplittableRandom r = new SplittableRandom(1);
    float[] a = random(r, 512 * 512), b = random(r, 512 * 512), c = new float[512 * 512];
    while (System.nanoTime() < end) {
      for (int n : new int[] {256, 512}) {
        for (int t = 0; t < 4; t++) {
          Gemm.sgemm(t >= 2, t % 2 == 1, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        }
      }
    }
  }

  /** The shape as its line starts: name, m, n, k. */
  static String label(Shape s) {
    return String.format("%-7s %5d %5d %5d", s.name(), s.m(), s.n(), s.k());
  }

  /** Best and median GFLOP/s of {@code s} over about {@code seconds} of calls, after warm-up. */
  static double[] time(Shape s, double seconds) {
    SplittableRandom r = new SplittableRandom(42);
    int m = s.m(), n = s.n(), k = s.k();
    float[] a = random(r, m * k), b = random(r, k * n), c = new float[m * n];
    int lda = s.transA() ? m : k, ldb = s.transB() ? k : n;
    double flops = 2.0 * m * n * k;
    long warmEnd = System.nanoTime() + (long) (0.4e9 * Math.max(0.5, seconds / 1.5));
    int warm = 0;
    while (warm < 3 || System.nanoTime() < warmEnd) {
      Gemm.sgemm(s.transA(), s.transB(), m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
      warm++;
    }
    List<Double> rates = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (rates.size() < 5 || System.nanoTime() < end) {
      long t = System.nanoTime();
      Gemm.sgemm(s.transA(), s.transB(), m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
      rates.add(flops / (System.nanoTime() - t));
    }
    double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new double[] {sorted[sorted.length - 1], sorted[sorted.length / 2]};
  }

  private static float[] random(SplittableRandom r, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }
}
