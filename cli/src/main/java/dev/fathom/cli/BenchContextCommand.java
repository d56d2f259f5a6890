package dev.fathom.cli;

import dev.fathom.autograd.Autograd;
import dev.fathom.io.PngFiles;
import dev.fathom.kernel.Parallel;
import dev.fathom.llm.LlamaAttention;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom bench context}: one attention layer of each variant (projections, the variant's
 * attention, o projection; the {@code small} preset's widths) forward + backward at growing T:
 * time, the heap the layer holds between forward and backward (its activations), and all bytes
 * allocated by the pass.
 */
@Command(name = "context", mixinStandardHelpOptions = true,
    description = "Time and memory of one attention layer per variant (hidden 256, 4 heads of 64, B=1), forward + backward, at growing T.")
final class BenchContextCommand implements Callable<Integer> {
  @Option(names = "--t", split = ",", defaultValue = "1024,2048,4096,8192,16384,32768", description = "sequence lengths; default ${DEFAULT-VALUE}")
  List<Integer> lengths;

  @Option(names = "--variants", split = ",", defaultValue = "full,window:256,block_sparse,linear,full+conv:4",
      description = "attention variants as `lm train --attention` names them, window:N for a sliding window, +conv:K for a hybrid "
          + "layer; default ${DEFAULT-VALUE}")
  List<String> variants;

  @Option(names = "--full-max", defaultValue = "32768", description = "skip full attention above this T (quadratic time); default ${DEFAULT-VALUE}")
  int fullMax;

  @Option(names = "--reps", defaultValue = "2", description = "timed repetitions (best kept); default ${DEFAULT-VALUE}")
  int reps;

  @Option(names = "--plot", description = "also write PREFIX-time.png and PREFIX-memory.png (log-log)")
  String plot;

  @Override
  public Integer call() throws IOException {
    if (reps < 1) throw new CliException("--reps: expected >= 1, got " + reps);
    int maxT = lengths.stream().mapToInt(Integer::intValue).max().orElseThrow(() -> new CliException("--t: expected lengths"));
    if (lengths.stream().anyMatch(t -> t < 1)) throw new CliException("--t: expected lengths >= 1, got " + lengths);
    Map<String, LlamaConfig> configs = new LinkedHashMap<>();
    for (String v : variants) configs.put(v, config(v, maxT));
    Map<String, List<double[]>> time = new LinkedHashMap<>(), memory = new LinkedHashMap<>();
    System.out.printf("one attention layer fwd+bwd, hidden 256, 4 heads of 64, B=1, %d threads%n", Parallel.threads());
    System.out.println("| variant | T | ms | held for backward MiB | allocated MiB |");
    System.out.println("|---|---|---|---|---|");
    for (var e : configs.entrySet()) {
      LlamaAttention layer = LlamaAttention.standalone(e.getValue(), 0, new Rng(1));
      for (int i = 0; i < 6; i++) pass(layer, 384);  // compile the paths before timing
      for (int t : lengths) {
        if (e.getKey().equals("full") && t > fullMax) {
          System.out.printf("| %s | %d | (skipped) | | |%n", e.getKey(), t);
          continue;
        }
        double best = BenchCommand.best(1, reps, () -> pass(layer, t));  // a first pass at this T, untimed
        double[] m = measure(layer, t);
        System.out.printf("| %s | %d | %.0f | %.1f | %.0f |%n", e.getKey(), t, best * 1e3, m[0], m[1]);
        time.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new double[] {t, best * 1e3});
        memory.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new double[] {t, m[0]});
      }
    }
    if (plot != null) {
      chart("One attention layer, forward + backward (hidden 256, B=1)", "ms", time, Path.of(plot + "-time.png"));
      chart("Heap held between forward and backward (hidden 256, B=1)", "MiB", memory, Path.of(plot + "-memory.png"));
    }
    return 0;
  }

  /** The {@code small} preset's attention widths, context maxT, with the named variant. */
  static LlamaConfig config(String variant, int maxT) {
    LlamaConfig c = LlamaConfig.llama(256, 256, 688, 1, 4, 4, maxT, false);
    String attention = variant;
    Integer conv = null;
    int plus = variant.indexOf("+conv:");
    if (plus >= 0) {
      attention = variant.substring(0, plus);
      try {
        conv = Integer.parseInt(variant.substring(plus + 6));
      } catch (NumberFormatException e) {
        throw new CliException("--variants: expected NAME+conv:K with an integer K, got '" + variant + "'");
      }
    }
    if (attention.startsWith("window:")) {
      try {
        return LmArchitecture.apply(c.withSlidingWindow(Integer.parseInt(attention.substring(7))), "full", conv);
      } catch (NumberFormatException e) {
        throw new CliException("--variants: expected window:N with an integer N, got '" + variant + "'");
      } catch (IllegalArgumentException e) {
        throw new CliException("--variants: " + e.getMessage());
      }
    }
    return LmArchitecture.apply(c, attention, conv);
  }

  private static Tensor[] inputs(int t) {
    Rng rng = new Rng(t);
    return new Tensor[] {Tensor.randn(rng, 1, t, 256).requiresGrad(true), Tensor.randn(rng, 1, t, 256)};
  }

  private static void pass(LlamaAttention layer, int t) {
    Tensor[] in = inputs(t);
    Autograd.backward(layer.call(in[0]), in[1]);
    layer.zeroGrad();
  }

  /** {MiB held after forward beyond inputs and output, MiB allocated by forward + backward}. */
  private static double[] measure(LlamaAttention layer, int t) {
    Tensor[] in = inputs(t);
    long before = HeapProbe.heldAfterGc(), a0 = HeapProbe.allocated();
    Tensor out = layer.call(in[0]);
    long a1 = HeapProbe.allocated();
    long held = HeapProbe.heldAfterGc() - before - 4L * out.numel();
    long a2 = HeapProbe.allocated();
    Autograd.backward(out, in[1]);
    long allocated = (a1 - a0) + (HeapProbe.allocated() - a2);
    layer.zeroGrad();
    return new double[] {held / (double) (1 << 20), allocated / (double) (1 << 20)};
  }

  private static void chart(String title, String unit, Map<String, List<double[]>> series, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart c = new XYChartBuilder().width(720).height(480).title(title).xAxisTitle("sequence length T").yAxisTitle(unit).build();
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    for (var e : series.entrySet()) {
      List<double[]> pts = e.getValue();
      c.addSeries(e.getKey(), pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray());
    }
    PngFiles.write(file, c);
    System.out.println("plot: " + file);
  }
}
