// A/B of the quantized matrix-vector kernels of two builds of fathom-core, interleaved in one JVM
// (docs/BENCHMARKS.md, "Quantized decode"). Single thread, one input (the decode case), best of 30
// rounds per build and format, rounds alternating between the builds so that load hits both alike.
// Timed in thread CPU time (ThreadMXBean), which time slices lost to other processes do not inflate.
//   java --add-modules jdk.incubator.vector bench/quant_kernels_ab.java OLD.jar,NEW.jar ROWS COLS Q8_0,Q4_0,INT8,INT4_G128
// e.g. OLD.jar = core/target/fathom-core-*.jar of an earlier commit copied aside, NEW.jar = this one's.
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

public class QuantKernelsAb {
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Throwable {
    String[] jars = args[0].split(",");
    int rows = Integer.parseInt(args[1]), cols = Integer.parseInt(args[2]);
    String[] formats = args[3].split(",");
    SplittableRandom rnd = new SplittableRandom(1);
    float[] w = new float[rows * cols], x = new float[cols], y = new float[rows];
    for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() * 0.05);
    for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
    int n = jars.length * formats.length, k = 0;
    MethodHandle[] rowsOf = new MethodHandle[n];
    Object[] matrices = new Object[n];
    String[] names = new String[n];
    for (String jar : jars) {
      ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      Class<?> matrix = loader.loadClass("dev.fathom.quant.QuantizedMatrix"), format = loader.loadClass("dev.fathom.quant.QuantFormat");
      for (String f : formats) {
        Object fmt = format.getMethod("valueOf", String.class).invoke(null, f);
        matrices[k] = matrix.getMethod("quantize", format, float[].class, int.class, int.class, int.class).invoke(null, fmt, w, 0, rows, cols);
        rowsOf[k] = MethodHandles.publicLookup().unreflect(matrix.getMethod("rows", float[].class, int.class, int.class, int.class,
            float[].class, int.class, float[].class, int.class, int.class, int.class, int.class, boolean.class));
        names[k++] = jar + " " + f;
      }
    }
    double[] best = new double[n];
    for (int round = 0; round < 30; round++) {
      for (int j = 0; j < n; j++) {
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < 300; i++) rowsOf[j].invoke(matrices[j], x, 0, cols, 1, (float[]) null, 0, y, 0, rows, 0, rows, false);
        best[j] = Math.max(best[j], (double) rows * cols * 300 / (CPU.getCurrentThreadCpuTime() - t0));
      }
    }
    for (int j = 0; j < n; j++) System.out.println(String.format(Locale.ROOT, "%-60s %6.2f GMAC/s", names[j], best[j]));
  }
}
