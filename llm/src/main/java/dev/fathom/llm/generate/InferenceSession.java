package dev.fathom.llm.generate;

import dev.fathom.llm.AttentionType;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import java.util.Objects;

/**
 * The inference engine of a {@link LlamaForCausalLM}: a key/value cache for {@code batch}
 * sequences of up to {@code maxSeq} positions, allocated once, with prefill (a prompt's T tokens at
 * once) and decode (one token per sequence). No autograd, no allocation per token.
 *
 * <p>The session reads the model's parameter arrays in place (no copy): in-place weight edits
 * such as a LoRA merge are seen by the next call. What acts through forward hooks instead of the
 * weights (unmerged LoRA adapters) is not seen: merge adapters first. Sequences (slots) are independent: each has its
 * own length and positions, and a step for some slots never touches the others. Not thread-safe:
 * one caller at a time.
 *
 * <p>Math as {@link LlamaForCausalLM#forward}: RMS norm, rotary positions (with the config's
 * scaling), grouped-query attention over the cached keys (with a sliding window, a query at
 * position p sees keys p − window + 1 .. p), q/k/v/o and MLP biases, SwiGLU, tied or separate head.
 */
public final class InferenceSession {
  private final LlamaConfig config;
  private final KvCache cache;
  private final MixerState mixer;
  private final Prefill prefill;
  private final DecodeStep decode;
  private final boolean[] seen;
  private final int stepRows;
  private final int[] rowSlots, rowPositions;
  private final KvPolicy policy;
  private final int positions;
  private float[] row;
  private final int[] single = new int[1];

  /**
   * A session whose {@link #score} takes up to {@code batch} tokens at once.
   *
   * @param batch number of sequences (cache slots), at least 1
   * @param maxSeq positions per sequence, in [1, max_position_embeddings]
   * @throws IllegalArgumentException for a batch below 1 or maxSeq outside that range
   */
  public InferenceSession(LlamaForCausalLM model, int batch, int maxSeq) {
    this(model, batch, maxSeq, batch);
  }

  /**
   * @param batch number of sequences (cache slots), at least 1
   * @param maxSeq positions per sequence, in [1, max_position_embeddings]
   * @param stepRows most rows one {@link #decode} or {@link #score} call takes, at least batch
   * @throws IllegalArgumentException for a batch below 1, maxSeq outside that range or stepRows
   *     below batch
   */
  public InferenceSession(LlamaForCausalLM model, int batch, int maxSeq, int stepRows) {
    this(model, batch, maxSeq, stepRows, KvPolicy.FULL);
  }

  /**
   * A session whose cache keeps what {@code policy} says. Under a bounded policy the cache holds
   * the policy's capacity per sequence, whatever its length, and a sequence may run past the
   * model's context (maxSeq is then only a limit on positions, any value ≥ 1); prefill and score
   * then feed their tokens one step at a time, and a sequence can only be truncated before the
   * cache has dropped anything.
   *
   * @param maxSeq positions per sequence: in [1, max_position_embeddings] under the full policy
   * @throws IllegalArgumentException as the other constructors, for a bounded policy on a model
   *     with its own sliding window, or one whose kept positions exceed max_position_embeddings
   */
  public InferenceSession(LlamaForCausalLM model, int batch, int maxSeq, int stepRows, KvPolicy policy) {
    this.config = model.config();
    this.policy = Objects.requireNonNull(policy, "policy");
    if (batch < 1) throw new IllegalArgumentException("InferenceSession: expected batch >= 1, got " + batch);
    if (stepRows < batch) {
      throw new IllegalArgumentException("InferenceSession: expected stepRows >= batch (" + batch + "), got " + stepRows);
    }
    int maxPos = config.maxPositionEmbeddings();
    if (maxSeq < 1 || (!policy.bounded() && maxSeq > maxPos)) {
      throw new IllegalArgumentException("InferenceSession: expected maxSeq in [1, max_position_embeddings=" + maxPos + "], got " + maxSeq);
    }
    if (policy.bounded()) {
      if (config.attention() != AttentionType.FULL) {
        throw new IllegalArgumentException("kv policy " + policy + ": a model with attention_type " + config.attention().id()
            + " bounds its attention itself; use full");
      }
      if (config.window() > 0) {
        throw new IllegalArgumentException("kv policy " + policy + ": the model already bounds attention with sliding_window="
            + config.window() + "; use full");
      }
      if (policy.capacity(maxSeq) > maxPos) {
        throw new IllegalArgumentException("kv policy " + policy + ": keeps " + policy.capacity(maxSeq)
            + " positions, more than the model's context of max_position_embeddings=" + maxPos);
      }
    }
    ModelWeights w = ModelWeights.of(model, Math.min(maxSeq, maxPos));
    this.positions = maxSeq;
    boolean linear = config.attention() == AttentionType.LINEAR;  // keeps a state, no keys
    this.cache = new KvCache(config.numHiddenLayers(), batch, config.numKeyValueHeads(), linear ? 1 : policy.capacity(maxSeq),
        config.headDim(), policy);
    this.mixer = new MixerState(config, batch, policy.bounded() ? cache.maxSeq : maxSeq, policy.bounded());
    this.prefill = new Prefill(w, cache, mixer);
    this.decode = new DecodeStep(w, cache, mixer, stepRows);
    this.seen = new boolean[batch];
    this.stepRows = stepRows;
    this.rowSlots = new int[stepRows];
    this.rowPositions = new int[stepRows];
  }

