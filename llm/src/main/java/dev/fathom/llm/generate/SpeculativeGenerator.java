package dev.fathom.llm.generate;

import dev.fathom.llm.AttentionType;
import dev.fathom.llm.LlamaForCausalLM;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a {@link Drafter} proposes γ
 * tokens, the target scores the pending token and the γ proposals in one step
 * ({@link InferenceSession#score}), and proposal i is accepted with probability
 * min(1, p_i(x_i) / q_i(x_i)). At the first rejection the round ends with a token drawn from
 * norm(max(0, p_i − q_i)); when all γ are accepted, one more is drawn from p_γ. Each round thus
 * yields between 1 and γ + 1 tokens for one target call, and the output is distributed exactly as
 * the target's own sampling with the same {@link SamplingParams} (p is the filtered distribution
 * a plain draw would use, q the drafter's). Under greedy params p and q are one-hot, so the rule
 * reduces to keeping the longest prefix on which the drafter agrees with the target's argmax.
 *
 * <p>After a round the target's cache is truncated to the accepted tokens and the drafter told
 * which tokens were kept, so both caches roll back past the rejected proposals. Stops are those
 * of {@link Generator} (stop ids, stop strings, max_new_tokens, context), checked after every
 * token a round yields. One sequence at a time; not thread-safe.
 */
public final class SpeculativeGenerator {
  private final LlamaForCausalLM target;
  private final Drafter drafter;
  private final Function<int[], String> decoder;

  /**
   * @param decoder ids → text for stop strings, or null
   * @throws IllegalArgumentException when a draft model's vocabulary differs from the target's, or
   *     either model runs linear attention (its running state cannot be rolled back past rejected tokens)
   */
  public SpeculativeGenerator(LlamaForCausalLM target, Drafter drafter, Function<int[], String> decoder) {
    this.target = Objects.requireNonNull(target, "target");
    this.drafter = Objects.requireNonNull(drafter, "drafter");
    this.decoder = decoder;
    rejectLinear("target", target);
    if (drafter instanceof ModelDrafter m) rejectLinear("draft", m.model());
    if (drafter instanceof ModelDrafter m && m.model().config().vocabSize().intValue() != target.config().vocabSize().intValue()) {
      throw new IllegalArgumentException("speculative decoding: the draft model's vocabulary has " + m.model().config().vocabSize()
          + " ids, the target's " + target.config().vocabSize() + "; expected the same tokenizer");
    }
  }

  private static void rejectLinear(String which, LlamaForCausalLM model) {
    if (model.config().attention() == AttentionType.LINEAR) {
      throw new IllegalArgumentException("speculative decoding: the " + which + " model runs linear attention, whose running state "
          + "cannot be rolled back past rejected tokens; expected a softmax-attention model");
    }
  }

  /**
   * Continues {@code prompt}.
   *
   * @param listener gets (0, token) for every new token as its round is verified
   * @throws IllegalArgumentException for an empty prompt, an id outside [0, V), a prompt longer
   *     than max_position_embeddings, or stop strings without a decoder
   */
  public SpeculativeGeneration generate(int[] prompt, SamplingParams params, SpeculationParams spec, TokenListener listener) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(listener, "listener");
    long t0 = System.nanoTime();
    int vocab = target.config().vocabSize(), maxPos = target.config().maxPositionEmbeddings();
    if (prompt == null || prompt.length == 0) throw new IllegalArgumentException("generate: expected a prompt of at least one token, got none");
    if (prompt.length > maxPos) {
      throw new IllegalArgumentException("generate: the prompt has " + prompt.length + " tokens, more than the model's context of "
          + "max_position_embeddings=" + maxPos);
    }
    for (int t : prompt) if (t < 0 || t >= vocab) throw new IllegalArgumentException("generate: the prompt holds id " + t + ", expected ids in [0, " + vocab + ")");
    var stops = new StopCheck(params, vocab, decoder, maxPos);
    int p = prompt.length, maxNew = params.maxNewTokens();
    long draftCalls0 = drafter.modelCalls();
    if (maxNew == 0 || p >= maxPos) {
      var reason = maxNew == 0 ? StopReason.MAX_NEW_TOKENS : StopReason.CONTEXT_LIMIT;
      return new SpeculativeGeneration(new Generation(new int[0], reason), new SpeculativeStats(0, 0, 0, 0, 0, 0, seconds(t0), 0, 0));
    }
    int maxSeq = (int) Math.min(maxPos, (long) p + maxNew);
    var session = new InferenceSession(target, 1, maxSeq, spec.maxGamma() + 1);
    float[] logits = new float[(spec.maxGamma() + 1) * vocab];
    if (p > 1) session.prefill(0, Arrays.copyOf(prompt, p - 1), logits, 0);  // the last prompt token goes with the first proposals
    var sampler = new Sampler(params, vocab, prompt);
    drafter.start(prompt.clone(), params, maxSeq);

    int[] context = Arrays.copyOf(prompt, maxSeq), out = new int[maxSeq - p], drafts = new int[spec.maxGamma()];
    int[] feed = new int[spec.maxGamma() + 1];
    double[][] q = new double[spec.maxGamma()][vocab];
    double[] dist = new double[vocab], rest = new double[vocab];
    int length = p, count = 0, gamma = spec.gamma();
    long calls = 0, proposed = 0, examined = 0, accepted = 0, generated = 0, draftNanos = 0, targetNanos = 0;
    StopReason reason = null;
    while (reason == null) {
      int remaining = Math.min(maxNew - count, maxPos - length);
      int cap = Math.min(gamma, Math.min(remaining - 1, maxSeq - length));
      long d0 = System.nanoTime();
      int g = cap > 0 ? drafter.propose(context, length, cap, drafts, q) : 0;
      long d1 = System.nanoTime();
      draftNanos += d1 - d0;
      if (g < 0 || g > cap) throw new IllegalStateException("drafter: expected at most " + cap + " proposals, got " + g);
      feed[0] = context[length - 1];
      System.arraycopy(drafts, 0, feed, 1, g);
      session.score(0, feed, g + 1, logits);  // row i: the target's logits after the pending token and drafts[0 .. i)
      targetNanos += System.nanoTime() - d1;
      calls++;
      proposed += g;
      int kept = 0, next = -1;
      for (int i = 0; i <= g; i++) {
        sampler.distribution(logits, i * vocab, dist);  // counts the kept drafts[0 .. i) in, as a plain draw would
        if (i == g) {
          next = Sampler.pick(dist, vocab, sampler.uniform());
          break;
        }
        int x = drafts[i];
        double qx = q[i][x];
        if (!(qx > 0)) throw new IllegalStateException("drafter: proposal " + i + " (id " + x + ") has q = " + qx + ", expected > 0");
        examined++;
        if (sampler.uniform() < dist[x] / qx) {
          kept++;
          sampler.add(x);
          continue;
        }
        next = residual(dist, q[i], rest, vocab, sampler.uniform());
        break;
      }
      sampler.add(next);
      accepted += kept;
      generated += kept + 1;
      session.truncate(0, length + kept);  // the pending token and the kept drafts stay cached
      for (int i = 0; i <= kept && reason == null; i++) {
        int token = i < kept ? drafts[i] : next;
        context[length++] = token;
        out[count++] = token;
        listener.onToken(0, token);
        reason = stops.after(out, count, p);
      }
      drafter.commit(context, length);
      gamma = spec.next(gamma, g, kept);
    }
    var stats = new SpeculativeStats(calls, drafter.modelCalls() - draftCalls0, proposed, examined, accepted, generated, seconds(t0),
        draftNanos / 1e9, targetNanos / 1e9);
    return new SpeculativeGeneration(new Generation(Arrays.copyOf(out, count), reason), stats);
  }

  /**
   * A draw from norm(max(0, p − q)), the distribution after a rejection, with {@code r} as
   * scratch; from p itself when p ≤ q everywhere (p = q up to rounding, where a rejection has
   * probability ~0). {@link Sampler#pick} on the unnormalized r with u scaled by its sum.
   */
  static int residual(double[] p, double[] q, double[] r, int n, double u) {
    double sum = 0;
    for (int t = 0; t < n; t++) {
      r[t] = Math.max(0, p[t] - q[t]);
      sum += r[t];
    }
    return sum > 0 ? Sampler.pick(r, n, u * sum) : Sampler.pick(p, n, u);
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
