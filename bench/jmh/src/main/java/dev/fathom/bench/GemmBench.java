package dev.fathom.bench;

import dev.fathom.kernel.Gemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM C = op(A)·op(B) through {@link Gemm#sgemm}: the squares 512 and 1024 and a transformer
 * projection (4096 tokens, 688 → 256), each with the four transpose combinations selectable.
 * The score is time per call; GFLOP/s = 2·m·n·k / time. Threads come from
 * {@code FATHOM_THREADS} (default: all cores), as in the library.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmBench {

  /** "m,n,k": 512³, 1024³ and a transformer shape. */
  @Param({"512,512,512", "1024,1024,1024", "4096,256,688"})
  public String shape;

  /** Transposes of A and B, BLAS-style: NN, NT, TN or TT. */
  @Param({"NN"})
  public String trans;

  private int m, n, k, lda, ldb;
  private boolean ta, tb;
  private float[] a, b, c;

  @Setup
  public void setup() {
    String[] s = shape.split(",");
    m = Integer.parseInt(s[0]);
    n = Integer.parseInt(s[1]);
    k = Integer.parseInt(s[2]);
    ta = trans.charAt(0) == 'T';
    tb = trans.charAt(1) == 'T';
    lda = ta ? m : k;
    ldb = tb ? k : n;
    SplittableRandom r = new SplittableRandom(42);
    a = random(r, m * k);
    b = random(r, k * n);
    c = new float[m * n];
  }

  @Benchmark
  public float[] sgemm() {
    Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
    return c;
  }

  static float[] random(SplittableRandom r, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }
}