  public LlamaConfig config() {
    return config;
  }

  public int batch() {
    return cache.batch;
  }

  /** Positions a sequence may reach. */
  public int maxSeq() {
    return positions;
  }

  /** The cache itself, for tests. */
  KvCache cache() {
    return cache;
  }

  /** What the cache keeps. */
  public KvPolicy policy() {
    return policy;
  }

  /** Cache entries per sequence: maxSeq under the full policy, the policy's capacity otherwise. */
  public int cacheEntries() {
    return cache.maxSeq;
  }

  public int vocabSize() {
    return config.vocabSize();
  }

  /** Positions of sequence {@code slot} filled so far (its next token goes at this position). */
  public int length(int slot) {
    checkSlot(slot);
    return cache.length[slot];
  }

  /** Empties sequence {@code slot} (its old cache entries are overwritten as it refills). */
  public void reset(int slot) {
    truncate(slot, 0);
  }

  /**
   * Shortens sequence {@code slot} to its first {@code length} positions, as if the later tokens
   * had never been fed: the next token goes at position {@code length}. This is the roll-back of
   * speculative decoding after rejected draft tokens. O(1): the entries beyond are overwritten as
   * the sequence refills.
   *
   * @throws IllegalArgumentException if the slot is out of range or length is outside [0, length(slot)]
   */
  public void truncate(int slot, int length) {
    checkSlot(slot);
    int now = cache.length[slot];
    if (length < 0 || length > now) {
      throw new IllegalArgumentException("truncate: expected a length in [0, " + now + "] for sequence " + slot + ", got " + length);
    }
    if (length == 0) {
      cache.clear(slot);
      mixer.clear(slot);
    } else if (length < now && mixer.linear != null) {
      throw new IllegalArgumentException("truncate: linear attention keeps one running state per sequence; sequence " + slot
          + " can only be emptied (length 0), not cut from " + now + " to " + length);
    } else if (length < now && policy.bounded()
        && (policy.kind() == KvPolicy.Kind.H2O || now > cache.maxSeq)) {
      throw new IllegalArgumentException("truncate: the " + policy + " cache of sequence " + slot + " has dropped or re-weighed "
          + "entries since position " + length + "; a bounded cache can only be emptied (length 0)");
    }
    cache.length[slot] = length;
  }

  /** One token through the decode step; its logits go to logits[off..] when off >= 0. */
  private void oneStep(int slot, int token, float[] logits, int off) {
    if (row == null) row = new float[config.vocabSize()];
    rowSlots[0] = slot;
    rowPositions[0] = cache.length[slot];
    single[0] = token;
    decode.run(rowSlots, single, rowPositions, 1, row);
    if (off >= 0) System.arraycopy(row, 0, logits, off, row.length);
  }

  /** Most tokens one {@link #score} call takes (and most sequences one {@link #decode} call takes). */
  public int stepRows() {
    return stepRows;
  }

