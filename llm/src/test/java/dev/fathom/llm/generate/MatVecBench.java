package dev.fathom.llm.generate;

/** Throughput of the matrix-vector kernel on one thread, for a weight set of a given size (GB/s of weights read). */
public final class MatVecBench {
  private MatVecBench() {}

  public static void main(String[] args) {
    int rows = Integer.parseInt(args[0]), in = Integer.parseInt(args[1]), mats = Integer.parseInt(args[2]);
    float[][] w = new float[mats][rows * in];
    for (float[] m : w) for (int i = 0; i < m.length; i++) m[i] = (i % 13) * 0.01f;
    float[] x = new float[in], y = new float[rows];
    for (int i = 0; i < in; i++) x[i] = i * 1e-3f;
    for (int rep = 0; rep < 8; rep++) {
      long t0 = System.nanoTime(), c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
      int iters = 0;
      while (System.nanoTime() - t0 < 1_000_000_000L) {
        for (float[] m : w) MatVec.rows(m, 0, in, null, 0, x, 0, in, 1, y, 0, rows, 0, rows, false);
        iters++;
      }
      double s = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0) / 1e9;  // CPU time: the machine is shared
      System.out.printf("%d x %d x %d mats: %.1f GB/s, %.3f ms per pass%n", rows, in, mats, iters * (double) mats * rows * in * 4 / s / 1e9, s / iters * 1e3);
    }
  }
}
