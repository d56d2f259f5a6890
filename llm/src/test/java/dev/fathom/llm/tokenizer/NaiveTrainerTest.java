package dev.fathom.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The incremental trainer against a naive one that recounts every pair before every merge (slow,
 * obviously right), on a text where many counts tie.
 */
class NaiveTrainerTest {

  @Test
  void incrementalTrainerMatchesFullRecounting() {
    Random r = new Random(11);
    StringBuilder sb = new StringBuilder();
    String[] words = {"the", "then", "there", "at", "that", "hat", "aaa", "aaaa", "ab", "ba", "é",
      "日本", "12", "123", "!!", "  "};
    for (int i = 0; i < 3000; i++) {
      sb.append(words[r.nextInt(words.length)]).append(r.nextInt(4) == 0 ? "\n" : " ");
    }
    String corpus = sb.toString();
    int vocab = 330;
    BpeTokenizer t =
        new BpeTrainer(new BpeTrainerConfig(vocab, List.of(), PreTokenizer.gpt2(), 1))
            .train(corpus);
    List<String> expected = naiveMerges(corpus, vocab - 256);
    List<String> actual = new ArrayList<>();
    for (int m = 0; m < t.mergeCount(); m++) {
      actual.add(mergeText(t, m));
    }
    assertThat(actual).hasSizeGreaterThan(40).containsExactlyElementsOf(expected);
  }

  @Test
  void incrementalTrainerMatchesFullRecountingOnShakespeare() throws Exception {
    var path = Fixtures.tinyShakespeare();
    org.junit.jupiter.api.Assumptions.assumeTrue(path.isPresent(), "no Tiny Shakespeare");
    String corpus = java.nio.file.Files.readString(path.get()).substring(0, 20_000);
    int vocab = 330;
    BpeTokenizer t =
        new BpeTrainer(new BpeTrainerConfig(vocab, List.of(), PreTokenizer.gpt2(), 1))
            .train(corpus);
    List<String> actual = new ArrayList<>();
    for (int m = 0; m < t.mergeCount(); m++) {
      actual.add(mergeText(t, m));
    }
    assertThat(actual)
        .hasSize(vocab - 256)
        .containsExactlyElementsOf(naiveMerges(corpus, vocab - 256));
  }

  /** Merges as "left right" byte-level strings. */
  static List<String> naiveMerges(String corpus, int maxMerges) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    PreTokenizer.gpt2().compiled().split(corpus, p -> counts.merge(p, 1, Integer::sum));
    List<List<String>> words = new ArrayList<>();
    List<Integer> freq = new ArrayList<>();
    counts.forEach((w, c) -> {
      List<String> sym = new ArrayList<>();
      for (byte b : w.getBytes(StandardCharsets.UTF_8)) {
        sym.add(String.valueOf(ByteLevel.charOf(b & 0xFF)));
      }
      words.add(sym);
      freq.add(c);
    });
    List<String> merges = new ArrayList<>();
    while (merges.size() < maxMerges) {
      Map<List<String>, Long> pairs = new HashMap<>();
      for (int i = 0; i < words.size(); i++) {
        List<String> s = words.get(i);
        for (int k = 0; k + 1 < s.size(); k++) {
          pairs.merge(List.of(s.get(k), s.get(k + 1)), (long) freq.get(i), Long::sum);
        }
      }
      List<String> best = null;
      long bestCount = 0;
      for (var e : pairs.entrySet()) {
        if (e.getValue() > bestCount
            || (e.getValue() == bestCount && compare(e.getKey(), best) < 0)) {
          best = e.getKey();
          bestCount = e.getValue();
        }
      }
      if (best == null) {
        break;
      }
      merges.add(best.get(0) + " " + best.get(1));
      for (List<String> s : words) {
        for (int k = 0; k + 1 < s.size(); k++) {
          if (s.get(k).equals(best.get(0)) && s.get(k + 1).equals(best.get(1))) {
            s.set(k, best.get(0) + best.get(1));
            s.remove(k + 1);
          }
        }
      }
    }
    return merges;
  }

  private static int compare(List<String> x, List<String> y) {
    int c = Arrays.compareUnsigned(ByteLevel.decode(x.get(0)), ByteLevel.decode(y.get(0)));
    return c != 0
        ? c
        : Arrays.compareUnsigned(ByteLevel.decode(x.get(1)), ByteLevel.decode(y.get(1)));
  }

  private static String mergeText(BpeTokenizer t, int m) {
    return t.tokenText(t.spec().mergeLeft()[m]) + " " + t.tokenText(t.spec().mergeRight()[m]);
  }
}
