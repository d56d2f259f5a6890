package dev.fathom.cli;

import dev.fathom.llm.GenerationConfig;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.generate.Generation;
import dev.fathom.llm.generate.Generator;
import dev.fathom.llm.generate.KvPolicy;
import dev.fathom.llm.generate.SamplingParams;
import dev.fathom.llm.generate.SpeculationParams;
import dev.fathom.llm.generate.SpeculativeGenerator;
import dev.fathom.llm.generate.SpeculativeStats;
import dev.fathom.llm.generate.TokenListener;
import dev.fathom.llm.lora.Lora;
import dev.fathom.llm.lora.LoraAdapters;
import dev.fathom.llm.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom lm generate}: continue prompts with a KV cache, streaming the text of a single prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate text from a model: greedy or sampled (temperature, top-k, top-p, min-p, repetition penalty), "
        + "optionally with speculative decoding (--draft).")
final class LmGenerateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "model directory (Hugging Face layout with tokenizer.json)")
  Path model;

  @Option(names = "--prompt", required = true, description = "prompt text; repeat for a batch of prompts")
  List<String> prompts;

  @Option(names = "--tokens", defaultValue = "200", description = "new tokens at most; default ${DEFAULT-VALUE}")
  int tokens;

  @Option(names = "--greedy", description = "argmax decoding")
  boolean greedy;

  @Option(names = "--temperature", description = "sampling temperature > 0 (default: generation_config.json, else 1)")
  Double temperature;

  @Option(names = "--top-k", description = "keep the k most likely tokens (0: off)")
  Integer topK;

  @Option(names = "--top-p", description = "nucleus sampling: keep the most likely tokens up to probability p (1: off)")
  Double topP;

  @Option(names = "--min-p", description = "keep tokens at least p times as likely as the best (0: off)")
  Double minP;

  @Option(names = "--repetition-penalty", description = "divide positive / multiply negative logits of seen tokens (1: off)")
  Double repetitionPenalty;

  @Option(names = "--seed", defaultValue = "0", description = "sampling seed; default ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--stop", description = "stop when the output contains this text; repeatable")
  List<String> stops;

  @Option(names = "--adapter", description = "LoRA adapter directory to merge into the model first")
  Path adapter;

  @Option(names = "--kv-policy", defaultValue = "full", description = "what the KV cache keeps: full, window:N, sinks:S,window:N "
      + "(StreamingLLM) or h2o:N (heavy hitters); bounded policies keep memory flat and may run past the model's context; "
      + "default ${DEFAULT-VALUE}")
  String kvPolicy;

  @Option(names = "--draft", description = "speculative decoding: a draft model directory (same tokenizer, smaller model), "
      + "or 'prompt-lookup' (proposals copied from the context, no model)")
  String draft;

  @Option(names = "--gamma", defaultValue = "4", description = "draft tokens per target call (with --draft); default ${DEFAULT-VALUE}")
  int gamma;

  @Option(names = "--adaptive-gamma", description = "with --draft: grow gamma by 2 after a fully accepted round, shrink by 1 after a "
      + "rejection (up to --max-gamma)")
  boolean adaptiveGamma;

  @Option(names = "--max-gamma", defaultValue = "12", description = "upper bound of an adaptive gamma; default ${DEFAULT-VALUE}")
  int maxGamma;

  @Override
  public Integer call() throws Exception {
    LlamaForCausalLM m = HfCheckpoint.load(model);
    Tokenizer tok = LmText.tokenizerOf(model);
    if (adapter != null) {
      LoraAdapters.load(adapter, m);
      Lora.mergeAndUnload(m);
    }
    SamplingParams p = params(HfCheckpoint.readGenerationConfig(model), m);
    KvPolicy policy;
    try {
      policy = KvPolicy.parse(kvPolicy);
    } catch (IllegalArgumentException e) {
      throw new CliException("--kv-policy: " + e.getMessage());
    }
    if (policy.bounded() && draft != null) throw new CliException("--draft: speculative decoding needs --kv-policy full, got " + policy);
    List<int[]> ids = new ArrayList<>();
    for (String s : prompts) {
      int[] e = tok.encode(s);
      if (e.length == 0) throw new CliException("--prompt: expected a non-empty prompt");
      int context = m.config().maxPositionEmbeddings();
      if (e.length >= context && !policy.bounded()) {
        throw new CliException("--prompt: " + e.length + " tokens leave no room in the model's context of " + context
            + " (max_position_embeddings); shorten the prompt or use a bounded --kv-policy");
      }
      ids.add(e);
    }
    PrintStream out = System.out;
    boolean stream = ids.size() == 1;
    if (stream) {
      out.print(prompts.get(0));
      out.flush();
    }
    TokenListener listener = (seq, token) -> {
      if (stream) {
        byte[] b = tok.decodeBytes(new int[] {token});
        out.write(b, 0, b.length);
        out.flush();
      }
    };
    long t0 = System.nanoTime();
    SpeculativeStats spec = null;
    List<Generation> gens;
    if (draft == null) {
      try {
        gens = new Generator(m, tok::decode, policy).generate(ids, p, listener);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
    } else {
      var generator = new SpeculativeGenerator(m, LmText.drafter(draft), tok::decode);
      SpeculationParams sp = speculation();
      gens = new ArrayList<>();
      for (int[] prompt : ids) {
        var r = generator.generate(prompt, p, sp, listener);
        gens.add(r.generation());
        spec = spec == null ? r.stats() : spec.plus(r.stats());
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long total = 0;
    for (int i = 0; i < gens.size(); i++) {
      total += gens.get(i).tokens().length;
      if (stream) {
        out.println();
      } else {
        out.printf("[%d] %s%s%n", i, prompts.get(i), tok.decode(gens.get(i).tokens()));
      }
    }
    System.err.printf("fathom: %d new tokens in %.2f s (%.1f tokens/s, prefill included), stopped by %s%n", total, secs,
        total / Math.max(1e-9, secs), gens.get(0).reason());
    if (spec != null) {
      System.err.printf("fathom: speculative: %d target calls, %.2f tokens per call, acceptance %.3f (%d of %d examined, %d proposed), "
          + "%d draft-model calls%n", spec.targetCalls(), spec.tokensPerTargetCall(), spec.acceptanceRate(), spec.accepted(), spec.examined(),
          spec.proposed(), spec.draftCalls());
    }
    return 0;
  }

  private SpeculationParams speculation() {
    try {
      return adaptiveGamma ? SpeculationParams.adaptive(gamma, maxGamma) : SpeculationParams.fixed(gamma);
    } catch (IllegalArgumentException e) {
      throw new CliException("--gamma/--max-gamma: " + e.getMessage());
    }
  }

  private SamplingParams params(GenerationConfig g, LlamaForCausalLM m) {
    SamplingParams p;
    try {
      p = greedy ? SamplingParams.greedy(tokens) : SamplingParams.sample(1.0, seed, tokens);
      if (!greedy && g != null) {
        if (g.temperature() != null && g.temperature() > 0) p = SamplingParams.sample(g.temperature(), seed, tokens);
        if (g.topK() != null) p = p.withTopK(g.topK());
        if (g.topP() != null) p = p.withTopP(g.topP());
        if (g.minP() != null) p = p.withMinP(g.minP());
      }
      if (g != null && g.repetitionPenalty() != null) p = p.withRepetitionPenalty(g.repetitionPenalty());
      if (temperature != null) {
        if (greedy) throw new CliException("--temperature and --greedy exclude each other");
        p = new SamplingParams(false, temperature, p.topK(), p.topP(), p.minP(), p.repetitionPenalty(), seed, tokens, p.stopTokenIds(),
            p.stopStrings());
      }
      if (topK != null) p = p.withTopK(topK);
      if (topP != null) p = p.withTopP(topP);
      if (minP != null) p = p.withMinP(minP);
      if (repetitionPenalty != null) p = p.withRepetitionPenalty(repetitionPenalty);
      List<Integer> eos = m.config().eosTokenId() != null ? m.config().eosTokenId() : g != null ? g.eosTokenId() : null;
      if (eos != null) p = p.withStopTokenIds(eos);
      if (stops != null) p = p.withStopStrings(stops);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    return p;
  }
}
