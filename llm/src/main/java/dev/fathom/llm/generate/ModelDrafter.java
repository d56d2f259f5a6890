package dev.fathom.llm.generate;

import dev.fathom.llm.LlamaForCausalLM;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link Drafter} that runs a smaller model of the same vocabulary: it samples each proposal
 * from its own distribution filtered by the target's {@link SamplingParams} (argmax under greedy
 * params), feeding each proposal back through its KV cache. On {@link #commit} its cache is cut
 * back to the longest prefix it shares with the kept sequence; the next proposal first feeds what
 * it has not seen (usually the target's correction or bonus token) in one step.
 */
public final class ModelDrafter implements Drafter {
  /** Tokens fed at once through {@link InferenceSession#score}; longer catch-ups (a prompt) go through prefill. */
  private static final int STEP_ROWS = 16;

  private final LlamaForCausalLM model;
  private final int vocab;
  private InferenceSession session;
  private Sampler sampler;
  private int[] cached = new int[0];
  private int cachedLength, committed, drafted;
  private int[] draftedTokens = new int[0];
  private final int[] one = new int[1];
  private float[] logits;
  private long calls;

  public ModelDrafter(LlamaForCausalLM model) {
    this.model = Objects.requireNonNull(model, "model");
    this.vocab = model.config().vocabSize();
  }

  public LlamaForCausalLM model() {
    return model;
  }

  @Override
  public void start(int[] prompt, SamplingParams params, int maxSeq) {
    int maxPos = model.config().maxPositionEmbeddings();
    if (maxSeq > maxPos) {
      throw new IllegalArgumentException("draft model: the sequence may reach " + maxSeq + " positions, more than its context of "
          + "max_position_embeddings=" + maxPos);
    }
    for (int t : prompt) {
      if (t < 0 || t >= vocab) throw new IllegalArgumentException("draft model: id " + t + " is outside its vocabulary [0, " + vocab + ")");
    }
    if (session == null || session.maxSeq() < maxSeq) {
      session = new InferenceSession(model, 1, maxSeq, STEP_ROWS);
      cached = new int[maxSeq];
      logits = new float[STEP_ROWS * vocab];
    }
    session.reset(0);
    cachedLength = 0;
    // Its own random stream: proposals must not reuse the draws the target's acceptance test makes.
    sampler = new Sampler(params, vocab, prompt, params.seed() ^ 0x9E3779B97F4A7C15L);
    committed = prompt.length;
    drafted = 0;
  }

  @Override
  public int propose(int[] context, int length, int gamma, int[] tokens, double[][] q) {
    if (sampler == null) throw new IllegalStateException("draft model: propose before start");
    if (cachedLength >= length) cut(length - 1);  // the last token's logits are needed again
    int row = feed(context, cachedLength, length);
    if (draftedTokens.length < gamma) draftedTokens = new int[gamma];
    for (int i = 0; i < gamma; i++) {
      sampler.distribution(logits, row * vocab, q[i]);
      int x = Sampler.pick(q[i], vocab, sampler.uniform());
      tokens[i] = x;
      sampler.add(x);
      draftedTokens[drafted++] = x;
      if (i + 1 < gamma) {
        cached[cachedLength++] = x;
        one[0] = x;
        session.score(0, one, 1, logits);
        calls++;
        row = 0;
      }
    }
    return gamma;
  }

  @Override
  public void commit(int[] context, int length) {
    for (int i = 0; i < drafted; i++) sampler.remove(draftedTokens[i]);
    drafted = 0;
    for (int i = committed; i < length; i++) sampler.add(context[i]);
    committed = length;
    int same = 0, upTo = Math.min(cachedLength, length);
    while (same < upTo && cached[same] == context[same]) same++;
    cut(same);
  }

  @Override
  public long modelCalls() {
    return calls;
  }

  private void cut(int length) {
    session.truncate(0, length);
    cachedLength = length;
  }

  /** Feeds context[from .. to) and returns the row of {@code logits} that follows the last of them. */
  private int feed(int[] context, int from, int to) {
    int n = to - from;
    System.arraycopy(context, from, cached, from, n);
    cachedLength = to;
    calls++;
    if (n > STEP_ROWS) {
      session.prefill(0, Arrays.copyOfRange(context, from, to), logits, 0);
      return 0;
    }
    session.score(0, Arrays.copyOfRange(context, from, to), n, logits);
    return n - 1;
  }
}
