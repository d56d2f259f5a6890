package dev.fathom.cli;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Parallel;
import dev.fathom.nn.F;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom bench conv}: 3×3 convolution forward and forward+backward at the Fashion-MNIST CNN's layer shapes. */
@Command(name = "conv", mixinStandardHelpOptions = true,
    description = "Conv2d 3x3 (pad 1) forward and forward+backward GFLOP/s at the CNN's layer shapes, batch 128.")
final class BenchConvCommand implements Callable<Integer> {
  @Option(names = "--batch", defaultValue = "128", description = "images per batch; default ${DEFAULT-VALUE}")
  int batch;

  @Option(names = "--reps", defaultValue = "5", description = "timed repetitions; default ${DEFAULT-VALUE}")
  int reps;

  @Override
  public Integer call() {
    int[][] layers = {{1, 32, 28}, {32, 64, 14}};  // in channels, out channels, side
    System.out.printf("conv2d 3x3 pad 1, batch %d, %d threads%n| layer | fwd ms | fwd GFLOP/s | fwd+bwd ms | fwd+bwd GFLOP/s |%n"
        + "|---|---|---|---|---|%n", batch, Parallel.threads());
    Rng rng = new Rng(3);
    for (int[] l : layers) {
      int c = l[0], o = l[1], s = l[2];
      Tensor x = Tensor.randn(rng, batch, c, s, s).requiresGrad(true);
      Tensor w = Tensor.randn(rng, o, c, 3, 3).mul(0.1f).requiresGrad(true);
      Tensor b = Tensor.zeros(o).requiresGrad(true);
      Tensor g = Tensor.randn(rng, batch, o, s, s);
      int[] one = {1, 1}, pad = {1, 1};
      double fwd = BenchCommand.best(2, reps, () -> F.conv2d(x.detach(), w.detach(), b.detach(), one, pad, one, 1));
      double both = BenchCommand.best(2, reps, () -> Autograd.grad(F.conv2d(x, w, b, one, pad, one, 1), g, x, w, b));
      double flops = 2.0 * batch * o * s * s * c * 9;  // forward; backward is twice that (input and weight gradients)
      System.out.printf("| %d→%d @ %dx%d | %.1f | %.0f | %.1f | %.0f |%n", c, o, s, s, fwd * 1e3, flops / fwd / 1e9, both * 1e3,
          3 * flops / both / 1e9);
    }
    return 0;
  }
}
