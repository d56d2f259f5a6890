package dev.fathom.cli;

import dev.fathom.insight.dynamics.LmDynamics;
import dev.fathom.insight.dynamics.LmProbe;
import dev.fathom.insight.dynamics.LmUpdate;
import dev.fathom.insight.dynamics.SequenceLogProb;
import dev.fathom.insight.dynamics.SqueezeProbe;
import dev.fathom.insight.dynamics.SqueezeSummary;
import dev.fathom.insight.dynamics.Squeezing;
import dev.fathom.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The squeezing effect on a language model, gathered over the updates of {@code fathom dynamics
 * --mode dpo}, per kind of step: how often the greedy responses and their tokens gain
 * probability, what happens to the chosen and rejected responses, and, at every position of the
 * rejected response and of the other probes whose token is not the argmax, whether the argmax
 * token gains.
 */
final class DynamicsSqueeze {
  private static final List<String> MEASURES = List.of("greedy response rose", "greedy tokens rose", "y- positions: argmax rose",
      "other positions: argmax rose");

  private final Map<String, Tally> steps = new LinkedHashMap<>();

  private static final class Tally {
    int greedy, greedyRose, greedyTokens, greedyTokensRose, updates;
    double chosenDelta, rejectedDelta;
    final List<SqueezeProbe> rejectedTokens = new ArrayList<>(), otherTokens = new ArrayList<>();
  }

  /** One step of {@code update} at η; the probes of kind "...greedy" are the model's greedy responses. */
  void add(String step, LmDynamics dyn, LmUpdate update, List<LmProbe> probes, LmProbe chosen, LmProbe rejected, double eta) {
    Tally t = steps.computeIfAbsent(step, k -> new Tally());
    List<double[][]> before = dyn.positions(probes), after = dyn.positionsAfter(update, probes, eta);
    for (int i = 0; i < probes.size(); i++) {
      LmProbe p = probes.get(i);
      int[] y = p.response();
      double[][] b = before.get(i), a = after.get(i);
      if (p.kind().endsWith("greedy")) {
        t.greedy++;
        if (SequenceLogProb.sum(a, y) > SequenceLogProb.sum(b, y)) t.greedyRose++;
        for (int s = 0; s < y.length; s++) {
          t.greedyTokens++;
          if (a[s][y[s]] > b[s][y[s]]) t.greedyTokensRose++;
        }
      } else if (p == rejected) {
        t.rejectedTokens.addAll(Squeezing.tokens(b, a, y));
        t.rejectedDelta += SequenceLogProb.sum(a, y) - SequenceLogProb.sum(b, y);
      } else {
        if (p == chosen) t.chosenDelta += SequenceLogProb.sum(a, y) - SequenceLogProb.sum(b, y);
        t.otherTokens.addAll(Squeezing.tokens(b, a, y));
      }
    }
    t.updates++;
  }

  /** squeeze.csv and squeeze.png, and the table on {@code out}. */
  void write(Path dir, PrintStream out) throws IOException {
    StringBuilder csv = new StringBuilder("step,greedy_responses,greedy_rose,greedy_tokens,greedy_tokens_rose,mean_chosen_delta,"
        + "mean_rejected_delta,rejected_tokens,rejected_tokens_argmax_rose,rejected_tokens_pushed_fell,other_tokens,"
        + "other_tokens_argmax_rose,other_tokens_pushed_fell\n");
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    out.println("squeezing (fractions of probes):");
    for (Map.Entry<String, Tally> e : steps.entrySet()) {
      Tally t = e.getValue();
      SqueezeSummary rej = SqueezeSummary.of(t.rejectedTokens), oth = SqueezeSummary.of(t.otherTokens);
      double gr = (double) t.greedyRose / t.greedy, gt = (double) t.greedyTokensRose / t.greedyTokens;
      csv.append(String.format(Locale.ROOT, "%s,%d,%.4f,%d,%.4f,%.6g,%.6g,%d,%.4f,%.4f,%d,%.4f,%.4f%n", e.getKey(), t.greedy, gr, t.greedyTokens,
          gt, t.chosenDelta / t.updates, t.rejectedDelta / t.updates, rej.probes(), rej.argmaxRose(), rej.pushedFell(), oth.probes(),
          oth.argmaxRose(), oth.pushedFell()));
      out.printf(Locale.ROOT, "  %-24s greedy responses rose %.1f%% (%d), greedy tokens rose %.1f%% (%d); mean delta log p: chosen %+.4g, "
          + "rejected %+.4g; rejected tokens: argmax rose %.1f%%, token fell %.1f%% (%d); other probes' tokens: argmax rose %.1f%% (%d)%n",
          e.getKey(), 100 * gr, t.greedy, 100 * gt, t.greedyTokens, t.chosenDelta / t.updates, t.rejectedDelta / t.updates,
          100 * rej.argmaxRose(), 100 * rej.pushedFell(), rej.probes(), 100 * oth.argmaxRose(), oth.probes());
      bars.put(e.getKey(), List.of(gr, gt, rej.argmaxRose(), oth.argmaxRose()));
    }
    AtomicFiles.writeString(dir.resolve("squeeze.csv"), csv.toString());
    DynamicsReport.barChart(dir.resolve("squeeze.png"), "Squeezing on the LM: one step", MEASURES, bars);
  }
}
