package dev.fathom.llm.generate;

import dev.fathom.llm.LlamaForCausalLM;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Generates continuations of token prompts with a {@link LlamaForCausalLM}: all prompts are
 * prefilled into one {@link InferenceSession}, then decoded together one token per live sequence
 * per step, each picked by its own {@link Sampler}; tokens are streamed to a {@link TokenListener}
 * as they come.
 *
 * <p>A sequence stops at the first of: a stop token id (kept), a stop string in its decoded
 * output (checked with the decoder given at construction, over the generated tokens only),
 * max_new_tokens, or the context limit: prompt plus output never exceed max_position_embeddings.
 * Sequences are independent (own positions, cache, random stream): a batch gives each prompt
 * the tokens it gets alone.
 *
 * <p>The decoder is a plain function (ids → text) so that this package does not depend on a
 * tokenizer; {@code tokenizer::decode} fits.
 */
public final class Generator {
  private final LlamaForCausalLM model;
  private final Function<int[], String> decoder;
  private final KvPolicy policy;

  /** A generator without a decoder (stop strings then cannot be used). */
  public Generator(LlamaForCausalLM model) {
    this(model, null);
  }

  /** @param decoder ids → text for stop strings, or null */
  public Generator(LlamaForCausalLM model, Function<int[], String> decoder) {
    this(model, decoder, KvPolicy.FULL);
  }

  /**
   * @param decoder ids → text for stop strings, or null
   * @param policy what the KV cache keeps; under a bounded policy memory stays flat and sequences
   *     (prompt and output) may run past max_position_embeddings, so there is no context limit
   */
  public Generator(LlamaForCausalLM model, Function<int[], String> decoder, KvPolicy policy) {
    this.model = Objects.requireNonNull(model, "model");
    this.decoder = decoder;
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /** One prompt: {@code generate(List.of(prompt), params, listener).get(0)}. */
  public Generation generate(int[] prompt, SamplingParams params, TokenListener listener) {
    return generate(List.of(prompt), params, listener).get(0);
  }

  /**
   * Continues each prompt.
   *
   * @param prompts token ids, one array per sequence, each at least one token
   * @param listener gets (prompt index, token id) for every new token, in generation order
   * @return one generation per prompt, in order
   * @throws IllegalArgumentException for no prompts, an empty prompt, an id outside [0, V), a prompt
   *     longer than max_position_embeddings, or stop strings without a decoder
   */
  public List<Generation> generate(List<int[]> prompts, SamplingParams params, TokenListener listener) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(listener, "listener");
    int b = prompts.size(), vocab = model.config().vocabSize();
    int maxPos = policy.bounded() ? Integer.MAX_VALUE - 1 : model.config().maxPositionEmbeddings();
    if (b == 0) throw new IllegalArgumentException("generate: expected at least one prompt, got none");
    var stops = new StopCheck(params, vocab, decoder, maxPos);
    int maxSeq = 1;
    for (int i = 0; i < b; i++) {
      int[] p = prompts.get(i);
      if (p == null || p.length == 0) throw new IllegalArgumentException("generate: prompt " + i + " is empty, expected at least one token");
      if (p.length > maxPos) {
        throw new IllegalArgumentException("generate: prompt " + i + " has " + p.length + " tokens, more than the model's context of "
            + "max_position_embeddings=" + maxPos);
      }
      for (int t : p) {
        if (t < 0 || t >= vocab) throw new IllegalArgumentException("generate: prompt " + i + " holds id " + t + ", expected ids in [0, " + vocab + ")");
      }
      maxSeq = Math.max(maxSeq, (int) Math.min(maxPos, (long) p.length + params.maxNewTokens()));
    }
    int maxNew = params.maxNewTokens();
    List<Generation> result = new ArrayList<>(b);
    if (maxNew == 0) {
      for (int i = 0; i < b; i++) result.add(new Generation(new int[0], StopReason.MAX_NEW_TOKENS));
      return result;
    }

    var session = new InferenceSession(model, b, maxSeq, b, policy);
    float[] logits = new float[b * vocab];
    int[][] out = new int[b][];
    int[] count = new int[b], live = new int[b], next = new int[b], tokens = new int[b];
    StopReason[] reason = new StopReason[b];
    Sampler[] samplers = new Sampler[b];
    int n = 0;
    for (int i = 0; i < b; i++) {
      int[] p = prompts.get(i);
      out[i] = new int[Math.min(maxNew, maxPos - p.length)];
      if (out[i].length == 0) {  // the prompt fills the context
        reason[i] = StopReason.CONTEXT_LIMIT;
        continue;
      }
      samplers[i] = new Sampler(params, vocab, p);
      session.prefill(i, p, logits, n * vocab);
      live[n++] = i;
    }
    while (n > 0) {
      int m = 0;
      for (int r = 0; r < n; r++) {
        int s = live[r], token = samplers[s].next(logits, r * vocab);
        out[s][count[s]++] = token;
        listener.onToken(s, token);
        reason[s] = stops.after(out[s], count[s], prompts.get(s).length);
        if (reason[s] == null) {
          next[m] = s;
          tokens[m++] = token;
        }
      }
      if (m > 0) session.decode(next, tokens, m, logits);
      System.arraycopy(next, 0, live, 0, m);
      n = m;
    }
    for (int i = 0; i < b; i++) result.add(new Generation(Arrays.copyOf(out[i], count[i]), reason[i]));
    return result;
  }
}
