package dev.fathom.cli;

import dev.fathom.autograd.Grad;
import dev.fathom.kernel.Parallel;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.generate.InferenceSession;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom bench prune}: the speed of structurally pruned models side by side with the model
 * they came from, in one run. Rounds are interleaved (round r times every model before round r + 1
 * starts) and each figure is the median over rounds (and, in a second table, the best round), so
 * load that drifts during the run hits all models alike; the load average is printed at the start and the end.
 *
 * <p>Language models: prefill (one no-grad forward of a batch of B×T token ids), decode at batch 1
 * (the KV-cache engine, one token per step), and the MLP block of layer 0 alone on a (rows, hidden)
 * input. CNN classifiers: one no-grad forward of a batch of images in eval mode.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = "Speed of pruned models vs the original, side by side (interleaved rounds, medians): LM prefill, decode and MLP block; CNN images/s.")
final class BenchPruneCommand implements Callable<Integer> {
  @Option(names = "--lm", arity = "1..*", description = "language-model directories; the first is the reference for ratios")
  List<Path> lms;

  @Option(names = "--cnn", arity = "1..*", description = "CNN classifier directories; the first is the reference for ratios")
  List<Path> cnns;

  @Option(names = "--rounds", defaultValue = "7", description = "timed rounds after one warm-up round; default ${DEFAULT-VALUE}")
  int rounds;

  @Option(names = "--prefill", defaultValue = "8x256", description = "prefill batch BxT; default ${DEFAULT-VALUE}")
  String prefill;

  @Option(names = "--decode-tokens", defaultValue = "64", description = "tokens decoded per round at batch 1; default ${DEFAULT-VALUE}")
  int decodeTokens;

  @Option(names = "--mlp-rows", defaultValue = "2048", description = "rows of the MLP-block input; default ${DEFAULT-VALUE}")
  int mlpRows;

  @Option(names = "--batch", defaultValue = "256", description = "CNN images per forward; default ${DEFAULT-VALUE}")
  int batch;

  @Override
  public Integer call() throws Exception {
    if ((lms == null) == (cnns == null)) throw new CliException("expected --lm DIR... or --cnn DIR..., got " + (lms == null ? "neither" : "both"));
    if (rounds < 1) throw new CliException("--rounds: expected >= 1, got " + rounds);
    System.out.printf("load average at start: %s; %d threads; %d rounds (interleaved)%n", load(), Parallel.threads(), rounds);
    List<String> names = new ArrayList<>();
    List<List<Runnable>> work = new ArrayList<>();  // per model, one body per measured quantity
    List<String> labels = new ArrayList<>();
    double[] units;  // items per run of each quantity (tokens, tokens, rows, images)
    if (lms != null) {
      String[] bt = prefill.split("x");
      int b, t;
      try {
        b = Integer.parseInt(bt[0]);
        t = Integer.parseInt(bt[1]);
      } catch (RuntimeException e) {
        throw new CliException("--prefill: expected BxT such as 8x256, got '" + prefill + "'");
      }
      labels.addAll(List.of("prefill tok/s (" + prefill + ")", "decode tok/s (batch 1)", "MLP block rows/s (" + mlpRows + " rows)"));
      units = new double[] {b * t, decodeTokens, mlpRows};
      for (Path p : lms) {
        LlamaForCausalLM m = HfCheckpoint.load(p);
        m.eval();
        LlamaConfig c = m.config();
        names.add(p.getFileName() + String.format(" (ffn %d, heads %d, %.1fM)", c.intermediateSize(), c.numAttentionHeads(), c.parameterCount() / 1e6));
        work.add(lmWork(m, b, t));
      }
    } else {
      labels.add("images/s (batch " + batch + ")");
      units = new double[] {batch};
      for (Path p : cnns) {
        ModelLoader l = ModelLoader.load(p);
        int[] in = l.config().inputShape();
        Tensor x = Tensor.randn(new Rng(1), batch, in[0], in[1], in[2]);
        names.add(p.getFileName() + " (channels " + Arrays.toString(l.config().channels()) + ")");
        work.add(List.of(() -> forward(l.model(), x)));
      }
    }
    int n = names.size(), q = labels.size();
    double[][][] t = new double[n][q][rounds];
    for (int r = -1; r < rounds; r++) {
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < q; k++) {
          long t0 = System.nanoTime();
          work.get(i).get(k).run();
          if (r >= 0) t[i][k][r] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    table("medians over rounds", names, labels, units, t, BenchPruneCommand::median);
    table("best of rounds (least disturbed by other jobs)", names, labels, units, t, a -> Arrays.stream(a).min().orElseThrow());
    System.out.printf("load average at end: %s%n", load());
    return 0;
  }

  private static void table(String title, List<String> names, List<String> labels, double[] units, double[][][] t,
      java.util.function.ToDoubleFunction<double[]> stat) {
    System.out.println(title + ":");
    StringBuilder head = new StringBuilder("| model |"), rule = new StringBuilder("|---|");
    for (String l : labels) {
      head.append(' ').append(l).append(" | speedup |");
      rule.append("---|---|");
    }
    System.out.println(head);
    System.out.println(rule);
    for (int i = 0; i < names.size(); i++) {
      StringBuilder row = new StringBuilder("| " + names.get(i) + " |");
      for (int k = 0; k < labels.size(); k++) {
        double rate = units[k] / stat.applyAsDouble(t[i][k]), ref = units[k] / stat.applyAsDouble(t[0][k]);
        row.append(String.format(" %.0f | %.2fx |", rate, rate / ref));
      }
      System.out.println(row);
    }
  }

  private List<Runnable> lmWork(LlamaForCausalLM m, int b, int t) {
    LlamaConfig c = m.config();
    long[] ids = new long[b * t];
    Rng rng = new Rng(3);
    for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(c.vocabSize());
    Tensor batchIds = Tensor.ofLongs(ids, b, t);
    InferenceSession s = new InferenceSession(m, 1, decodeTokens);
    float[] logits = new float[c.vocabSize()];
    Module mlp = m.namedModules().get("model.layers.0.mlp");
    Tensor rows = Tensor.randn(new Rng(4), 1, mlpRows, c.hiddenSize());
    return List.of(() -> forward(m, batchIds), () -> {
      s.reset(0);
      for (int i = 0; i < decodeTokens; i++) s.decode(new int[] {0}, new int[] {(int) ids[i % ids.length]}, 1, logits);
    }, () -> forward(mlp, rows));
  }

  private static void forward(Module m, Tensor x) {
    try (var g = Grad.disabled()) {
      m.call(x);
    }
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }
}
