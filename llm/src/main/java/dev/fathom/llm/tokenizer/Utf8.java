package dev.fathom.llm.tokenizer;

/** Strict UTF-8 validation, matching what {@code StandardCharsets.UTF_8} accepts. */
final class Utf8 {
  private Utf8() {}

  /**
   * Length (1..4) of the well-formed UTF-8 sequence starting at {@code i}, or 0 if the byte there
   * does not start one (stray continuation byte, overlong form, surrogate, above U+10FFFF, cut
   * short).
   */
  static int validLength(byte[] b, int i) {
    int c = b[i] & 0xFF;
    if (c < 0x80) {
      return 1;
    }
    int need;
    int lo = 0x80;
    int hi = 0xBF;
    if (c < 0xC2) {
      return 0;
    } else if (c < 0xE0) {
      need = 1;
    } else if (c < 0xF0) {
      need = 2;
      if (c == 0xE0) {
        lo = 0xA0;
      } else if (c == 0xED) {
        hi = 0x9F;
      }
    } else if (c < 0xF5) {
      need = 3;
      if (c == 0xF0) {
        lo = 0x90;
      } else if (c == 0xF4) {
        hi = 0x8F;
      }
    } else {
      return 0;
    }
    if (i + need >= b.length) {
      return 0;
    }
    int second = b[i + 1] & 0xFF;
    if (second < lo || second > hi) {
      return 0;
    }
    for (int k = 2; k <= need; k++) {
      int x = b[i + k] & 0xFF;
      if (x < 0x80 || x > 0xBF) {
        return 0;
      }
    }
    return need + 1;
  }
}
