package dev.fathom.cli;

import dev.fathom.insight.dynamics.LmDynamics;
import dev.fathom.insight.dynamics.LmProbe;
import dev.fathom.insight.dynamics.LmUpdate;
import dev.fathom.insight.dynamics.SequenceLogProb;
import dev.fathom.io.AtomicFiles;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fathom dynamics --mode sft|dpo}: a causal LM's sequence log-probabilities log π(y|x) on
 * probe (prompt, response) pairs cut from the held-out last 10% of a text, before and after one SGD step of SFT (on the
 * update's true continuation) or DPO (chosen: the true continuation; rejected: it shuffled, or
 * random tokens), predicted to first order by −η·∇log π(y_o|x_o)·∇L(x_u).
 *
 * <p>Each prompt is probed with four responses: its true continuation (gold), the model's greedy
 * continuation, the gold tokens shuffled, and tokens drawn at random from the text. In DPO mode
 * the squeezing effect is measured on the same probes, for the DPO step and for its negative
 * half alone (a step that only pushes the rejected response down), and one token at a time
 * ({@link DynamicsTokenSqueeze}).
 */
final class DynamicsLm {
  private static final List<String> KINDS = List.of("gold", "greedy", "shuffled", "random");

  private DynamicsLm() {}

  static int run(DynamicsCommand c, boolean dpo, double eta, int n) throws IOException {
    PrintStream out = System.out;
    if (!Files.isRegularFile(c.text)) throw new CliException("--text: '" + c.text + "' is not a file", 2);
    if (!Files.isDirectory(c.model)) throw new CliException("--model: '" + c.model + "' is not a directory", 2);
    Tokenizer tok = LmText.tokenizerOf(c.model);
    LlamaForCausalLM lm = HfCheckpoint.load(c.model);
    int ctx = lm.config().maxPositionEmbeddings();
    if (c.promptLen + c.responseLen > ctx) {
      throw new CliException("--prompt-len + --response-len must be at most the model's context " + ctx + ", got " + (c.promptLen + c.responseLen), 2);
    }
    int[] ids = LmText.validationIds(tok, c.text);  // the last 10%, which `fathom lm train` holds out
    int span = c.promptLen + c.responseLen;
    if (ids.length < 2 * span) throw new CliException("--text: " + ids.length + " tokens, need at least " + 2 * span, 2);
    Rng rng = new Rng(c.seed);
    LmDynamics dyn = new LmDynamics(lm);
    List<LmProbe> shared = new ArrayList<>();
    for (int i = 0; i < n; i++) shared.addAll(probes(lm, ids, rng, c.promptLen, c.responseLen, ""));
    out.printf(Locale.ROOT, "model: %s, %,d parameters; %s, %d updates x %d probes (%d prompts x %s); eta %.3g%n", c.model,
        lm.config().parameterCount(), dpo ? "DPO (beta " + c.beta + ", rejected: " + c.rejected + ")" : "SFT", c.updates,
        shared.size() + 4, n + 1, KINDS, eta);

    StringBuilder csv = new StringBuilder("update,probe,kind,logp_before,predicted,actual\n");
    List<String> names = new ArrayList<>();
    List<DynamicsReport.Sweep> sweeps = new ArrayList<>();
    Map<String, List<double[]>> byKind = new LinkedHashMap<>();
    DynamicsSqueeze squeeze = new DynamicsSqueeze();
    for (int u = 0; u < c.updates; u++) {
      List<LmProbe> own = probes(lm, ids, rng, c.promptLen, c.responseLen, "update ");
      List<LmProbe> probes = new ArrayList<>(own);
      probes.addAll(shared);
      LmProbe chosen = own.get(0), rejected = own.get(KINDS.indexOf(c.rejected));
      LmUpdate update = dpo ? LmUpdate.dpo(lm, chosen, rejected, c.beta) : LmUpdate.sft(chosen);
      long t0 = System.nanoTime();
      double[] rate = dyn.firstOrder(update, probes);
      double secs = (System.nanoTime() - t0) / 1e9;
      double[] before = LmDynamics.logProbs(probes, dyn.positions(probes));
      DynamicsReport.Sweep s = DynamicsReport.sweep(rate, eta, c.halvings, e -> dyn.actualChange(update, probes, e));
      out.printf(Locale.ROOT, "update %d: first-order rates of %d probes in %.1f s; prompt \"%s\"%n", u, probes.size(), secs,
          tok.decode(chosen.prompt()).replace("\n", " / "));
      double[] p = s.predicted(), a = s.actual();
      for (int i = 0; i < probes.size(); i++) {
        String kind = probes.get(i).kind();
        csv.append(String.format(Locale.ROOT, "%d,%d,%s,%.6f,%.8g,%.8g%n", u, i, kind, before[i], p[i], a[i]));
        byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(new double[] {p[i], a[i]});
      }
      names.add("update" + u);
      sweeps.add(s);
      if (dpo) {
        squeeze.add("DPO step", dyn, update, probes, chosen, rejected, eta);
        squeeze.add("negative gradient on y-", dyn, LmUpdate.negative(rejected), probes, chosen, rejected, eta);
      }
    }
    AtomicFiles.writeString(c.out.resolve("dynamics.csv"), csv.toString());
    DynamicsReport.writeResiduals(c.out.resolve("residuals.csv"), names, sweeps, out);
    Map<String, double[][]> series = new LinkedHashMap<>();
    byKind.forEach((k, v) -> series.put(k, new double[][] {v.stream().mapToDouble(r -> r[0]).toArray(), v.stream().mapToDouble(r -> r[1]).toArray()}));
    DynamicsReport.scatter(c.out.resolve("scatter.png"), String.format(Locale.ROOT, "%s step, eta %.3g: log p(y|x) of probes",
        dpo ? "DPO" : "SFT", eta), series);
    boolean tokens = dpo && c.tokenProbes > 0;
    if (dpo) squeeze.write(c.out, out);
    if (tokens) DynamicsTokenSqueeze.run(dyn, ids, c.tokenProbes, c.promptLen, eta, rng, c.out, out);
    out.println("tables: dynamics.csv, residuals.csv" + (dpo ? ", squeeze.csv" : "") + (tokens ? ", token-squeeze.csv" : "")
        + "; plots: scatter.png" + (dpo ? ", squeeze.png" : "") + (tokens ? ", token-squeeze.png" : "") + " in " + c.out);
    return 0;
  }

  /** One passage cut at random: its prompt with the four responses of {@link #KINDS}. */
  private static List<LmProbe> probes(LlamaForCausalLM lm, int[] ids, Rng rng, int promptLen, int responseLen, String prefix) {
    int at = rng.nextInt(ids.length - promptLen - responseLen);
    int[] prompt = java.util.Arrays.copyOfRange(ids, at, at + promptLen);
    int[] gold = java.util.Arrays.copyOfRange(ids, at + promptLen, at + promptLen + responseLen);
    int[] perm = rng.permutation(responseLen), shuffled = new int[responseLen], random = new int[responseLen];
    for (int t = 0; t < responseLen; t++) {
      shuffled[t] = gold[perm[t]];
      random[t] = ids[rng.nextInt(ids.length)];
    }
    int[][] responses = {gold, SequenceLogProb.greedy(lm, prompt, responseLen), shuffled, random};
    List<LmProbe> out = new ArrayList<>();
    for (int k = 0; k < KINDS.size(); k++) out.add(new LmProbe(prefix + KINDS.get(k), prompt, responses[k]));
    return out;
  }
}
