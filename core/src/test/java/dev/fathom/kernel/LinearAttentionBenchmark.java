package dev.fathom.kernel;

import dev.fathom.autograd.Autograd;
import dev.fathom.nn.F;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * Causal linear attention ({@link F#linearAttention}) against causal softmax attention
 * ({@link F#scaledDotProductAttention}, the tiled kernel) for forward + backward: a plain
 * {@code main}, not a unit test. Each argument is one shape {@code B,H,T,D}; every line reports
 * the best of a few passes of each ({@code -Dreps=3}); {@code -DsoftmaxMaxT=N} skips softmax above T = N
 * (it takes minutes at T = 32768).
 *
 * <pre>
 * ./mvnw -q -pl core test-compile
 * java --add-modules jdk.incubator.vector -Xmx8g -cp core/target/classes:core/target/test-classes \
 *     dev.fathom.kernel.LinearAttentionBenchmark 8,4,256,64 1,4,4096,64 1,4,32768,64
 * </pre>
 */
public final class LinearAttentionBenchmark {

  private LinearAttentionBenchmark() {}

  public static void main(String[] args) {
    String[] shapes = args.length == 0 ? new String[] {"8,4,256,64", "1,4,4096,64", "1,4,32768,64"} : args;
    int reps = Integer.getInteger("reps", 3), softmaxMaxT = Integer.getInteger("softmaxMaxT", Integer.MAX_VALUE);
    System.out.printf("fwd+bwd, causal, threads=%d, kernels: %s%n", Parallel.threads(), Kernels.describe());
    for (int w = 0; w < 5; w++) {  // JIT warm-up
      Tensor[] in = inputs(2, 4, 256, 64);
      pass(true, in);
      pass(false, in);
    }
    System.out.println("| B | H | T | D | linear ms | softmax (tiled) ms | softmax / linear |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String s : shapes) {
      String[] p = s.split(",");
      int b = Integer.parseInt(p[0]), h = Integer.parseInt(p[1]), t = Integer.parseInt(p[2]), d = Integer.parseInt(p[3]);
      Tensor[] in = inputs(b, h, t, d);
      double lin = time(true, in, reps), soft = t <= softmaxMaxT ? time(false, in, t >= 16384 ? 1 : reps) : Double.NaN;
      System.out.printf("| %d | %d | %d | %d | %.1f | %.1f | %.2f× |%n", b, h, t, d, lin, soft, soft / lin);
    }
  }

  private static Tensor[] inputs(int b, int h, int t, int d) {
    Rng rng = new Rng(17);
    return new Tensor[] {Tensor.randn(rng, b, h, t, d).requiresGrad(true), Tensor.randn(rng, b, h, t, d).requiresGrad(true),
        Tensor.randn(rng, b, h, t, d).requiresGrad(true), Tensor.randn(rng, b, h, t, d)};
  }

  private static void pass(boolean linear, Tensor[] in) {
    Tensor out = linear ? F.linearAttention(in[0], in[1], in[2]) : F.scaledDotProductAttention(in[0], in[1], in[2], true, null);
    Autograd.grad(out, in[3], in[0], in[1], in[2]);
  }

  private static double time(boolean linear, Tensor[] in, int reps) {
    double best = Double.MAX_VALUE;
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      pass(linear, in);
      best = Math.min(best, (System.nanoTime() - t0) / 1e6);
    }
    return best;
  }
}
