package dev.fathom.cli;

import dev.fathom.autograd.Autograd;
import dev.fathom.io.PngFiles;
import dev.fathom.kernel.Parallel;
import dev.fathom.nn.F;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom bench attention}: causal attention forward+backward, the tiled kernel against the
 * naive composition (which materializes the T×T scores), with their max difference.
 */
@Command(name = "attention", mixinStandardHelpOptions = true,
    description = "Causal attention fwd+bwd: tiled (memory linear in T) vs naive (T x T scores), optionally the sliding-window "
        + "kernel and linear attention, B=1 H=4 D=64.")
final class BenchAttentionCommand implements Callable<Integer> {
  @Option(names = "--t", split = ",", defaultValue = "512,1024,2048,4096", description = "sequence lengths; default ${DEFAULT-VALUE}")
  List<Integer> lengths;

  @Option(names = "--naive-max", defaultValue = "4096", description = "skip the naive path above this T (its T² memory); default ${DEFAULT-VALUE}")
  int naiveMax;

  @Option(names = "--reps", defaultValue = "2", description = "timed repetitions; default ${DEFAULT-VALUE}")
  int reps;

  @Option(names = "--window", defaultValue = "0", description = "also time the sliding-window kernel with this window (0: off); default ${DEFAULT-VALUE}")
  int window;

  @Option(names = "--tiled-max", defaultValue = "1000000", description = "skip the full tiled path above this T; default ${DEFAULT-VALUE}")
  int tiledMax;

  @Option(names = "--linear", description = "also time causal linear attention (elu + 1 feature map)")
  boolean linear;

  @Option(names = "--plot", description = "also write time vs T (log-log) for each path as a PNG")
  Path plot;

  @Override
  public Integer call() throws IOException {
    if (window < 0) throw new CliException("--window: expected >= 0, got " + window);
    List<double[]> full = new ArrayList<>(), windowed = new ArrayList<>(), naivePts = new ArrayList<>(), linearPts = new ArrayList<>();
    warmUp();
    String w = (window > 0 ? " window " + window + " ms |" : "") + (linear ? " linear ms |" : "");
    String dashes = (window > 0 ? "---|" : "") + (linear ? "---|" : "");
    System.out.printf("causal attention fwd+bwd, B=1 H=4 D=64, %d threads%n| T | tiled ms |%s naive ms | naive/tiled | max |diff| out | naive scores MiB |%n"
        + "|---|---|%s---|---|---|---|%n", Parallel.threads(), w, dashes);
    for (int t : lengths) {
      Rng rng = new Rng(t);
      Tensor q = Tensor.randn(rng, 1, 4, t, 64).requiresGrad(true), k = Tensor.randn(rng, 1, 4, t, 64).requiresGrad(true);
      Tensor v = Tensor.randn(rng, 1, 4, t, 64).requiresGrad(true), g = Tensor.randn(rng, 1, 4, t, 64);
      double tiled = t > tiledMax ? Double.NaN
          : BenchCommand.best(1, reps, () -> Autograd.grad(F.scaledDotProductAttention(q, k, v, true, null), g, q, k, v));
      String tiledMs = t > tiledMax ? "(skipped)" : String.format("%.0f", tiled * 1e3);
      double win = window > 0 ? BenchCommand.best(1, reps, () -> Autograd.grad(F.slidingWindowAttention(q, k, v, window), g, q, k, v))
          : Double.NaN;
      double lin = linear ? BenchCommand.best(1, reps, () -> Autograd.grad(F.linearAttention(q, k, v), g, q, k, v)) : Double.NaN;
      String windowMs = (window > 0 ? String.format(" %.0f |", 1e3 * win) : "") + (linear ? String.format(" %.0f |", 1e3 * lin) : "");
      if (linear) linearPts.add(new double[] {t, lin * 1e3});
      if (!Double.isNaN(tiled)) full.add(new double[] {t, tiled * 1e3});
      if (!Double.isNaN(win)) windowed.add(new double[] {t, win * 1e3});
      if (t > naiveMax || t > tiledMax) {
        System.out.printf("| %d | %s |%s (skipped) | | | %.0f |%n", t, tiledMs, windowMs, 4.0 * 4 * t * (double) t / (1 << 20));
        continue;
      }
      double naive = BenchCommand.best(1, reps, () -> Autograd.grad(F.scaledDotProductAttentionComposed(q, k, v, true, null), g, q, k, v));
      float[] a = F.scaledDotProductAttention(q.detach(), k.detach(), v.detach(), true, null).data();
      float[] b = F.scaledDotProductAttentionComposed(q.detach(), k.detach(), v.detach(), true, null).data();
      double diff = 0;
      for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
      System.out.printf("| %d | %.0f |%s %.0f | %.2f | %.1e | %.0f |%n", t, tiled * 1e3, windowMs, naive * 1e3, naive / tiled, diff,
          4.0 * 4 * t * (double) t / (1 << 20));
      naivePts.add(new double[] {t, naive * 1e3});
    }
    if (plot != null) {
      System.setProperty("java.awt.headless", "true");
      XYChart c = new XYChartBuilder().width(720).height(480).title("Causal attention forward + backward, B=1 H=4 D=64")
          .xAxisTitle("sequence length T").yAxisTitle("ms").build();
      c.getStyler().setXAxisLogarithmic(true);
      c.getStyler().setYAxisLogarithmic(true);
      c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
      series(c, "full causal, tiled", full);
      series(c, "sliding window " + window + ", tiled", windowed);
      series(c, "causal linear (elu + 1)", linearPts);
      series(c, "naive (T x T scores)", naivePts);
      PngFiles.write(plot, c);
      System.out.println("plot: " + plot);
    }
    return 0;
  }

  /** Compiles every path before the first timed length (a kernel C2 has not compiled yet runs many times slower). */
  private void warmUp() {
    Rng rng = new Rng(0);
    Tensor q = Tensor.randn(rng, 1, 4, 384, 64).requiresGrad(true), k = Tensor.randn(rng, 1, 4, 384, 64).requiresGrad(true);
    Tensor v = Tensor.randn(rng, 1, 4, 384, 64).requiresGrad(true), g = Tensor.randn(rng, 1, 4, 384, 64);
    for (int i = 0; i < 8; i++) {
      Autograd.grad(F.scaledDotProductAttention(q, k, v, true, null), g, q, k, v);
      Autograd.grad(F.scaledDotProductAttentionComposed(q, k, v, true, null), g, q, k, v);
      if (window > 0) Autograd.grad(F.slidingWindowAttention(q, k, v, Math.min(window, 200)), g, q, k, v);
      if (linear) Autograd.grad(F.linearAttention(q, k, v), g, q, k, v);
    }
  }

  private static void series(XYChart c, String name, List<double[]> pts) {
    if (pts.isEmpty()) return;
    c.addSeries(name, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray());
  }
}
