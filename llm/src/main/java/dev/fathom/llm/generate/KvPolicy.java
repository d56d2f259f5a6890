package dev.fathom.llm.generate;

import java.util.Locale;

/**
 * What the key/value cache keeps of a sequence, per layer and key/value head.
 *
 * <ul>
 *   <li>{@code full}: every position (memory grows with the sequence, up to the model's context).
 *   <li>{@code window:N}: the last N positions.
 *   <li>{@code sinks:S,window:N}: the first S positions (attention sinks) and the last N
 *       (StreamingLLM, Xiao et al. 2024). Positions are those within the cache: the window keeps
 *       its distances to the query, and the sinks sit right before the window's oldest key, so a
 *       sequence can run far past the model's context with S + N ≤ max_position_embeddings.
 *   <li>{@code h2o:N}: N positions, half of them the most recent, the other half the "heavy
 *       hitters" with the largest attention received so far, summed over the query heads of the
 *       group (H2O, Zhang et al. 2023); each key/value head keeps its own set. Keys keep their
 *       original positions, as in the paper.
 * </ul>
 *
 * All but {@code full} bound the cache to {@link #capacity} positions per sequence whatever its
 * length: memory stays flat over an unbounded stream.
 *
 * @param kind which rule
 * @param sinks S (sinks only, else 0)
 * @param size N: window length, or the H2O budget
 */
public record KvPolicy(Kind kind, int sinks, int size) {

  /** The rules. */
  public enum Kind { FULL, WINDOW, SINKS, H2O }

  /** Every position kept. */
  public static final KvPolicy FULL = new KvPolicy(Kind.FULL, 0, 0);

  public KvPolicy {
    if (kind == null) throw new IllegalArgumentException("kv policy: expected a kind, got null");
    switch (kind) {
      case FULL -> {
        if (sinks != 0 || size != 0) throw new IllegalArgumentException("kv policy full: expected no sizes, got sinks=" + sinks + ", size=" + size);
      }
      case WINDOW -> {
        if (sinks != 0 || size < 1) throw new IllegalArgumentException("kv policy window:N: expected N >= 1, got " + size);
      }
      case SINKS -> {
        if (sinks < 1 || size < 1) {
          throw new IllegalArgumentException("kv policy sinks:S,window:N: expected S >= 1 and N >= 1, got S=" + sinks + ", N=" + size);
        }
      }
      case H2O -> {
        if (sinks != 0 || size < 2) throw new IllegalArgumentException("kv policy h2o:N: expected N >= 2, got " + size);
      }
    }
  }

  public static KvPolicy window(int n) {
    return new KvPolicy(Kind.WINDOW, 0, n);
  }

  public static KvPolicy sinks(int s, int n) {
    return new KvPolicy(Kind.SINKS, s, n);
  }

  public static KvPolicy h2o(int n) {
    return new KvPolicy(Kind.H2O, 0, n);
  }

  /**
   * Parses {@code full}, {@code window:N}, {@code sinks:S,window:N} or {@code h2o:N}.
   *
   * @throws IllegalArgumentException naming the expected forms and what came
   */
  public static KvPolicy parse(String text) {
    String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.equals("full")) return FULL;
      if (s.startsWith("window:")) return window(Integer.parseInt(s.substring(7)));
      if (s.startsWith("h2o:")) return h2o(Integer.parseInt(s.substring(4)));
      if (s.startsWith("sinks:") && s.contains(",window:")) {
        int comma = s.indexOf(",window:");
        return sinks(Integer.parseInt(s.substring(6, comma)), Integer.parseInt(s.substring(comma + 8)));
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("kv policy: expected full, window:N, sinks:S,window:N or h2o:N, got '" + text + "'");
  }

  /** Whether the cache is bounded (everything but full). */
  public boolean bounded() {
    return kind != Kind.FULL;
  }

  /** Cache positions per sequence: S + N (N for window and h2o); {@code maxSeq} for full. */
  public int capacity(int maxSeq) {
    return kind == Kind.FULL ? maxSeq : sinks + size;
  }

  /** H2O: how many of the N positions are the most recent ones (the rest are heavy hitters). */
  int recent() {
    return size - size / 2;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case FULL -> "full";
      case WINDOW -> "window:" + size;
      case SINKS -> "sinks:" + sinks + ",window:" + size;
      case H2O -> "h2o:" + size;
    };
  }
}
