package dev.fathom.llm.tokenizer;

/**
 * GPT-2's byte-level alphabet: each of the 256 byte values gets one printable character, so
 * a token made of arbitrary bytes can be written as a JSON string key.
 *
 * <p>Bytes that are printable Latin-1 ({@code '!'..'~'}, {@code '¡'..'¬'}, {@code '®'..'ÿ'}) map
 * to the character with the same code; the other 68 bytes map, in increasing byte order, to
 * U+0100, U+0101, ... (so the space 0x20 becomes {@code 'Ġ'} U+0120).
 */
final class ByteLevel {

  private static final char[] BYTE_TO_CHAR = new char[256];
  /** Index = char code (below 0x200), value = byte, or -1 when the char is not in the alphabet. */
  private static final short[] CHAR_TO_BYTE = new short[0x200];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
    int n = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      char c = printable ? (char) b : (char) (256 + n++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = (short) b;
    }
  }

  private ByteLevel() {}

  /** The alphabet character of byte {@code b} (0..255). */
  static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte-level string of {@code bytes}: one character per byte. */
  static String encode(byte[] bytes) {
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(out);
  }

  /**
   * The bytes a byte-level string stands for, or {@code null} when some character is outside the
   * alphabet (then the string is not a byte-level token, e.g. an added token's content).
   */
  static byte[] decode(String s) {
    byte[] out = new byte[s.length()];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b < 0) {
        return null;
      }
      out[i] = (byte) b;
    }
    return out;
  }
}
