package dev.fathom.compress;

import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Calibration token windows: {@code count} windows of {@code context} tokens cut at seeded random
 * offsets from a token stream (as GPTQ's reference samples its 128 segments). Every window has the
 * same length so they batch.
 *
 * @param windows the windows, each of {@code context} token ids
 */
public record CalibrationSet(List<int[]> windows) {
  public CalibrationSet {
    if (windows == null || windows.isEmpty()) throw new IllegalArgumentException("calibration: expected at least one window, got none");
    int t = windows.get(0).length;
    for (int[] w : windows) {
      if (w.length != t || t < 1) throw new IllegalArgumentException("calibration: expected windows of one positive length " + t + ", got " + w.length);
    }
    windows = List.copyOf(windows);
  }

  /**
   * {@code count} windows of {@code context} tokens from {@code tokens} at offsets drawn with {@code seed}.
   *
   * @throws IllegalArgumentException if the text is shorter than one window, or count or context is below 1
   */
  public static CalibrationSet sample(int[] tokens, int context, int count, long seed) {
    if (context < 1 || count < 1) throw new IllegalArgumentException("calibration: expected context >= 1 and count >= 1, got " + context + ", " + count);
    if (tokens.length < context) {
      throw new IllegalArgumentException("calibration: the text has " + tokens.length + " tokens, expected at least one window of " + context);
    }
    Rng rng = new Rng(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int start = rng.nextInt(tokens.length - context + 1);
      out.add(java.util.Arrays.copyOfRange(tokens, start, start + context));
    }
    return new CalibrationSet(out);
  }

  /** Tokens per window. */
  public int context() {
    return windows.get(0).length;
  }

  /** All tokens, window after window. */
  public int tokens() {
    return windows.size() * context();
  }
}
