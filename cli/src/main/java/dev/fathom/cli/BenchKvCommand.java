package dev.fathom.cli;

import dev.fathom.kernel.Parallel;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.generate.Generator;
import dev.fathom.llm.generate.InferenceSession;
import dev.fathom.llm.generate.KvPolicy;
import dev.fathom.llm.generate.SamplingParams;
import dev.fathom.llm.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom bench kv}: what bounded KV caches cost in quality and buy in memory. Perplexity
 * on the validation text (a) in context-sized chunks, where full attention works, for every
 * policy, and (b) over one long stream past the model's context for the bounded ones; then a long
 * generation with the first bounded policy, heap and speed sampled along the way.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "Bounded KV caches (window, sinks + window, H2O) vs full attention: perplexity and memory over long streams.")
final class BenchKvCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "model directory (with tokenizer.json)")
  Path model;

  @Option(names = "--text", defaultValue = "../shared/data/tinyshakespeare.txt",
      description = "evaluated on its last 10%% (validation part); default ${DEFAULT-VALUE}")
  Path text;

  @Option(names = "--policy", description = "a bounded policy (window:N, sinks:S,window:N, h2o:N); repeatable; "
      + "default: window, sinks and h2o at half the model's context")
  List<String> policies;

  @Option(names = "--chunks", defaultValue = "16", description = "context-sized validation chunks for (a); default ${DEFAULT-VALUE}")
  int chunks;

  @Option(names = "--stream-tokens", defaultValue = "20000", description = "tokens of the long stream (b); default ${DEFAULT-VALUE}")
  int streamTokens;

  @Option(names = "--generate", defaultValue = "100000", description = "tokens generated with the first policy (0: skip); default ${DEFAULT-VALUE}")
  int generate;

  @Override
  public Integer call() throws Exception {
    LlamaForCausalLM m = HfCheckpoint.load(model);
    Tokenizer tok = LmText.tokenizerOf(model);
    LlamaConfig c = m.config();
    int ctx = c.maxPositionEmbeddings();
    List<KvPolicy> ps = new ArrayList<>();
    try {
      if (policies == null || policies.isEmpty()) {
        ps.add(KvPolicy.window(ctx / 2));
        ps.add(KvPolicy.sinks(4, ctx / 2 - 4));
        ps.add(KvPolicy.h2o(ctx / 2));
      } else {
        for (String p : policies) ps.add(KvPolicy.parse(p));
      }
    } catch (IllegalArgumentException e) {
      throw new CliException("--policy: " + e.getMessage());
    }
    int[] val = LmText.validationIds(tok, text);
    if (val.length < ctx + 1) throw new CliException("--text: its validation part has " + val.length + " tokens, fewer than the context " + ctx);
    System.out.printf("model %,d parameters, context %d, %d layers x %d kv heads x %d; %d threads%n", c.parameterCount(), ctx,
        c.numHiddenLayers(), c.numKeyValueHeads(), c.headDim(), Parallel.threads());

    System.out.printf("%n(a) perplexity in %d chunks of %d tokens (every next-token prediction inside the chunk)%n", chunks, ctx);
    System.out.println("| policy | cache entries | KV MiB per sequence | perplexity | vs full |");
    System.out.println("|---|---|---|---|---|");
    double full = chunked(m, val, ctx, KvPolicy.FULL);
    row(c, KvPolicy.FULL, ctx, full, full);
    for (KvPolicy p : ps) row(c, p, ctx, chunked(m, val, ctx, p), full);

    int n = Math.min(streamTokens, val.length);
    System.out.printf("%n(b) perplexity over one stream of %d tokens (%.1fx the context); full attention cannot run it (reference: (a))%n",
        n, n / (double) ctx);
    System.out.println("| policy | perplexity | vs full (a) | tokens/s |");
    System.out.println("|---|---|---|---|");
    for (KvPolicy p : ps) {
      long t0 = System.nanoTime();
      double ppl = stream(m, val, n, p);
      System.out.printf("| %s | %.3f | %.3f | %.0f |%n", p, ppl, ppl / full, n / ((System.nanoTime() - t0) / 1e9));
    }

    if (generate > 0) {
      KvPolicy p = ps.get(0);
      System.out.printf("%n(c) generating %,d tokens with %s (temperature 1, heap after a GC every %,d tokens)%n", generate, p, generate / 10);
      System.out.println("| tokens | heap used MiB | tokens/s since the last row |");
      System.out.println("|---|---|---|");
      int every = Math.max(1, generate / 10);
      long[] last = {System.nanoTime()};
      int[] count = {0};
      new Generator(m, null, p).generate(new int[] {val[0]}, SamplingParams.sample(1.0, 1, generate), (s, t) -> {
        if (++count[0] % every != 0) return;
        long now = System.nanoTime();
        Runtime r = Runtime.getRuntime();
        System.gc();
        System.out.printf("| %,d | %.1f | %.0f |%n", count[0], (r.totalMemory() - r.freeMemory()) / 1048576.0, every / ((now - last[0]) / 1e9));
        last[0] = System.nanoTime();
      });
    }
    return 0;
  }

  private static void row(LlamaConfig c, KvPolicy p, int ctx, double ppl, double full) {
    int entries = p.capacity(ctx);
    double mib = 2.0 * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * entries * 4 / 1048576.0;
    System.out.printf("| %s | %d | %.2f | %.3f | %.3f |%n", p, entries, mib, ppl, ppl / full);
  }

  /** Perplexity over `chunks` evenly spaced chunks of ctx tokens, each fed token by token into a fresh cache. */
  private double chunked(LlamaForCausalLM m, int[] val, int ctx, KvPolicy p) {
    var s = new InferenceSession(m, 1, ctx, 1, p);
    int v = m.config().vocabSize();
    float[] logits = new float[v];
    double nll = 0;
    long count = 0;
    for (int i = 0; i < chunks; i++) {
      int at = (int) ((long) (val.length - ctx - 1) * i / Math.max(1, chunks - 1));
      s.reset(0);
      for (int t = 0; t < ctx; t++) {
        s.decode(new int[] {0}, new int[] {val[at + t]}, 1, logits);
        if (t + 1 < ctx) {
          nll += nll(logits, v, val[at + t + 1]);
          count++;
        }
      }
    }
    return Math.exp(nll / count);
  }

  /** Perplexity of one continuous stream of n tokens through a bounded cache. */
  private static double stream(LlamaForCausalLM m, int[] val, int n, KvPolicy p) {
    var s = new InferenceSession(m, 1, n, 1, p);
    int v = m.config().vocabSize();
    float[] logits = new float[v];
    double nll = 0;
    for (int t = 0; t + 1 < n; t++) {
      s.decode(new int[] {0}, new int[] {val[t]}, 1, logits);
      nll += nll(logits, v, val[t + 1]);
    }
    return Math.exp(nll / (n - 1));
  }

  /** −log softmax(logits)[target], in double. */
  private static double nll(float[] logits, int v, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) max = Math.max(max, logits[i]);
    double sum = 0;
    for (int i = 0; i < v; i++) sum += Math.exp(logits[i] - max);
    return Math.log(sum) + max - logits[target];
  }
}
