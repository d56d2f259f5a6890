package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.llm.GenerationConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each logit filter on small hand-computed rows (Hugging Face's definitions), the draw, and the params' validation. */
class SamplingTest {
  private static final float NEG = Float.NEGATIVE_INFINITY;

  private static float[] logs(double... probs) {
    float[] l = new float[probs.length];
    for (int i = 0; i < l.length; i++) l[i] = (float) Math.log(probs[i]);
    return l;
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfPresentTokens() {
    float[] l = {2f, -1f, 0.5f, -3f, 0f};
    LogitsFilters.repetitionPenalty(l, 5, new int[] {1, 2, 0, 0, 1}, 2f);
    assertThat(l).containsExactly(1f, -2f, 0.5f, -3f, 0f);
  }

  @Test
  void temperatureDividesEveryLogit() {
    float[] l = {2f, -1f, 0f};
    LogitsFilters.temperature(l, 3, 0.5f);
    assertThat(l).containsExactly(4f, -2f, 0f);
  }

  @Test
  void topKKeepsTheKLargestWithTiesAtTheKth() {
    long[] order = new long[5];
    float[] l = {1f, 3f, 2f, 3f, 0f};
    LogitsFilters.topK(l, 5, 3, order);
    assertThat(l).containsExactly(NEG, 3f, 2f, 3f, NEG);
    float[] tie = {1f, 3f, 2f, 3f, 0f};
    LogitsFilters.topK(tie, 5, 1, order);
    assertThat(tie).containsExactly(NEG, 3f, NEG, 3f, NEG);
    float[] all = {1f, 2f};
    LogitsFilters.topK(all, 2, 5, order);
    assertThat(all).containsExactly(1f, 2f);
  }

  @Test
  void topPKeepsTheSmallestMostProbableSetReachingP() {
    long[] order = new long[4];
    double[] probs = new double[4];
    float[] l = logs(0.2, 0.5, 0.3);
    LogitsFilters.topP(l, 3, 0.55, order, probs);  // 0.5 < 0.55, 0.5 + 0.3 ≥ 0.55
    assertThat(l[0]).isEqualTo(NEG);
    assertThat(l[1]).isFinite();
    assertThat(l[2]).isFinite();
    float[] one = logs(0.2, 0.5, 0.3);
    LogitsFilters.topP(one, 3, 0.45, order, probs);  // the top token alone reaches 0.45
    assertThat(one[0]).isEqualTo(NEG);
    assertThat(one[1]).isFinite();
    assertThat(one[2]).isEqualTo(NEG);
    float[] tiny = logs(0.1, 0.6, 0.3);
    LogitsFilters.topP(tiny, 3, 1e-9, order, probs);  // at least one token
    assertThat(tiny[1]).isFinite();
    assertThat(tiny[0]).isEqualTo(NEG);
  }

  @Test
  void minPKeepsTokensAtLeastMinPTimesTheTopProbability() {
    double[] probs = new double[4];
    float[] l = logs(0.5, 0.3, 0.15, 0.05);
    LogitsFilters.minP(l, 4, 0.2, probs);  // threshold 0.1
    assertThat(l[3]).isEqualTo(NEG);
    assertThat(l[2]).isFinite();
    float[] strict = logs(0.5, 0.3, 0.15, 0.05);
    LogitsFilters.minP(strict, 4, 0.7, probs);  // threshold 0.35
    assertThat(strict).containsExactly(strict[0], NEG, NEG, NEG);
    assertThat(strict[0]).isFinite();
  }

  @Test
  void softmaxArgmaxAndPick() {
    double[] p = new double[3];
    LogitsFilters.softmax(new float[] {0f, (float) Math.log(3), NEG}, 3, p);
    assertThat(p[0]).isCloseTo(0.25, within(1e-7));
    assertThat(p[1]).isCloseTo(0.75, within(1e-7));
    assertThat(p[2]).isZero();
    assertThat(LogitsFilters.argmax(new float[] {1f, 4f, 4f, 2f}, 4)).isEqualTo(1);
    double[] q = {0.2, 0, 0.5, 0.3};
    assertThat(Sampler.pick(q, 4, 0.1)).isZero();
    assertThat(Sampler.pick(q, 4, 0.2)).isEqualTo(2);
    assertThat(Sampler.pick(q, 4, 0.95)).isEqualTo(3);
    assertThat(Sampler.pick(q, 4, 0.9999999999)).isEqualTo(3);
  }

  @Test
  void drawsFollowTheFilteredSoftmax() {
    float[] l = logs(0.1, 0.2, 0.3, 0.4);
    var params = SamplingParams.sample(1.0, 42, 1);
    var sampler = new Sampler(params, 4, new int[0]);
    int[] counts = new int[4];
    int n = 40_000;
    for (int i = 0; i < n; i++) counts[sampler.next(l, 0)]++;
    for (int t = 0; t < 4; t++) assertThat(counts[t] / (double) n).as("token %d", t).isCloseTo(0.1 * (t + 1), within(0.015));
    var topK2 = new Sampler(params.withTopK(2), 4, new int[0]);
    counts = new int[4];
    for (int i = 0; i < n; i++) counts[topK2.next(l, 0)]++;
    assertThat(counts[0] + counts[1]).isZero();
    assertThat(counts[3] / (double) n).isCloseTo(4.0 / 7, within(0.015));
    var cold = new Sampler(SamplingParams.sample(0.01, 1, 1), 4, new int[0]);  // low temperature → nearly argmax
    for (int i = 0; i < 100; i++) assertThat(cold.next(l, 0)).isEqualTo(3);
  }

  @Test
  void greedyAppliesTheRepetitionPenaltyFirst() {
    float[] l = {1.9f, 2f, -5f};
    var s = new Sampler(SamplingParams.greedy(1).withRepetitionPenalty(1.1), 3, new int[] {1});
    assertThat(s.next(l, 0)).isZero();  // 2 / 1.1 < 1.9
    assertThat(s.next(l, 0)).isEqualTo(1);  // now 0 is present too: 1.9/1.1 < 2/1.1
  }

  @Test
  void generationConfigMapsWithHuggingFaceDefaults() {
    var plain = SamplingParams.from(GenerationConfig.ofTokens(1, List.of(2, 3)), 9, 40);
    assertThat(plain.greedy()).isTrue();
    assertThat(plain.stopTokenIds()).containsExactly(2, 3);
    assertThat(plain.maxNewTokens()).isEqualTo(40);
    var sampled = SamplingParams.from(new GenerationConfig(null, null, true, 0.7, null, 0.9, 0.05, 1.1, 12), 9, 40);
    assertThat(sampled.greedy()).isFalse();
    assertThat(sampled.temperature()).isEqualTo(0.7);
    assertThat(sampled.topK()).isEqualTo(50);
    assertThat(sampled.topP()).isEqualTo(0.9);
    assertThat(sampled.minP()).isEqualTo(0.05);
    assertThat(sampled.repetitionPenalty()).isEqualTo(1.1);
    assertThat(sampled.maxNewTokens()).isEqualTo(12);
    assertThat(sampled.seed()).isEqualTo(9);
    assertThat(SamplingParams.from(new GenerationConfig(null, null, true, 0.0, null, null, null, null, null), 9, 1).greedy()).isTrue();
  }

  @Test
  void paramsAreValidatedWithTheFacts() {
    assertThatThrownBy(() -> SamplingParams.sample(0, 1, 1)).hasMessageContaining("temperature").hasMessageContaining("got 0.0");
    assertThatThrownBy(() -> SamplingParams.greedy(1).withTopK(-1)).hasMessageContaining("top_k: expected >= 0");
    assertThatThrownBy(() -> SamplingParams.greedy(1).withTopP(1.5)).hasMessageContaining("top_p: expected a value in (0, 1], got 1.5");
    assertThatThrownBy(() -> SamplingParams.greedy(1).withMinP(1.5)).hasMessageContaining("min_p: expected a value in [0, 1], got 1.5");
    assertThatThrownBy(() -> SamplingParams.greedy(1).withRepetitionPenalty(0)).hasMessageContaining("repetition_penalty");
    assertThatThrownBy(() -> SamplingParams.greedy(-1)).hasMessageContaining("max_new_tokens: expected >= 0, got -1");
    assertThatThrownBy(() -> SamplingParams.greedy(1).withStopTokenIds(List.of(-2))).hasMessageContaining("stop_token_ids");
    assertThatThrownBy(() -> SamplingParams.greedy(1).withStopStrings(List.of(""))).hasMessageContaining("non-empty");
  }
}