  /**
   * Appends {@code tokens[0 .. n)} to sequence {@code slot} in one step and writes the logits that
   * follow each of them to row i of {@code logits} (n, V): row i is the next-token distribution
   * after the sequence's tokens and tokens[0..i]. The weights are read once for all n rows, so for
   * small n this costs about one {@link #decode}; it is how speculative decoding verifies draft
   * tokens. The same numbers as feeding the tokens one by one with decode.
   *
   * @throws IllegalArgumentException if the slot is out of range, n is outside [1, stepRows], a
   *     token id is outside [0, V), the sequence would exceed maxSeq positions, or logits is too short
   */
  public void score(int slot, int[] tokens, int n, float[] logits) {
    checkSlot(slot);
    if (n < 1 || n > stepRows || tokens.length < n) {
      throw new IllegalArgumentException("score: expected n in [1, stepRows=" + stepRows + "] tokens, got n=" + n + " of "
          + tokens.length);
    }
    checkIds(tokens, n, "score");
    int len = cache.length[slot];
    if ((long) len + n > positions) {
      throw new IllegalArgumentException("score: sequence " + slot + " has " + len + " positions and " + n
          + " more tokens exceed the session's " + positions + " positions");
    }
    checkOut(logits, 0, n);
    if (policy.bounded()) {  // rows of one step could overwrite entries that earlier rows still need
      for (int r = 0; r < n; r++) oneStep(slot, tokens[r], logits, r * config.vocabSize());
      return;
    }
    for (int r = 0; r < n; r++) {
      rowSlots[r] = slot;
      rowPositions[r] = len + r;
    }
    decode.run(rowSlots, tokens, rowPositions, n, logits);
  }

  /**
   * Appends {@code tokens} (T ≥ 1) to sequence {@code slot} and writes the logits that follow its
   * last token to {@code logits[off .. off + V)}.
   *
   * @throws IllegalArgumentException if the slot is out of range, T is 0, a token id is outside
   *     [0, V), the sequence would exceed maxSeq positions, or logits is too short
   */
  public void prefill(int slot, int[] tokens, float[] logits, int off) {
    checkSlot(slot);
    if (tokens.length == 0) throw new IllegalArgumentException("prefill: expected at least one token, got none");
    checkIds(tokens, tokens.length, "prefill");
    int len = cache.length[slot];
    if ((long) len + tokens.length > positions) {
      throw new IllegalArgumentException("prefill: sequence " + slot + " has " + len + " positions and " + tokens.length
          + " more tokens exceed the session's " + positions + " positions");
    }
    checkOut(logits, off, 1);
    if (policy.bounded()) {
      for (int i = 0; i < tokens.length; i++) oneStep(slot, tokens[i], logits, i == tokens.length - 1 ? off : -1);
      return;
    }
    prefill.run(slot, tokens, logits, off);
  }

  /**
   * Feeds {@code tokens[r]} to sequence {@code slots[r]} for r in [0, n) (distinct slots) and
   * writes each one's next-token logits to row r of {@code logits} (n, V).
   *
   * @throws IllegalArgumentException on a repeated or out-of-range slot, a full sequence, a token
   *     id outside [0, V), n outside [1, batch], or a short logits array
   */
  public void decode(int[] slots, int[] tokens, int n, float[] logits) {
    if (n < 1 || n > cache.batch || slots.length < n || tokens.length < n) {
      throw new IllegalArgumentException("decode: expected n in [1, batch=" + cache.batch + "] with as many slots and tokens, got n=" + n
          + ", " + slots.length + " slots, " + tokens.length + " tokens");
    }
    checkIds(tokens, n, "decode");
    try {
      for (int r = 0; r < n; r++) {
        int s = slots[r];
        checkSlot(s);
        if (seen[s]) throw new IllegalArgumentException("decode: slot " + s + " given twice");
        seen[s] = true;
        if (cache.length[s] >= positions) {
          throw new IllegalArgumentException("decode: sequence " + s + " is full (" + positions + " positions)");
        }
      }
    } finally {
      for (int r = 0; r < n && r < slots.length; r++) if (slots[r] >= 0 && slots[r] < cache.batch) seen[slots[r]] = false;
    }
    checkOut(logits, 0, n);
    for (int r = 0; r < n; r++) rowPositions[r] = cache.length[slots[r]];
    decode.run(slots, tokens, rowPositions, n, logits);
  }

  private void checkSlot(int slot) {
    if (slot < 0 || slot >= cache.batch) throw new IllegalArgumentException("slot: expected [0, " + cache.batch + "), got " + slot);
  }

  private void checkIds(int[] tokens, int n, String where) {
    int vocab = config.vocabSize();
    for (int i = 0; i < n; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        throw new IllegalArgumentException(where + ": token " + i + " is " + tokens[i] + ", expected an id in [0, " + vocab + ")");
      }
    }
  }

  private void checkOut(float[] logits, int off, int rows) {
    long need = (long) off + (long) rows * config.vocabSize();
    if (off < 0 || logits.length < need) {
      throw new IllegalArgumentException("logits: expected room for " + rows + " x " + config.vocabSize() + " floats from " + off
          + ", got an array of " + logits.length);
    }
  }
}
