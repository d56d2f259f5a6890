package dev.fathom.cli;

import dev.fathom.insight.dynamics.DpoConfig;
import dev.fathom.insight.dynamics.DpoPair;
import dev.fathom.insight.dynamics.DpoSnapshot;
import dev.fathom.insight.dynamics.DpoSqueeze;
import dev.fathom.insight.dynamics.DpoTraining;
import dev.fathom.insight.dynamics.PairState;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.PngFiles;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * {@code fathom dynamics --mode dpo-train}: multi-step DPO of a causal LM on preference pairs cut
 * from a text, with held-out pairs measured every few steps: log π(y⁺), log π(y⁻), the reward
 * margin, and at the rejected response's positions the mass of the step-0 argmax token against
 * the rest (the squeezing effect, {@link DpoSqueeze}).
 *
 * <p>Pairs: the prompt is a passage of the text, the chosen response its true continuation, the
 * rejected response (off-policy, unlikely under the model) one of: {@code uniform}, tokens drawn
 * uniformly from the whole vocabulary (for a byte tokenizer mostly bytes the text never uses, a
 * response deep in the model's valley); {@code elsewhere}, the same
 * number of tokens from another random place of the text; {@code shuffled}, the chosen tokens
 * permuted; {@code random}, tokens drawn from the text one by one. Training pairs come from the
 * first 90% of the text, held-out pairs from the last 10% (the split `fathom lm train` uses).
 */
final class DynamicsDpoTrain {
  static final List<String> REJECTED = List.of("uniform", "elsewhere", "shuffled", "random");

  private DynamicsDpoTrain() {}

  static int run(DynamicsCommand c, double lr, int probes) throws IOException {
    PrintStream out = System.out;
    if (!Files.isRegularFile(c.text)) throw new CliException("--text: '" + c.text + "' is not a file", 2);
    if (!Files.isDirectory(c.model)) throw new CliException("--model: '" + c.model + "' is not a directory", 2);
    Tokenizer tok = LmText.tokenizerOf(c.model);
    LlamaForCausalLM lm = HfCheckpoint.load(c.model);
    int span = c.promptLen + c.responseLen;
    if (span > lm.config().maxPositionEmbeddings()) {
      throw new CliException("--prompt-len + --response-len must be at most the model's context " + lm.config().maxPositionEmbeddings()
          + ", got " + span, 2);
    }
    byte[] all = LmText.read(c.text);
    int split = LmText.splitPoint(all);
    int[] trainIds = tok.encodeBytes(Arrays.copyOfRange(all, 0, split)), heldIds = tok.encodeBytes(Arrays.copyOfRange(all, split, all.length));
    if (trainIds.length < 2 * span || heldIds.length < 2 * span) {
      throw new CliException("--text: " + trainIds.length + " training and " + heldIds.length + " held-out tokens, need at least " + 2 * span
          + " of each", 2);
    }
    Rng rng = new Rng(c.seed);
    int vocab = lm.config().vocabSize();
    List<DpoPair> train = pairs(trainIds, c.pairs, vocab, c, rng), held = pairs(heldIds, probes, vocab, c, rng);
    DpoConfig cfg = new DpoConfig(c.beta, lr, c.optimizer, 0, c.batch, c.steps, c.evalEvery, c.seed);
    out.printf(Locale.ROOT, "model: %s, %,d parameters; DPO beta %s, %s lr %.3g, batch %d, %d steps on %d pairs (rejected: %s), "
        + "%d held-out pairs, prompt %d + response %d tokens%n", c.model, lm.config().parameterCount(), c.beta, cfg.optimizer(), lr, c.batch,
        c.steps, train.size(), c.rejected, held.size(), c.promptLen, c.responseLen);
    long t0 = System.nanoTime();
    DpoTraining training = new DpoTraining(lm, train, cfg);
    List<DpoSnapshot> snaps = new ArrayList<>();
    out.println("step  train_loss  heldout_loss  margin   logp(y+)   logp(y-)   logp(y*)  p(argmax)  p(y-)     p(other)  squeezed");
    training.run(held, s -> {
      snaps.add(s);
      DpoSnapshot ref = snaps.get(0);
      out.printf(Locale.ROOT, "%4d  %10.4f  %12.4f  %7.3f  %9.3f  %9.3f  %9.3f  %9.4f  %.2e  %8.4f  %7.1f%%  (%.0f s)%n", s.step(), s.trainLoss(),
          s.meanLoss(ref, c.beta), s.meanRewardMargin(ref, c.beta), s.meanLogpChosen(), s.meanLogpRejected(), s.meanLogpGreedy(),
          s.meanArgmaxProb(), s.meanRejectedProb(), s.meanOtherMass(), 100 * DpoSqueeze.of(ref.pairs(), s.pairs()).shown(), (System.nanoTime() - t0) / 1e9);
    });
    DpoSnapshot first = snaps.get(0), last = snaps.get(snaps.size() - 1);
    DpoSqueeze sq = DpoSqueeze.of(first.pairs(), last.pairs());
    out.printf(Locale.ROOT, "squeezing from step 0 to %d over %d held-out pairs: shown in %.1f%% (argmax rose %.1f%%, y- fell %.1f%%, "
        + "other tokens fell %.1f%%); step-0 greedy response rose in %.1f%%%n", last.step(), sq.probes(), 100 * sq.shown(), 100 * sq.argmaxRose(),
        100 * sq.rejectedFell(), 100 * sq.othersFell(), 100 * sq.greedyRose());
    writeCurves(c.out.resolve("curves.csv"), snaps, c.beta);
    writePairs(c.out.resolve("pairs.csv"), first, last);
    plot(c.out.resolve("dpo-logp.png"), "DPO on held-out pairs: log p (mean)", "log-probability", snaps,
        two("log p(y+) chosen", DpoSnapshot::meanLogpChosen, "log p(y-) rejected", DpoSnapshot::meanLogpRejected), null);
    plot(c.out.resolve("dpo-squeeze.png"), "Squeezing at the rejected positions (mean over pairs)", "probability", snaps,
        two("p(step-0 argmax token)", DpoSnapshot::meanArgmaxProb, "p(other tokens)", DpoSnapshot::meanOtherMass), sq);
    out.println("tables: curves.csv, pairs.csv; plots: dpo-logp.png, dpo-squeeze.png in " + c.out);
    return 0;
  }

  /** {@code n} pairs cut at random from {@code ids}. */
  static List<DpoPair> pairs(int[] ids, int n, int vocab, DynamicsCommand c, Rng rng) {
    int p = c.promptLen, r = c.responseLen, limit = ids.length - p - r;
    List<DpoPair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int at = rng.nextInt(limit);
      int[] prompt = Arrays.copyOfRange(ids, at, at + p), chosen = Arrays.copyOfRange(ids, at + p, at + p + r);
      int[] rejected = new int[r];
      switch (c.rejected) {
        case "elsewhere" -> {
          int from = rng.nextInt(ids.length - r);
          while (Math.abs(from - (at + p)) < r) from = rng.nextInt(ids.length - r);
          System.arraycopy(ids, from, rejected, 0, r);
        }
        case "uniform" -> {
          for (int t = 0; t < r; t++) rejected[t] = rng.nextInt(vocab);
        }
        case "shuffled" -> {
          int[] perm = rng.permutation(r);
          for (int t = 0; t < r; t++) rejected[t] = chosen[perm[t]];
        }
        default -> {
          for (int t = 0; t < r; t++) rejected[t] = ids[rng.nextInt(ids.length)];
        }
      }
      out.add(new DpoPair(prompt, chosen, rejected));
    }
    return out;
  }

  private static void writeCurves(Path file, List<DpoSnapshot> snaps, double beta) throws IOException {
    StringBuilder csv = new StringBuilder("step,train_loss,heldout_loss,reward_margin,logp_chosen,logp_rejected,logp_greedy,p_argmax,p_rejected,p_other,"
        + "squeezed,argmax_rose,rejected_fell,others_fell,greedy_rose\n");
    DpoSnapshot ref = snaps.get(0);
    for (DpoSnapshot s : snaps) {
      DpoSqueeze q = DpoSqueeze.of(ref.pairs(), s.pairs());
      csv.append(String.format(Locale.ROOT, "%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.4f,%.4f,%.4f,%.4f,%.4f%n", s.step(), s.trainLoss(),
          s.meanLoss(ref, beta), s.meanRewardMargin(ref, beta), s.meanLogpChosen(), s.meanLogpRejected(), s.meanLogpGreedy(), s.meanArgmaxProb(), s.meanRejectedProb(),
          s.meanOtherMass(), q.shown(), q.argmaxRose(), q.rejectedFell(), q.othersFell(), q.greedyRose()).replace("NaN", ""));
    }
    AtomicFiles.writeString(file, csv.toString());
  }

  private static void writePairs(Path file, DpoSnapshot first, DpoSnapshot last) throws IOException {
    StringBuilder csv = new StringBuilder("pair,positions,logp_chosen_0,logp_chosen_T,logp_rejected_0,logp_rejected_T,logp_greedy_0,logp_greedy_T,p_argmax_0,p_argmax_T,"
        + "p_other_0,p_other_T,squeezed\n");
    for (int i = 0; i < first.pairs().size(); i++) {
      PairState a = first.pairs().get(i), b = last.pairs().get(i);
      csv.append(String.format(Locale.ROOT, "%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%s%n", i, a.positions(), a.logpChosen(), b.logpChosen(),
          a.logpRejected(), b.logpRejected(), a.logpGreedy(), b.logpGreedy(), a.argmaxProb(), b.argmaxProb(), a.otherMass(), b.otherMass(), DpoSqueeze.shown(a, b)));
    }
    AtomicFiles.writeString(file, csv.toString());
  }

  private static void plot(Path file, String title, String yTitle, List<DpoSnapshot> snaps, Map<String, ToDoubleFunction<DpoSnapshot>> series,
      DpoSqueeze squeeze) throws IOException {
    XYChart chart = new XYChartBuilder().width(720).height(460).title(title).xAxisTitle("DPO step").yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    double[] x = snaps.stream().mapToDouble(DpoSnapshot::step).toArray();
    for (Map.Entry<String, ToDoubleFunction<DpoSnapshot>> e : series.entrySet()) {
      chart.addSeries(e.getKey(), x, snaps.stream().mapToDouble(e.getValue()).toArray());
    }
    if (squeeze != null) {
      DpoSnapshot ref = snaps.get(0);
      chart.addSeries(String.format(Locale.ROOT, "fraction of pairs squeezed since step 0 (end: %.1f%%)", 100 * squeeze.shown()), x,
          snaps.stream().mapToDouble(s -> DpoSqueeze.of(ref.pairs(), s.pairs()).shown()).toArray());
    }
    PngFiles.write(file, chart);
  }

  private static Map<String, ToDoubleFunction<DpoSnapshot>> two(String a, ToDoubleFunction<DpoSnapshot> fa, String b, ToDoubleFunction<DpoSnapshot> fb) {
    Map<String, ToDoubleFunction<DpoSnapshot>> m = new LinkedHashMap<>();
    m.put(a, fa);
    m.put(b, fb);
    return m;
  }
}
