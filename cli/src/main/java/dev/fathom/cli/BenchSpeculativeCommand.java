package dev.fathom.cli;

import dev.fathom.kernel.Parallel;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.generate.Drafter;
import dev.fathom.llm.generate.Generator;
import dev.fathom.llm.generate.ModelDrafter;
import dev.fathom.llm.generate.SamplingParams;
import dev.fathom.llm.generate.SpeculationParams;
import dev.fathom.llm.generate.SpeculativeGenerator;
import dev.fathom.llm.generate.SpeculativeStats;
import dev.fathom.llm.generate.TokenListener;
import dev.fathom.llm.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom bench speculative}: decode speed of a target model alone against speculative
 * decoding with a draft model or prompt lookup, on prompts cut from the validation part of a
 * text, with the acceptance rate α, tokens per target call and its geometric-series prediction.
 */
@Command(name = "speculative", mixinStandardHelpOptions = true,
    description = "Speculative decoding vs the target alone: acceptance, tokens per target call, speedup.")
final class BenchSpeculativeCommand implements Callable<Integer> {
  @Option(names = "--target", required = true, description = "target model directory (with tokenizer.json)")
  Path target;

  @Option(names = "--draft", required = true, description = "draft model directory, or 'prompt-lookup'")
  String draft;

  @Option(names = "--text", defaultValue = "../shared/data/tinyshakespeare.txt",
      description = "prompts are cut from the last 10%% (validation part) of this text; default ${DEFAULT-VALUE}")
  Path text;

  @Option(names = "--prompts", defaultValue = "8", description = "number of prompts; default ${DEFAULT-VALUE}")
  int prompts;

  @Option(names = "--prompt-tokens", defaultValue = "64", description = "tokens per prompt; default ${DEFAULT-VALUE}")
  int promptTokens;

  @Option(names = "--tokens", defaultValue = "128", description = "new tokens per prompt; default ${DEFAULT-VALUE}")
  int tokens;

  @Option(names = "--gamma", split = ",", defaultValue = "4", description = "draft tokens per round, comma-separated; default ${DEFAULT-VALUE}")
  List<Integer> gammas;

  @Option(names = "--adaptive", description = "also run an adaptive gamma (starting at the first --gamma, at most 12)")
  boolean adaptive;

  @Option(names = "--temperature", split = ",", defaultValue = "0,0.8",
      description = "0 = greedy; comma-separated; default ${DEFAULT-VALUE}")
  List<Double> temperatures;

  @Option(names = "--copy", description = "copy-heavy prompts: a passage, then the passage again cut short (the continuation repeats it)")
  boolean copy;

