package dev.fathom.cli;

import dev.fathom.insight.dynamics.LmDynamics;
import dev.fathom.insight.dynamics.LmProbe;
import dev.fathom.insight.dynamics.LmUpdate;
import dev.fathom.insight.dynamics.LogSoftmax;
import dev.fathom.insight.dynamics.SqueezeProbe;
import dev.fathom.insight.dynamics.SqueezeSummary;
import dev.fathom.io.AtomicFiles;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The squeezing effect on a language model one token at a time: the classifier experiment of
 * {@code fathom dynamics --mode classifier} run on next-token distributions. Each probe is a
 * held-out prefix; one SGD step acts on a single token at the next position, and the
 * distribution at that same position is compared before and after (parameters restored between
 * probes). Three steps per probe: a negative gradient on the least likely token (the paper's
 * squeezing setting), a positive gradient on it (the control), and a negative gradient on the
 * true next token where the model does not already rank it first (an on-policy token of ordinary
 * probability).
 */
final class DynamicsTokenSqueeze {
  private static final List<String> MEASURES = List.of("argmax rose", "pushed token fell", "other tokens fell (mean)");

  private DynamicsTokenSqueeze() {}

  /** Runs {@code count} probes with prefixes of {@code prefixLen} tokens cut from {@code ids}; writes token-squeeze.csv and .png. */
  static void run(LmDynamics dyn, int[] ids, int count, int prefixLen, double eta, Rng rng, Path dir, PrintStream out) throws IOException {
    List<SqueezeProbe> neg = new ArrayList<>(), pos = new ArrayList<>(), gold = new ArrayList<>();
    StringBuilder csv = new StringBuilder("probe,offset,argmax,least_likely,true_next,p_argmax,p_argmax_after_negative,"
        + "p_argmax_after_positive,p_argmax_after_true_negative,p_least,p_least_after_negative,p_least_after_positive\n");
    for (int i = 0; i < count; i++) {
      int at = rng.nextInt(ids.length - prefixLen - 1);
      int[] prefix = Arrays.copyOfRange(ids, at, at + prefixLen);
      int next = ids[at + prefixLen];
      double[] before = dyn.positions(List.of(new LmProbe("token", prefix, new int[] {next}))).get(0)[0];
      int argmax = LogSoftmax.argmax(before), least = LogSoftmax.argmin(before);
      LmProbe leastProbe = new LmProbe("token", prefix, new int[] {least});
      SqueezeProbe n = step(dyn, LmUpdate.negative(leastProbe), leastProbe, before, least, eta);
      SqueezeProbe p = step(dyn, LmUpdate.sft(leastProbe), leastProbe, before, least, eta);
      neg.add(n);
      pos.add(p);
      double goldAfter = Double.NaN;
      if (next != argmax) {
        LmProbe nextProbe = new LmProbe("token", prefix, new int[] {next});
        SqueezeProbe g = step(dyn, LmUpdate.negative(nextProbe), nextProbe, before, next, eta);
        gold.add(g);
        goldAfter = g.argmaxAfter();
      }
      csv.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g%n", i, at, argmax, least, next,
          n.argmaxBefore(), n.argmaxAfter(), p.argmaxAfter(), goldAfter, n.pushedBefore(), n.pushedAfter(), p.pushedAfter()));
    }
    AtomicFiles.writeString(dir.resolve("token-squeeze.csv"), csv.toString());
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    out.printf(Locale.ROOT, "token-level squeezing (%d held-out prefixes of %d tokens, one step of eta %.3g on one next token each):%n",
        count, prefixLen, eta);
    report(out, bars, "negative gradient, least likely token", SqueezeSummary.of(neg));
    report(out, bars, "positive gradient, least likely token", SqueezeSummary.of(pos));
    if (!gold.isEmpty()) report(out, bars, "negative gradient, true next token", SqueezeSummary.of(gold));
    DynamicsReport.barChart(dir.resolve("token-squeeze.png"), "Squeezing on the LM: one step on one next token (" + count + " probes)",
        MEASURES, bars);
  }

  private static SqueezeProbe step(LmDynamics dyn, LmUpdate update, LmProbe probe, double[] before, int pushed, double eta) {
    double[] after = dyn.positionsAfter(update, List.of(probe), eta).get(0)[0];
    return SqueezeProbe.of(before, after, pushed);
  }

  private static void report(PrintStream out, Map<String, List<Double>> bars, String name, SqueezeSummary s) {
    out.printf(Locale.ROOT, "  %-40s argmax rose in %.1f%%, pushed token fell in %.1f%%, other tokens fell %.1f%% (mean); %d probes%n",
        name + ":", 100 * s.argmaxRose(), 100 * s.pushedFell(), 100 * s.othersFell(), s.probes());
    bars.put(name, List.of(s.argmaxRose(), s.pushedFell(), s.othersFell()));
  }
}
