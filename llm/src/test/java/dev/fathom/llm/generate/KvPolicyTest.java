package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Bounded KV caches. With one layer, a token's key and value depend only on the token and its
 * position, so StreamingLLM's output at a step equals the plain forward over the kept tokens
 * (sinks, then the window) at positions 0..S+N−1: an independent reference.
 */
class KvPolicyTest {
  private static final double TOL = 2e-5;

  private static LlamaForCausalLM oneLayer(int maxPositions) {
    return new LlamaForCausalLM(LlamaConfig.llama(50, 32, 64, 1, 4, 2, maxPositions, false), new Rng(7));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sinks:2,window:6", "window:6", "sinks:1,window:3"})
  void eachStepEqualsTheForwardOverTheKeptTokensEvenPastTheModelsContext(String spec) {
    KvPolicy policy = KvPolicy.parse(spec);
    LlamaForCausalLM m = oneLayer(32);
    int v = 50, steps = 100;  // past max_position_embeddings = 32
    int[] seq = new SplittableRandom(3).ints(steps, 0, v).toArray();
    var s = new InferenceSession(m, 1, 1000, 1, policy);
    assertThat(s.cacheEntries()).isEqualTo(policy.sinks() + policy.size());
    float[] logits = new float[v];
    for (int p = 0; p < steps; p++) {
      s.decode(new int[] {0}, new int[] {seq[p]}, 1, logits);
      int[] kept = kept(seq, p, policy.sinks(), policy.size());
      assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, kept))).as("%s step %d", spec, p).isLessThanOrEqualTo(TOL);
    }
  }

  /** Tokens a sinks+window cache holds after position p: all while they fit, else the sinks and the last n. */
  private static int[] kept(int[] seq, int p, int sinks, int n) {
    if (p + 1 <= sinks + n) return Arrays.copyOf(seq, p + 1);
    int[] k = new int[sinks + n];
    System.arraycopy(seq, 0, k, 0, sinks);
    System.arraycopy(seq, p - n + 1, k, sinks, n);
    return k;
  }

  @ParameterizedTest
  @ValueSource(strings = {"window:40", "sinks:4,window:36", "h2o:40"})
  void aBoundedCacheThatHoldsTheWholeSequenceIsTheFullCache(String spec) throws Exception {
    LlamaForCausalLM m = Golden.model("llama_gqa_rope3");
    int v = m.config().vocabSize();
    int[] seq = new SplittableRandom(5).ints(30, 0, v).toArray();
    var full = new InferenceSession(m, 1, 40);
    var bounded = new InferenceSession(m, 1, 40, 1, KvPolicy.parse(spec));
    float[] a = new float[v], b = new float[v];
    full.prefill(0, Arrays.copyOf(seq, 10), a, 0);
    bounded.prefill(0, Arrays.copyOf(seq, 10), b, 0);
    assertThat(Golden.relativeError(b, 0, a)).isLessThanOrEqualTo(1e-5);
    for (int p = 10; p < seq.length; p++) {
      full.decode(new int[] {0}, new int[] {seq[p]}, 1, a);
      bounded.decode(new int[] {0}, new int[] {seq[p]}, 1, b);
      assertThat(Golden.relativeError(b, 0, a)).as("%s step %d", spec, p).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void h2oKeepsTheRecentHalfAndEvictsTheLeastAttendedOlderEntry() {
    var c = new KvCache(1, 1, 1, 6, 2, KvPolicy.h2o(6));  // 3 recent, 3 heavy hitters
    for (int p = 0; p < 6; p++) assertThat(c.entryFor(0, 0, 0, p)).isEqualTo(p);
    float[] got = c.received[0];
    System.arraycopy(new float[] {5f, 0.5f, 3f, 0.1f, 0.2f, 9f}, 0, got, 0, 6);
    // Position 6: recent = {4, 5, 6}; candidates 0..3, the least attended is position 3 (0.1).
    assertThat(c.entryFor(0, 0, 0, 6)).isEqualTo(3);
    assertThat(c.position[0]).containsExactly(0, 1, 2, 6, 4, 5);
    assertThat(got[3]).isZero();
    // Position 7: recent = {5, 6, 7}; candidates 0, 1, 2, 4 (position 4 left the recent half): 4 has 0.2, 1 has 0.5.
    assertThat(c.entryFor(0, 0, 0, 7)).isEqualTo(4);
    // Ties go to the oldest position.
    Arrays.fill(got, 1f);
    assertThat(c.entryFor(0, 0, 0, 8)).isEqualTo(0);
    assertThat(c.filled[0][0]).isEqualTo(6);
  }

  @Test
  void pastTheContextH2oEqualsTheForwardOverItsKeptTokensInOrder() {
    // One layer, one kv head: a single kept set. Past max_position_embeddings (16) the kept
    // entries sit at consecutive positions ending at the query, so the step equals the plain
    // forward over the kept tokens in their original order.
    var m = new LlamaForCausalLM(LlamaConfig.llama(50, 32, 64, 1, 2, 1, 16, false), new Rng(8));
    var s = new InferenceSession(m, 1, 1000, 1, KvPolicy.h2o(8));
    int[] seq = new SplittableRandom(4).ints(80, 0, 50).toArray();
    float[] logits = new float[50];
    int checked = 0;
    for (int p = 0; p < seq.length; p++) {
      s.decode(new int[] {0}, new int[] {seq[p]}, 1, logits);
      if (p < 16) continue;
      int[] at = s.cache().position[0].clone();
      Arrays.sort(at);
      int[] kept = Arrays.stream(at).map(i -> seq[i]).toArray();
      assertThat(Golden.relativeError(logits, 0, Golden.forwardLast(m, kept))).as("step %d, kept %s", p, Arrays.toString(at))
          .isLessThanOrEqualTo(TOL);
      checked++;
    }
    assertThat(checked).isEqualTo(64);
  }

  @Test
  void h2oGenerationStaysWithinItsBudgetAndReweighsAsItGoes() {
    LlamaForCausalLM m = oneLayer(64);
    var s = new InferenceSession(m, 1, 500, 1, KvPolicy.h2o(8));
    float[] logits = new float[50];
    int[] seq = new SplittableRandom(9).ints(60, 0, 50).toArray();
    for (int p = 0; p < seq.length; p++) {
      s.decode(new int[] {0}, new int[] {seq[p]}, 1, logits);
      for (int g = 0; g < 2; g++) {
        int[] at = Arrays.copyOfRange(s.cache().position[0], g * 8, g * 8 + Math.min(8, p + 1));
        for (int r = Math.max(0, p - 3); r <= p; r++) assertThat(at).as("step %d head %d keeps recent %d", p, g, r).contains(r);
      }
    }
    assertThat(logits).doesNotContain(Float.NaN);
    assertThat(s.cacheEntries()).isEqualTo(8);
  }

  @Test
  void generationRunsFarPastTheContextWithFlatMemory() {
    LlamaForCausalLM m = oneLayer(32);
    var g = new Generator(m, null, KvPolicy.sinks(2, 14)).generate(new int[] {1, 2, 3}, SamplingParams.sample(1.0, 4, 2000), TokenListener.NONE);
    assertThat(g.tokens()).hasSize(2000);
    assertThat(g.reason()).isEqualTo(StopReason.MAX_NEW_TOKENS);
    // The full cache stops at the context.
    var f = new Generator(m).generate(new int[] {1, 2, 3}, SamplingParams.sample(1.0, 4, 2000), TokenListener.NONE);
    assertThat(f.tokens()).hasSize(29);
    assertThat(f.reason()).isEqualTo(StopReason.CONTEXT_LIMIT);
  }

  @Test
  void parseAcceptsTheFourFormsAndRejectsAnythingElse() {
    assertThat(KvPolicy.parse("full")).isEqualTo(KvPolicy.FULL);
    assertThat(KvPolicy.parse("window:128")).isEqualTo(KvPolicy.window(128));
    assertThat(KvPolicy.parse("sinks:4,window:1024")).isEqualTo(KvPolicy.sinks(4, 1024));
    assertThat(KvPolicy.parse("h2o:256")).isEqualTo(KvPolicy.h2o(256));
    for (String p : new String[] {"full", "window:128", "sinks:4,window:1024", "h2o:256"}) assertThat(KvPolicy.parse(p)).hasToString(p);
    assertThat(KvPolicy.sinks(4, 1024).capacity(100_000)).isEqualTo(1028);
    for (String bad : new String[] {"", "window", "window:0", "window:-3", "sinks:4", "sinks:0,window:8", "h2o:1", "ring:4", "window:x"}) {
      assertThatThrownBy(() -> KvPolicy.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kv policy");
    }
  }

  @Test
  void badCombinationsGiveClearErrors() throws Exception {
    assertThatThrownBy(() -> new InferenceSession(Golden.model("mistral_window"), 1, 100, 1, KvPolicy.window(8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sliding_window");
    assertThatThrownBy(() -> new InferenceSession(oneLayer(32), 1, 100, 1, KvPolicy.sinks(4, 30)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("34 positions").hasMessageContaining("32");
    var s = new InferenceSession(oneLayer(32), 1, 100, 1, KvPolicy.window(4));
    float[] logits = new float[50];
    s.prefill(0, new int[] {1, 2, 3}, logits, 0);
    s.truncate(0, 2);  // nothing dropped yet: allowed
    s.prefill(0, new int[] {4, 5, 6, 7}, logits, 0);
    assertThatThrownBy(() -> s.truncate(0, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("emptied");
    s.reset(0);
    assertThat(s.length(0)).isZero();
  }
}
