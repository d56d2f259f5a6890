package dev.fathom.llm.generate;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;

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
  private final Prefill prefill;
  private final DecodeStep decode;
  private final boolean[] seen;

  /**
   * @param batch number of sequences (cache slots), at least 1
   * @param maxSeq positions per sequence, in [1, max_position_embeddings]
   * @throws IllegalArgumentException for a batch below 1 or maxSeq outside that range
   */
  public InferenceSession(LlamaForCausalLM model, int batch, int maxSeq) {
    this.config = model.config();
    if (batch < 1) throw new IllegalArgumentException("InferenceSession: expected batch >= 1, got " + batch);
    int maxPos = config.maxPositionEmbeddings();
    if (maxSeq < 1 || maxSeq > maxPos) {
      throw new IllegalArgumentException("InferenceSession: expected maxSeq in [1, max_position_embeddings=" + maxPos + "], got " + maxSeq);
    }
    ModelWeights w = ModelWeights.of(model, maxSeq);
    this.cache = new KvCache(config.numHiddenLayers(), batch, config.numKeyValueHeads(), maxSeq, config.headDim());
    this.prefill = new Prefill(w, cache);
    this.decode = new DecodeStep(w, cache);
    this.seen = new boolean[batch];
  }

  public LlamaConfig config() {
    return config;
  }

  public int batch() {
    return cache.batch;
  }

  public int maxSeq() {
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
    checkSlot(slot);
    cache.length[slot] = 0;
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
    if (len + tokens.length > cache.maxSeq) {
      throw new IllegalArgumentException("prefill: sequence " + slot + " has " + len + " positions and " + tokens.length
          + " more tokens exceed the session's " + cache.maxSeq + " positions");
    }
    checkOut(logits, off, 1);
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
      throw new IllegalArgumentException("decode: expected n in [1, " + cache.batch + "] with as many slots and tokens, got n=" + n
          + ", " + slots.length + " slots, " + tokens.length + " tokens");
    }
    checkIds(tokens, n, "decode");
    try {
      for (int r = 0; r < n; r++) {
        int s = slots[r];
        checkSlot(s);
        if (seen[s]) throw new IllegalArgumentException("decode: slot " + s + " given twice");
        seen[s] = true;
        if (cache.length[s] >= cache.maxSeq) {
          throw new IllegalArgumentException("decode: sequence " + s + " is full (" + cache.maxSeq + " positions)");
        }
      }
    } finally {
      for (int r = 0; r < n && r < slots.length; r++) if (slots[r] >= 0 && slots[r] < cache.batch) seen[slots[r]] = false;
    }
    checkOut(logits, 0, n);
    decode.run(slots, tokens, n, logits);
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
