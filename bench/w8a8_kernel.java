// Batch-1 matrix-vector speed of the W8A8 product (int8 x int8 -> int32, activations quantized per token)
// against the weight-only int8 kernel (bytes widened to floats), one 1376 x 512 matrix (base's down_proj shape),
// one thread, per-thread CPU time, best of 200 x 10 products (docs/compress/w8a8.md).
// Run from the repository root after `./mvnw -B -ntp -o -q -pl core compile`:
//   FATHOM_THREADS=1 java --add-modules jdk.incubator.vector -cp core/target/classes bench/w8a8_kernel.java
import dev.fathom.quant.*;
import java.lang.management.*;
public class W8Bench {
  public static void main(String[] a) {
    int rows = 1376, cols = 512;
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    float[] w = new float[rows * cols], x = new float[cols], y = new float[rows];
    for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
    for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
    QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.INT8, w, 0, rows, cols);
    W8A8Matrix m = W8A8Matrix.quantize(w, rows, cols, new int[0]);
    ThreadMXBean tb = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 3; round++) {
      long bf = Long.MAX_VALUE, bi = Long.MAX_VALUE;
      for (int rep = 0; rep < 200; rep++) {
        long t0 = tb.getCurrentThreadCpuTime();
        for (int k = 0; k < 10; k++) q.rows(x, 0, cols, 1, null, 0, y, 0, rows, 0, rows, false);
        long t1 = tb.getCurrentThreadCpuTime();
        for (int k = 0; k < 10; k++) m.rows(x, 0, cols, 1, null, 0, y, 0, rows, 0, rows, false);
        long t2 = tb.getCurrentThreadCpuTime();
        bf = Math.min(bf, t1 - t0); bi = Math.min(bi, t2 - t1);
      }
      double wts = 10.0 * rows * cols;
      System.out.printf("round %d: int8 weight-only (byte->float) %.2f G weights/s; W8A8 (int8 x int8, incl. per-token quantization) %.2f G weights/s%n",
          round, wts / bf, wts / bi);
    }
  }
}
