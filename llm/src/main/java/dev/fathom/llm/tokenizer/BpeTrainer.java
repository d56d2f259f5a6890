package dev.fathom.llm.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a byte-level BPE (Sennrich et al. 2016, byte-level as in GPT-2) on a corpus.
 *
 * <pre>
 * words  = count of each piece the pre-tokenizer cuts from the corpus (special tokens removed)
 * tokens = the 256 bytes; each word = its bytes
 * while |tokens| + |specials| &lt; vocabSize:
 *   (a, b) = the adjacent pair with the highest count over all words (count × word frequency);
 *            ties: the pair whose (bytes(a), bytes(b)) is lexicographically smallest
 *   stop if count(a, b) &lt; minFrequency
 *   add merge (a, b) → token ab; replace every (a, b) in every word, left to right
 * </pre>
 *
 * <p>Ids: 0..255 are the bytes (as in {@link Tokenizers#bytes}), then merged tokens in the order
 * they were learned, then the special tokens. The result is deterministic: it depends only on the
 * corpus and the config.
 */
public final class BpeTrainer {

  /*
   * Design: pair counts are updated incrementally. Each pair keeps its count and the list of words
   * it occurs in (appended to when a merge creates the pair in a word; stale entries are skipped
   * when the word no longer has the pair). Only words containing the merged pair are rewritten:
   * their old pairs are subtracted and their new pairs added, so a merge costs time in proportion
   * to the words it touches, not the corpus. The best pair comes from a priority queue with lazy
   * deletion: each change pushes a fresh entry, and a popped entry whose count is not the pair's
   * current count is dropped. Only pairs that contain the new token can appear in a word after a
   * merge, so a pair whose count reaches zero never comes back and is deleted.
   */

  private final BpeTrainerConfig config;

  public BpeTrainer(BpeTrainerConfig config) {
    this.config = config;
  }

  /** Trains on a UTF-8 text file (invalid bytes are read as U+FFFD). */
  public BpeTokenizer train(Path corpus) throws IOException {
    return train(new String(Files.readAllBytes(corpus), StandardCharsets.UTF_8));
  }

  /** Trains on a text. */
  public BpeTokenizer train(String corpus) {
    Map<String, long[]> counts = countWords(corpus);
    int nWords = counts.size();
    int[][] words = new int[nWords][];
    long[] freq = new long[nWords];
    int w = 0;
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
      int[] sym = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        sym[i] = b[i] & 0xFF;
      }
      words[w] = sym;
      freq[w++] = e.getValue()[0];
    }
    counts = null;

    List<byte[]> tokenBytes = new ArrayList<>();
    Map<String, Integer> idsByText = new HashMap<>();
    for (int b = 0; b < 256; b++) {
      tokenBytes.add(new byte[] {(byte) b});
      idsByText.put(String.valueOf(ByteLevel.charOf(b)), b);
    }
    Map<Long, PairStat> pairs = new HashMap<>();
    for (int i = 0; i < nWords; i++) {
      int[] sym = words[i];
      for (int k = 0; k + 1 < sym.length; k++) {
        long key = LongIntMap.pair(sym[k], sym[k + 1]);
        PairStat s = pairs.computeIfAbsent(key, x -> new PairStat());
        s.count += freq[i];
        if (s.words.size() == 0 || s.words.last() != i) {
          s.words.add(i);
        }
      }
    }
    PriorityQueue<Candidate> queue = new PriorityQueue<>(this::better);
    for (Map.Entry<Long, PairStat> e : pairs.entrySet()) {
      queue.add(candidate(e.getKey(), e.getValue().count, tokenBytes));
    }

    int targetTokens = config.vocabSize() - config.specialTokens().size();
    IntList mergeLeft = new IntList(targetTokens);
    IntList mergeRight = new IntList(targetTokens);
    int[] stamp = new int[nWords];
    Arrays.fill(stamp, -1);
    Set<Long> touched = new HashSet<>();
    while (tokenBytes.size() < targetTokens && !queue.isEmpty()) {
      Candidate top = queue.poll();
      PairStat stat = pairs.get(top.key);
      if (stat == null || stat.count != top.count) {
        continue;
      }
      if (stat.count < config.minFrequency()) {
        break;
      }
      int a = (int) (top.key >>> 32);
      int b = (int) top.key;
      byte[] joined = concat(tokenBytes.get(a), tokenBytes.get(b));
      String text = ByteLevel.encode(joined);
      Integer existing = idsByText.get(text);
      int c;
      if (existing != null) {
        c = existing;
      } else {
        c = tokenBytes.size();
        tokenBytes.add(joined);
        idsByText.put(text, c);
      }
      int rank = mergeLeft.size();
      mergeLeft.add(a);
      mergeRight.add(b);
      touched.clear();
      int[] occurrences = stat.words.toArray();
      for (int wi : occurrences) {
        if (stamp[wi] == rank) {
          continue;
        }
        stamp[wi] = rank;
        int[] merged = mergeWord(words[wi], a, b, c);
        if (merged == null) {
          continue;
        }
        addPairs(pairs, words[wi], -freq[wi], wi, -1, touched);
        addPairs(pairs, merged, freq[wi], wi, c, touched);
        words[wi] = merged;
      }
      for (long key : touched) {
        PairStat s = pairs.get(key);
        if (s != null) {
          if (s.count <= 0) {
            pairs.remove(key);
          } else {
            queue.add(candidate(key, s.count, tokenBytes));
          }
        }
      }
    }
    return new BpeTokenizer(spec(tokenBytes, mergeLeft.toArray(), mergeRight.toArray()));
  }

  private BpeSpec spec(List<byte[]> tokenBytes, int[] left, int[] right) {
    List<String> specials = config.specialTokens();
    int n = tokenBytes.size() + specials.size();
    String[] tokens = new String[n];
    BitSet inModel = new BitSet(n);
    for (int id = 0; id < tokenBytes.size(); id++) {
      tokens[id] = ByteLevel.encode(tokenBytes.get(id));
      inModel.set(id);
    }
    List<AddedToken> added = new ArrayList<>();
    for (int i = 0; i < specials.size(); i++) {
      int id = tokenBytes.size() + i;
      tokens[id] = specials.get(i);
      added.add(AddedToken.special(id, specials.get(i)));
    }
    return new BpeSpec(
        tokens, inModel, left, right, added, config.preTokenizer(), false, false, null, false,
        false, null, null, null);
  }

  private Map<String, long[]> countWords(String corpus) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    PreTokenizer.Compiled pre = config.preTokenizer().compiled();
    for (String segment : splitSpecials(corpus)) {
      pre.split(segment, piece -> counts.computeIfAbsent(piece, k -> new long[1])[0]++);
    }
    return counts;
  }

  private List<String> splitSpecials(String corpus) {
    if (config.specialTokens().isEmpty()) {
      return List.of(corpus);
    }
    StringBuilder alt = new StringBuilder();
    for (String s : config.specialTokens()) {
      alt.append(alt.isEmpty() ? "" : "|").append(Pattern.quote(s));
    }
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile(alt.toString()).matcher(corpus);
    int last = 0;
    while (m.find()) {
      out.add(corpus.substring(last, m.start()));
      last = m.end();
    }
    out.add(corpus.substring(last));
    return out;
  }

  /** The word with every (a, b) replaced by c left to right, or null if it has no (a, b). */
  static int[] mergeWord(int[] sym, int a, int b, int c) {
    int[] out = null;
    int w = 0;
    for (int i = 0; i < sym.length; i++) {
      if (i + 1 < sym.length && sym[i] == a && sym[i + 1] == b) {
        if (out == null) {
          out = new int[sym.length - 1];
          System.arraycopy(sym, 0, out, 0, i);
          w = i;
        }
        out[w++] = c;
        i++;
      } else if (out != null) {
        out[w++] = sym[i];
      }
    }
    return out == null ? null : Arrays.copyOf(out, w);
  }

  private static void addPairs(
      Map<Long, PairStat> pairs, int[] sym, long delta, int word, int created, Set<Long> touched) {
    for (int k = 0; k + 1 < sym.length; k++) {
      long key = LongIntMap.pair(sym[k], sym[k + 1]);
      PairStat s = pairs.get(key);
      if (s == null) {
        s = new PairStat();
        pairs.put(key, s);
      }
      s.count += delta;
      if ((sym[k] == created || sym[k + 1] == created)
          && (s.words.size() == 0 || s.words.last() != word)) {
        s.words.add(word);
      }
      touched.add(key);
    }
  }

  private static byte[] concat(byte[] x, byte[] y) {
    byte[] out = Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, out, x.length, y.length);
    return out;
  }

  private static Candidate candidate(long key, long count, List<byte[]> tokenBytes) {
    return new Candidate(
        key, count, tokenBytes.get((int) (key >>> 32)), tokenBytes.get((int) key));
  }

  /** Higher count first; on a tie, the lexicographically smaller (left, right) bytes first. */
  private int better(Candidate x, Candidate y) {
    if (x.count != y.count) {
      return Long.compare(y.count, x.count);
    }
    int c = Arrays.compareUnsigned(x.left, y.left);
    return c != 0 ? c : Arrays.compareUnsigned(x.right, y.right);
  }

  private record Candidate(long key, long count, byte[] left, byte[] right) {}

  /** Count of a pair over the corpus and the words it may occur in. */
  private static final class PairStat {
    long count;
    final IntList words = new IntList(4);
  }
}
