package dev.fathom.llm.train;

import dev.fathom.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A tokenized text as one id array, with the number of UTF-8 bytes it came from (for bits per
 * byte), cut into training windows: input ids t[i .. i+T) and targets t[i+1 .. i+T+1).
 */
public final class TokenData {
  private final int[] tokens;
  private final long bytes;

  public TokenData(int[] tokens, long bytes) {
    if (tokens.length < 2) throw new IllegalArgumentException("TokenData: need at least 2 tokens, got " + tokens.length);
    this.tokens = tokens;
    this.bytes = bytes;
  }

  public int size() {
    return tokens.length;
  }

  /** The UTF-8 bytes of the text these tokens encode. */
  public long bytes() {
    return bytes;
  }

  public int[] tokens() {
    return tokens;
  }

  /** Tokens [from, to) with their share of the bytes (proportional). */
  public TokenData slice(int from, int to) {
    return new TokenData(Arrays.copyOfRange(tokens, from, to), Math.round((double) bytes * (to - from) / tokens.length));
  }

  /**
   * A random batch of windows: starts drawn uniformly from [0, size − T − 1] by {@code rng}.
   *
   * @return {ids (B, T), targets (B, T)} as INT64
   */
  public Tensor[] sample(SplittableRandom rng, int batch, int context) {
    int t = Math.min(context, tokens.length - 1);
    long[] ids = new long[batch * t], tg = new long[batch * t];
    for (int b = 0; b < batch; b++) {
      int start = rng.nextInt(tokens.length - t);
      for (int i = 0; i < t; i++) {
        ids[b * t + i] = tokens[start + i];
        tg[b * t + i] = tokens[start + i + 1];
      }
    }
    return new Tensor[] {Tensor.ofLongs(ids, batch, t), Tensor.ofLongs(tg, batch, t)};
  }

  /** The number of windows of {@code context} tokens that {@link #window} walks (every target once). */
  public int windows(int context) {
    return (tokens.length - 1 + context - 1) / context;
  }

  /** Window w of a sequential pass: ids from w·T, the last window shorter; {ids (1, L), targets (1, L)}. */
  public Tensor[] window(int w, int context) {
    int start = w * context, len = Math.min(context, tokens.length - 1 - start);
    long[] ids = new long[len], tg = new long[len];
    for (int i = 0; i < len; i++) {
      ids[i] = tokens[start + i];
      tg[i] = tokens[start + i + 1];
    }
    return new Tensor[] {Tensor.ofLongs(ids, 1, len), Tensor.ofLongs(tg, 1, len)};
  }
}
