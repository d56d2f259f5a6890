package dev.fathom.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoundTripTest {

  /** Code point pools: the generator picks a pool, then a code point in it. */
  private static final int[][] POOLS = {
    {0x20, 0x7E}, // ASCII printable
    {'a', 'z'},
    {0x00, 0x1F}, // control characters
    {0x80, 0xFF}, // Latin-1, including NEL and NBSP
    {0x300, 0x36F}, // combining marks
    {0x400, 0x4FF}, // Cyrillic
    {0x600, 0x6FF}, // Arabic
    {0x4E00, 0x9FFF}, // CJK
    {0xAC00, 0xD7A3}, // Hangul
    {0x2000, 0x206F}, // general punctuation and odd spaces (incl. U+200B, U+2028)
    {0xFE00, 0xFFFD}, // variation selectors .. replacement char (incl. U+FEFF)
    {0x1F300, 0x1FAFF}, // emoji
    {0x10000, 0x10FFFF}, // anything supplementary
  };

  private static final String[] RUNS = {" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "'s"};

  static String randomText(Random r, int maxLen) {
    StringBuilder sb = new StringBuilder();
    int len = r.nextInt(maxLen + 1);
    while (sb.length() < len) {
      if (r.nextInt(5) == 0) {
        sb.append(RUNS[r.nextInt(RUNS.length)].repeat(1 + r.nextInt(4)));
        continue;
      }
      int[] pool = POOLS[r.nextInt(POOLS.length)];
      int cp = pool[0] + r.nextInt(pool[1] - pool[0] + 1);
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        continue;
      }
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }

  @Test
  void randomStringsRoundTripThroughGpt2() {
    assertTextRoundTrips(Fixtures.gpt2(), 1);
  }

  @Test
  void randomStringsRoundTripThroughTheByteTokenizer() {
    assertTextRoundTrips(Tokenizers.bytes("<|endoftext|>"), 2);
  }

  @Test
  void randomStringsRoundTripThroughATrainedLlama3StyleTokenizer() {
    Random r = new Random(3);
    StringBuilder corpus = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      corpus.append(randomText(r, 40)).append(" the quick brown fox 12345\n");
    }
    BpeTokenizer t =
        new BpeTrainer(
                new BpeTrainerConfig(600, java.util.List.of("<eos>"), PreTokenizer.llama3(), 2))
            .train(corpus.toString());
    assertTextRoundTrips(t, 4);
  }

  private static void assertTextRoundTrips(Tokenizer t, long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < 400; i++) {
      String s = randomText(r, 60);
      int[] ids = t.encode(s);
      assertThat(t.decode(ids)).as("round trip of %s", s.codePoints().boxed().toList())
          .isEqualTo(s);
      assertThat(t.encodeBytes(s.getBytes(StandardCharsets.UTF_8))).containsExactly(ids);
    }
  }

  @Test
  void randomBytesRoundTripIncludingInvalidUtf8() {
    Random r = new Random(5);
    Tokenizer[] tokenizers = {Fixtures.gpt2(), Tokenizers.bytes()};
    for (Tokenizer t : tokenizers) {
      for (int i = 0; i < 400; i++) {
        byte[] b = new byte[r.nextInt(80)];
        if (i % 2 == 0) {
          r.nextBytes(b);
        } else {
          // Mostly valid UTF-8 with invalid bytes sprinkled in.
          byte[] text = randomText(r, 40).getBytes(StandardCharsets.UTF_8);
          b = java.util.Arrays.copyOf(text, text.length + 1);
          b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(0x80));
        }
        assertThat(t.decodeBytes(t.encodeBytes(b))).containsExactly(b);
      }
    }
  }

  @Test
  void byteTokenizerIdsAreTheBytes() {
    BpeTokenizer t = Tokenizers.bytes();
    assertThat(t.vocabSize()).isEqualTo(256);
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    int[] ids = t.encodeBytes(all);
    for (int i = 0; i < 256; i++) {
      assertThat(ids[i]).isEqualTo(i);
    }
    assertThat(t.encode("é")).containsExactly(0xC3, 0xA9);
    BpeTokenizer withSpecials = Tokenizers.bytes("<bos>", "<eos>");
    assertThat(withSpecials.vocabSize()).isEqualTo(258);
    assertThat(withSpecials.encodeWithSpecials("<bos>hi<eos>")).containsExactly(256, 'h', 'i', 257);
    assertThat(withSpecials.encode("<eos>")).hasSize(5);
  }

  @Test
  void invalidUtf8DecodesToReplacementCharacters() {
    BpeTokenizer t = Tokenizers.bytes();
    int[] euro = t.encode("€"); // E2 82 AC
    assertThat(t.decode(new int[] {euro[0], euro[1]})).isEqualTo("\uFFFD");
    assertThat(t.decode(new int[] {0xFF, 'a'})).isEqualTo("\uFFFDa");
    assertThat(t.decodeBytes(new int[] {euro[0], euro[1]})).containsExactly(0xE2, 0x82);
  }

  @Test
  void longPiecesAndWhitespaceRunsRoundTripQuickly() {
    BpeTokenizer t = Fixtures.gpt2();
    String[] texts = {
      " ".repeat(20_000) + "x",
      "\n".repeat(5_000) + "\r\n\t ".repeat(2_000),
      "abcdefghij".repeat(20_000),
      "ab".repeat(50_000),
      "😀".repeat(5_000),
    };
    for (String s : texts) {
      assertThat(t.decode(t.encode(s))).isEqualTo(s);
      StringBuilder joined = new StringBuilder();
      PreTokenizer.llama3().compiled().split(s, joined::append);
      assertThat(joined.toString()).isEqualTo(s);
    }
  }

  @Test
  void heapAndScanMergeTheSameWay() {
    BpeTokenizer t = Fixtures.gpt2();
    Merges merges = t.merges();
    Random r = new Random(7);
    String alphabet = "aaabbbeeeetttnnnsssr Ġ.,'";
    for (int i = 0; i < 300; i++) {
      int n = 2 + r.nextInt(Merges.SCAN_LIMIT);
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < n; k++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
      int[] a = new int[bytes.length];
      for (int k = 0; k < bytes.length; k++) {
        a[k] = t.tokenId(String.valueOf(ByteLevel.charOf(bytes[k] & 0xFF))).getAsInt();
      }
      assertThat(merges.heap(a.clone())).containsExactly(merges.scan(a.clone()));
    }
  }
}
