package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding: greedy output identical to the target's own greedy output, sampled output
 * distributed as the target's sampling (histograms against the exact conditionals), caches rolled
 * back, stops inside a round, prompt lookup, bad input.
 */
class SpeculativeGeneratorTest {

  /** A small random model whose logits are scaled by {@code sharpness} (random init is near uniform). */
  static LlamaForCausalLM model(int vocab, long seed, float sharpness) {
    var m = new LlamaForCausalLM(LlamaConfig.llama(vocab, 32, 64, 2, 4, 2, 64, false), new Rng(seed));
    float[] head = m.headWeight().data();
    for (int i = 0; i < head.length; i++) head[i] *= sharpness;
    return m;
  }

  private static List<int[]> prompts(int count, int vocab, long seed) {
    var r = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) out.add(r.ints(1 + r.nextInt(12), 0, vocab).toArray());
    return out;
  }

  @Test
  void greedySpeculativeOutputIsTheTargetsGreedyOutputTokenForToken() throws Exception {
    LlamaForCausalLM target = Golden.model("llama_gqa_rope3");
    int v = target.config().vocabSize();
    var plain = new Generator(target);
    // A different model (rejections everywhere), the target itself (all accepted: the bonus
    // token path), and prompt lookup (deterministic, often nothing to propose).
    List<Drafter> drafters = List.of(new ModelDrafter(model(v, 3, 1f)), new ModelDrafter(target), new PromptLookupDrafter());
    List<SpeculationParams> specs = List.of(SpeculationParams.fixed(1), SpeculationParams.fixed(4), SpeculationParams.adaptive(2, 8));
    long rounds = 0, accepted = 0, rejected = 0;
    for (int[] prompt : prompts(12, v, 1)) {
      var params = SamplingParams.greedy(23);
      int[] want = plain.generate(prompt, params, TokenListener.NONE).tokens();
      for (Drafter d : drafters) {
        for (SpeculationParams spec : specs) {
          List<Integer> streamed = new ArrayList<>();
          var r = new SpeculativeGenerator(target, d, null).generate(prompt, params, spec, (s, t) -> streamed.add(t));
          assertThat(r.generation().tokens()).as("%s %s", d.getClass().getSimpleName(), spec).containsExactly(want);
          assertThat(r.generation().reason()).isEqualTo(StopReason.MAX_NEW_TOKENS);
          assertThat(streamed).containsExactly(java.util.Arrays.stream(want).boxed().toArray(Integer[]::new));
          assertThat(r.stats().generated()).isGreaterThanOrEqualTo(want.length);
          rounds += r.stats().targetCalls();
          accepted += r.stats().accepted();
          rejected += r.stats().examined() - r.stats().accepted();
        }
      }
    }
    assertThat(accepted).as("some proposals kept").isPositive();
    assertThat(rejected).as("some proposals rejected (the caches rolled back)").isPositive();
    assertThat(rounds).isPositive();
  }

  @Test
  void theTargetAsItsOwnDraftAcceptsEveryProposal() {
    LlamaForCausalLM target = model(16, 5, 8f);
    var spec = SpeculationParams.fixed(4);
    var r = new SpeculativeGenerator(target, new ModelDrafter(target), null).generate(new int[] {1, 2, 3}, SamplingParams.sample(1.0, 9, 50),
        spec, TokenListener.NONE);
    // p = q exactly (same model, same filters): min(1, p/q) = 1 for every proposal.
    assertThat(r.stats().accepted()).isEqualTo(r.stats().examined()).isEqualTo(r.stats().proposed());
    assertThat(r.stats().tokensPerTargetCall()).isGreaterThan(4.5);
  }

  @Test
  void stopsInsideARoundCutTheOutputWhereThePlainGeneratorStops() throws Exception {
    LlamaForCausalLM target = Golden.model("mistral_window");
    int v = target.config().vocabSize();
    int[] prompt = {12, 40, 7, 7, 91};
    int[] free = new Generator(target).generate(prompt, SamplingParams.greedy(30), TokenListener.NONE).tokens();
    var params = SamplingParams.greedy(30).withStopTokenIds(List.of(free[17]));
    Generation want = new Generator(target).generate(prompt, params, TokenListener.NONE);
    var got = new SpeculativeGenerator(target, new ModelDrafter(target), null).generate(prompt, params, SpeculationParams.fixed(6),
        TokenListener.NONE).generation();
    assertThat(got.tokens()).containsExactly(want.tokens());
    assertThat(got.reason()).isEqualTo(StopReason.STOP_TOKEN);
    // The context limit: a prompt 3 short of max_position_embeddings gets 3 tokens.
    int maxPos = target.config().maxPositionEmbeddings();
    int[] longPrompt = new SplittableRandom(2).ints(maxPos - 3, 0, v).toArray();
    var limited = new SpeculativeGenerator(target, new ModelDrafter(target), null).generate(longPrompt, SamplingParams.greedy(30),
        SpeculationParams.fixed(8), TokenListener.NONE).generation();
    assertThat(limited.tokens()).containsExactly(new Generator(target).generate(longPrompt, SamplingParams.greedy(30), TokenListener.NONE).tokens());
    assertThat(limited.reason()).isEqualTo(StopReason.CONTEXT_LIMIT);
  }

  /**
   * The sampled output has the target's distribution: histograms of the first and the second
   * generated token over 50k seeds against the exact target conditionals (the second token's
   * marginal sums over the first), for plain temperature sampling and for a filtered one. The
   * same test run on the draft model's own samples fails by a wide margin.
   */
  @Test
  void sampledOutputFollowsTheTargetDistributionAndTheDraftsDoesNot() {
    int v = 10, n = 50_000;
    LlamaForCausalLM target = model(v, 11, 6f), draft = model(v, 12, 6f);
    int[] prompt = {3, 1, 4, 1, 5};
    for (SamplingParams base : List.of(SamplingParams.sample(1.0, 0, 2), SamplingParams.sample(0.8, 0, 2).withTopK(6).withTopP(0.95))) {
      double[][] exact = exactMarginals(target, prompt, base);
      double[][] draftExact = exactMarginals(draft, prompt, base);
      var spec = new SpeculativeGenerator(target, new ModelDrafter(draft), null);
      var plainDraft = new Generator(draft);
      double[][] specHist = new double[2][v], draftHist = new double[2][v];
      for (int s = 0; s < n; s++) {
        int[] a = spec.generate(prompt, base.withSeed(s), SpeculationParams.fixed(2), TokenListener.NONE).generation().tokens();
        int[] b = plainDraft.generate(prompt, base.withSeed(s), TokenListener.NONE).tokens();
        for (int i = 0; i < 2; i++) {
          specHist[i][a[i]] += 1.0 / n;
          draftHist[i][b[i]] += 1.0 / n;
        }
      }
      // Sampling noise: E[TV] ~ 0.5 · Σ sqrt(2 p (1 − p) / (π n)), below 0.005 here.
      double noise = 0;
      for (int i = 0; i < 2; i++) for (double p : exact[i]) noise = Math.max(noise, 0.5 * v * Math.sqrt(2 * p * (1 - p) / (Math.PI * n)));
      for (int i = 0; i < 2; i++) {
        assertThat(tv(specHist[i], exact[i])).as("speculative, token %d, %s", i, base).isLessThan(3 * noise);
        assertThat(tv(draftHist[i], draftExact[i])).as("draft alone vs its own exact, token %d", i).isLessThan(3 * noise);
        assertThat(tv(draftHist[i], exact[i])).as("draft alone vs the target, token %d", i).isGreaterThan(10 * noise);
      }
    }
  }

  /** [0]: the target's distribution of the first new token; [1]: of the second, summed over the first. */
  private static double[][] exactMarginals(LlamaForCausalLM m, int[] prompt, SamplingParams params) {
    int v = m.config().vocabSize();
    var s = new InferenceSession(m, 1, prompt.length + 2);
    float[] logits = new float[v];
    s.prefill(0, prompt, logits, 0);
    double[] first = new double[v], second = new double[v], cond = new double[v];
    new Sampler(params, v, prompt).distribution(logits, 0, first);
    for (int x = 0; x < v; x++) {
      if (first[x] == 0) continue;
      s.truncate(0, prompt.length);
      s.score(0, new int[] {x}, 1, logits);
      var sampler = new Sampler(params, v, prompt);
      sampler.add(x);
      sampler.distribution(logits, 0, cond);
      for (int y = 0; y < v; y++) second[y] += first[x] * cond[y];
    }
    return new double[][] {first, second};
  }

  private static double tv(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
    return s / 2;
  }

  @Test
  void expectedTokensPerCallFollowsTheGeometricSeries() {
    assertThat(SpeculativeStats.expectedTokensPerCall(0, 4)).isEqualTo(1.0);
    assertThat(SpeculativeStats.expectedTokensPerCall(1, 4)).isEqualTo(5.0);
    assertThat(SpeculativeStats.expectedTokensPerCall(0.5, 3)).isEqualTo(1 + 0.5 + 0.25 + 0.125);
  }

  @Test
  void adaptiveGammaGrowsOnFullAcceptanceAndShrinksOnRejection() {
    var spec = SpeculationParams.adaptive(4, 9);
    assertThat(spec.next(4, 4, 4)).isEqualTo(6);
    assertThat(spec.next(8, 8, 8)).isEqualTo(9);
    assertThat(spec.next(4, 4, 2)).isEqualTo(3);
    assertThat(spec.next(1, 1, 0)).isEqualTo(1);
    assertThat(spec.next(4, 2, 2)).as("a short proposal says nothing about γ").isEqualTo(4);
    assertThat(SpeculationParams.fixed(3).next(3, 3, 3)).isEqualTo(3);
  }

  @Test
  void promptLookupProposesWhatFollowedTheLatestEarlierMatchOfTheLongestSuffix() {
    var d = new PromptLookupDrafter(3, 1);
    int v = 10;
    double[][] q = new double[5][v];
    int[] tokens = new int[5];
    //                 0  1  2  3  4  5  6  7  8  9 10
    int[] context = {7, 1, 2, 3, 9, 1, 2, 3, 4, 5, 1, 2, 3};
    // suffix [1 2 3] last occurred at 5..7, followed by 4 5 1 2 3
    assertThat(d.propose(context, context.length, 4, tokens, q)).isEqualTo(4);
    assertThat(tokens).startsWith(4, 5, 1, 2);
    assertThat(q[0][4]).isEqualTo(1.0);
    assertThat(java.util.Arrays.stream(q[0]).sum()).isEqualTo(1.0);
    // no earlier 8: nothing proposed
    assertThat(d.propose(new int[] {1, 2, 8}, 3, 4, tokens, q)).isZero();
    // the proposal stops at the end of the context
    assertThat(d.propose(new int[] {5, 6, 5}, 3, 4, tokens, q)).isEqualTo(2);
    assertThat(tokens).startsWith(6, 5);
    assertThatThrownBy(() -> new PromptLookupDrafter(1, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min_ngram");
  }

  @Test
  void promptLookupProposesFromARepeatedPromptWithoutAModelAndKeepsTheGreedyOutput() {
    // A random target does not copy, so most proposals are rejected; the output must still be
    // its greedy output (the acceptance bench shows the copying case on a trained model).
    LlamaForCausalLM target = model(16, 21, 1f);
    int[] phrase = {3, 9, 4, 11, 7, 2, 14, 5};
    int[] prompt = new int[40];
    for (int i = 0; i < prompt.length; i++) prompt[i] = phrase[i % phrase.length];
    var params = SamplingParams.greedy(24);
    int[] want = new Generator(target).generate(prompt, params, TokenListener.NONE).tokens();
    var r = new SpeculativeGenerator(target, new PromptLookupDrafter(), null).generate(prompt, params, SpeculationParams.fixed(6),
        TokenListener.NONE);
    assertThat(r.generation().tokens()).containsExactly(want);
    assertThat(r.stats().draftCalls()).isZero();
    assertThat(r.stats().proposed()).isPositive();
  }

  @Test
  void badInputGivesClearErrors() throws Exception {
    LlamaForCausalLM target = Golden.model("llama_gqa_rope3");
    assertThatThrownBy(() -> new SpeculativeGenerator(target, new ModelDrafter(model(50, 1, 1f)), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary").hasMessageContaining("50").hasMessageContaining("97");
    // Vocabularies above 127 ids are compared by value (the config holds boxed integers).
    assertThat(new SpeculativeGenerator(model(300, 1, 1f), new ModelDrafter(model(300, 2, 1f)), null)).isNotNull();
    var gen = new SpeculativeGenerator(target, new PromptLookupDrafter(), null);
    assertThatThrownBy(() -> gen.generate(new int[0], SamplingParams.greedy(3), SpeculationParams.fixed(2), TokenListener.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt");
    assertThatThrownBy(() -> gen.generate(new int[] {97}, SamplingParams.greedy(3), SpeculationParams.fixed(2), TokenListener.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("97");
    assertThatThrownBy(() -> SpeculationParams.fixed(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gamma");
    assertThatThrownBy(() -> new SpeculationParams(4, true, 40)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_gamma");
  }
}
