package dev.fathom.llm.tokenizer;

import dev.fathom.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE (GPT-2, Llama 3, Qwen2 style), and with no merges the byte tokenizer.
 *
 * <p>Encoding: split added tokens out (only in {@link #encodeWithSpecials}), cut the rest into
 * pieces with the {@link PreTokenizer}, turn each piece into its UTF-8 bytes, one symbol per byte,
 * and apply the merges by rank (see {@link Merges}). Results per piece are cached, which is what
 * makes natural text fast: most pieces are words seen before.
 *
 * <p>Make one with {@link Tokenizers#load}, {@link Tokenizers#bytes} or {@link BpeTrainer}.
 */
public final class BpeTokenizer implements Tokenizer {

  /*
   * Design: the tokenizer keeps the BpeSpec it was built from, so save() writes back exactly what
   * was loaded (including the post-processor and padding it does not apply). Ids are dense: every
   * id 0..vocabSize-1 has a token, so decode needs no map. The per-piece cache is bounded (it is
   * cleared when full) and only holds short pieces, so hostile text cannot grow it without end.
   */

  private static final int CACHE_MAX_ENTRIES = 1 << 17;
  private static final int CACHE_MAX_PIECE_CHARS = 128;

  private final BpeSpec spec;
  private final byte[][] tokenBytes;
  private final Map<String, Integer> modelIds;
  private final Map<String, Integer> addedIds;
  private final Map<String, AddedToken> addedByContent = new HashMap<>();
  private final int[] byteToId = new int[256];
  private final Merges merges;
  private final PreTokenizer.Compiled pre;
  private final Pattern addedPattern;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  /**
   * Builds a tokenizer from its parts.
   *
   * @throws IllegalArgumentException if the parts contradict each other (the message says how)
   */
  BpeTokenizer(BpeSpec spec) {
    this.spec = spec;
    String[] tokens = spec.tokens();
    int n = tokens.length;
    tokenBytes = new byte[n][];
    modelIds = new HashMap<>(n * 2);
    addedIds = new HashMap<>();
    for (int id = 0; id < n; id++) {
      if (tokens[id] == null) {
        throw new IllegalArgumentException("no token has id " + id + " of 0.." + (n - 1));
      }
      if (spec.inModelVocab().get(id)) {
        byte[] b = ByteLevel.decode(tokens[id]);
        if (b == null || b.length == 0) {
          throw new IllegalArgumentException(
              "vocab entry \"" + tokens[id] + "\" (id " + id + ") is not a byte-level token: "
                  + "expected characters of GPT-2's bytes_to_unicode alphabet");
        }
        if (modelIds.putIfAbsent(tokens[id], id) != null) {
          throw new IllegalArgumentException(
              "vocab entry \"" + tokens[id] + "\" appears twice, with ids "
                  + modelIds.get(tokens[id]) + " and " + id);
        }
        tokenBytes[id] = b;
      } else {
        tokenBytes[id] = tokens[id].getBytes(StandardCharsets.UTF_8);
      }
    }
    Arrays.fill(byteToId, -1);
    for (int b = 0; b < 256; b++) {
      Integer id = modelIds.get(String.valueOf(ByteLevel.charOf(b)));
      if (id == null) {
        throw new IllegalArgumentException(
            String.format(
                "vocab has no token for byte 0x%02X (\"%c\"): a byte-level BPE needs all 256",
                b, ByteLevel.charOf(b)));
      }
      byteToId[b] = id;
    }
    for (AddedToken t : spec.added()) {
      if (t.id() >= n || !tokens[t.id()].equals(t.content())) {
        throw new IllegalArgumentException(
            "added token \"" + t.content() + "\" has id " + t.id() + " but that id is "
                + (t.id() >= n ? "out of range 0.." + (n - 1) : "\"" + tokens[t.id()] + "\""));
      }
      addedByContent.putIfAbsent(t.content(), t);
      if (addedIds.putIfAbsent(t.content(), t.id()) != null) {
        throw new IllegalArgumentException(
            "added token \"" + t.content() + "\" appears twice, with ids "
                + addedIds.get(t.content()) + " and " + t.id());
      }
    }
    merges = buildMerges(spec, tokens, n);
    pre = spec.preTokenizer().compiled();
    addedPattern = addedPattern(spec.added());
  }

  private Merges buildMerges(BpeSpec spec, String[] tokens, int n) {
    int m = spec.mergeLeft().length;
    int[] merged = new int[m];
    for (int r = 0; r < m; r++) {
      int a = spec.mergeLeft()[r];
      int b = spec.mergeRight()[r];
      if (a < 0 || a >= n || b < 0 || b >= n
          || !spec.inModelVocab().get(a) || !spec.inModelVocab().get(b)) {
        throw new IllegalArgumentException(
            "merge " + r + " refers to ids " + a + " and " + b
                + ", expected ids of model vocab entries in 0.." + (n - 1));
      }
      Integer c = modelIds.get(tokens[a] + tokens[b]);
      if (c == null) {
        throw new IllegalArgumentException(
            "merge " + r + " (\"" + tokens[a] + "\" + \"" + tokens[b] + "\") makes \""
                + tokens[a] + tokens[b] + "\", which is not in the vocab");
      }
      merged[r] = c;
    }
    return new Merges(spec.mergeLeft().clone(), spec.mergeRight().clone(), merged);
  }

  private static Pattern addedPattern(List<AddedToken> added) {
    if (added.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    added.stream()
        .map(AddedToken::content)
        .distinct()
        .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(s -> s))
        .forEach(c -> sb.append(sb.isEmpty() ? "" : "|").append(Pattern.quote(c)));
    return Pattern.compile(sb.toString());
  }

  BpeSpec spec() {
    return spec;
  }

  Merges merges() {
    return merges;
  }

  /** Number of merges (0 for a byte tokenizer). */
  public int mergeCount() {
    return merges.size();
  }

  /** The added (special) tokens, in file order. */
  public List<AddedToken> addedTokens() {
    return spec.added();
  }

  /** The pre-tokenizer that cuts text into pieces. */
  public PreTokenizer preTokenizer() {
    return spec.preTokenizer();
  }

  @Override
  public int vocabSize() {
    return tokenBytes.length;
  }

  @Override
  public int[] encode(String text) {
    IntList out = new IntList(text.length() / 3 + 4);
    encodeText(text, out);
    return out.toArray();
  }

  @Override
  public int[] encodeWithSpecials(String text) {
    if (addedPattern == null) {
      return encode(text);
    }
    IntList out = new IntList(text.length() / 3 + 4);
    Matcher m = addedPattern.matcher(text);
    int len = text.length();
    int last = 0;
    int from = 0;
    while (from < len && m.find(from)) {
      int s = m.start();
      int e = m.end();
      AddedToken t = addedByContent.get(m.group());
      if (t.singleWord()
          && ((s > 0 && isWordChar(text.codePointBefore(s)))
              || (e < len && isWordChar(text.codePointAt(e))))) {
        from = s + 1;
        continue;
      }
      int segEnd = s;
      if (t.lstrip()) {
        while (segEnd > last && Character.isWhitespace(text.charAt(segEnd - 1))) {
          segEnd--;
        }
      }
      encodeText(text.substring(last, segEnd), out);
      out.add(t.id());
      last = e;
      if (t.rstrip()) {
        while (last < len && Character.isWhitespace(text.charAt(last))) {
          last++;
        }
      }
      from = last;
    }
    encodeText(text.substring(last), out);
    return out.toArray();
  }

  private static boolean isWordChar(int cp) {
    return Character.isLetterOrDigit(cp) || cp == '_';
  }

  @Override
  public int[] encodeBytes(byte[] bytes) {
    IntList out = new IntList(bytes.length / 3 + 4);
    int runStart = 0;
    int i = 0;
    while (i < bytes.length) {
      int len = Utf8.validLength(bytes, i);
      if (len > 0) {
        i += len;
        continue;
      }
      if (i > runStart) {
        encodeText(new String(bytes, runStart, i - runStart, StandardCharsets.UTF_8), out, false);
      }
      out.add(byteToId[bytes[i] & 0xFF]);
      i++;
      runStart = i;
    }
    if (i > runStart) {
      encodeText(new String(bytes, runStart, i - runStart, StandardCharsets.UTF_8), out, false);
    }
    return out.toArray();
  }

  private void encodeText(String text, IntList out) {
    encodeText(text, out, spec.nfc());
  }

  private void encodeText(String text, IntList out, boolean normalize) {
    if (text.isEmpty()) {
      return;
    }
    String t = normalize ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
    pre.split(t, piece -> out.addAll(encodePiece(piece)));
  }

  private int[] encodePiece(String piece) {
    boolean cacheable = piece.length() <= CACHE_MAX_PIECE_CHARS;
    if (cacheable) {
      int[] hit = cache.get(piece);
      if (hit != null) {
        return hit;
      }
    }
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    int[] ids = null;
    if (spec.ignoreMerges()) {
      Integer whole = modelIds.get(ByteLevel.encode(bytes));
      if (whole != null) {
        ids = new int[] {whole};
      }
    }
    if (ids == null) {
      int[] sym = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        sym[i] = byteToId[bytes[i] & 0xFF];
      }
      ids = merges.apply(sym);
    }
    if (cacheable) {
      if (cache.size() >= CACHE_MAX_ENTRIES) {
        cache.clear();
      }
      cache.put(piece, ids);
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    return new String(decodeBytes(ids), StandardCharsets.UTF_8);
  }

  @Override
  public byte[] decodeBytes(int[] ids) {
    int total = 0;
    for (int id : ids) {
      checkId(id);
      total += tokenBytes[id].length;
    }
    byte[] out = new byte[total];
    int w = 0;
    for (int id : ids) {
      byte[] b = tokenBytes[id];
      System.arraycopy(b, 0, out, w, b.length);
      w += b.length;
    }
    return out;
  }

  private void checkId(int id) {
    if (id < 0 || id >= tokenBytes.length) {
      throw new IllegalArgumentException(
          "token id " + id + " is out of range: vocab size is " + tokenBytes.length
              + " (ids 0.." + (tokenBytes.length - 1) + ")");
    }
  }

  @Override
  public OptionalInt tokenId(String tokenContent) {
    Integer id = addedIds.get(tokenContent);
    if (id == null) {
      id = modelIds.get(tokenContent);
    }
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  @Override
  public String tokenText(int id) {
    checkId(id);
    return spec.tokens()[id];
  }

  /** The exact bytes token {@code id} stands for. */
  public byte[] tokenBytes(int id) {
    checkId(id);
    return tokenBytes[id].clone();
  }

  @Override
  public void save(Path tokenizerJson) throws IOException {
    AtomicFiles.writeString(tokenizerJson, TokenizerJsonWriter.write(spec));
  }

  /** Spec of a byte tokenizer: ids 0..255 are bytes, then the special tokens. */
  static BpeSpec byteSpec(List<String> specialTokens) {
    int n = 256 + specialTokens.size();
    String[] tokens = new String[n];
    BitSet inModel = new BitSet(n);
    for (int b = 0; b < 256; b++) {
      tokens[b] = String.valueOf(ByteLevel.charOf(b));
      inModel.set(b);
    }
    List<AddedToken> added = new java.util.ArrayList<>();
    for (int i = 0; i < specialTokens.size(); i++) {
      tokens[256 + i] = specialTokens.get(i);
      added.add(AddedToken.special(256 + i, specialTokens.get(i)));
    }
    return new BpeSpec(
        tokens, inModel, new int[0], new int[0], added, PreTokenizer.none(), false, false, null,
        false, false, null, null, null);
  }
}