  @Override
  public Integer call() throws Exception {
    if (prompts < 1 || promptTokens < 1 || tokens < 1) throw new CliException("--prompts, --prompt-tokens and --tokens: expected >= 1");
    LlamaForCausalLM t = HfCheckpoint.load(target);
    Tokenizer tok = LmText.tokenizerOf(target);
    Drafter d = LmText.drafter(draft);
    String draftName = d instanceof ModelDrafter md ? String.format("draft %,d parameters", md.model().config().parameterCount())
        : "prompt lookup";
    List<int[]> ps = prompts(tok, t.config().maxPositionEmbeddings());
    System.out.printf("target %,d parameters, %s; %d prompts of %d tokens (%s), %d new tokens each, %d threads%n", t.config().parameterCount(),
        draftName, ps.size(), ps.get(0).length, copy ? "copy task" : "validation text", tokens, Parallel.threads());
    System.out.println("| temperature | gamma | alpha | tokens/call | predicted | ms per round: draft + target | target tok/s | speculative tok/s | speedup |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    var plain = new Generator(t);
    var spec = new SpeculativeGenerator(t, d, null);
    List<SpeculationParams> specs = new ArrayList<>();
    for (int g : gammas) specs.add(speculation(g, false));
    if (adaptive) specs.add(speculation(gammas.get(0), true));
    for (double temp : temperatures) {
      SamplingParams params = temp == 0 ? SamplingParams.greedy(tokens) : SamplingParams.sample(temp, 1, tokens);
      run(plain, spec, ps.subList(0, 1), params, specs.get(0));  // JIT warm-up
      double plainSeconds = 0;
      long plainTokens = 0;
      for (int i = 0; i < ps.size(); i++) {
        long t0 = System.nanoTime();
        plainTokens += plain.generate(ps.get(i), params.withSeed(i), TokenListener.NONE).tokens().length;
        plainSeconds += (System.nanoTime() - t0) / 1e9;
      }
      for (SpeculationParams sp : specs) {
        SpeculativeStats s = run(plain, spec, ps, params, sp);
        String gamma = sp.adaptive() ? "adaptive " + sp.gamma() + ".." + sp.maxGamma() : Integer.toString(sp.gamma());
        // The series assumes γ proposals every round: not so with an adaptive γ or prompt lookup (often fewer).
        String predicted = sp.adaptive() || !(d instanceof ModelDrafter) ? "-"
            : String.format("%.2f", SpeculativeStats.expectedTokensPerCall(s.acceptanceRate(), sp.gamma()));
        double plainRate = plainTokens / plainSeconds;
        System.out.printf("| %s | %s | %.3f | %.2f | %s | %.2f + %.2f | %.0f | %.0f | %.2fx |%n", temp == 0 ? "0 (greedy)" : temp, gamma,
            s.acceptanceRate(), s.tokensPerTargetCall(), predicted, 1e3 * s.draftSeconds() / s.targetCalls(),
            1e3 * s.targetSeconds() / s.targetCalls(), plainRate, s.tokensPerSecond(), s.tokensPerSecond() / plainRate);
      }
    }
    return 0;
  }

  private static SpeculationParams speculation(int gamma, boolean adaptive) {
    try {
      return adaptive ? SpeculationParams.adaptive(gamma, Math.max(gamma, 12)) : SpeculationParams.fixed(gamma);
    } catch (IllegalArgumentException e) {
      throw new CliException("--gamma: " + e.getMessage());
    }
  }

  private static SpeculativeStats run(Generator plain, SpeculativeGenerator spec, List<int[]> ps, SamplingParams params,
      SpeculationParams sp) {
    SpeculativeStats total = null;
    for (int i = 0; i < ps.size(); i++) {
      SpeculativeStats s = spec.generate(ps.get(i), params.withSeed(i), sp, TokenListener.NONE).stats();
      total = total == null ? s : total.plus(s);
    }
    return total;
  }

  /** Prompts from evenly spaced offsets of the validation part; with --copy each is a passage, a newline, and its first half again. */
  private List<int[]> prompts(Tokenizer tok, int maxPositions) throws Exception {
    int[] val = LmText.validationIds(tok, text);
    int passage = copy ? promptTokens * 2 / 3 : promptTokens;
    int need = promptTokens + tokens;
    if (need > maxPositions) {
      throw new CliException("--prompt-tokens + --tokens: " + need + " exceed the target's context of " + maxPositions);
    }
    if (val.length < passage * 2) throw new CliException("--text: its validation part has " + val.length + " tokens, too few for the prompts");
    int[] newline = tok.encode("\n");
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < prompts; i++) {
      int at = (int) ((long) (val.length - passage) * i / prompts);
      int[] p = Arrays.copyOfRange(val, at, at + passage);
      if (copy) {
        int[] c = new int[promptTokens];
        System.arraycopy(p, 0, c, 0, passage);
        int k = Math.min(newline.length, promptTokens - passage);
        System.arraycopy(newline, 0, c, passage, k);
        System.arraycopy(p, 0, c, passage + k, promptTokens - passage - k);
        p = c;
      }
      out.add(p);
    }
    return out;
  }
}
