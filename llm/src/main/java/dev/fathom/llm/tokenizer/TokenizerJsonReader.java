package dev.fathom.llm.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Hugging Face {@code tokenizer.json} holding a byte-level BPE.
 *
 * <p>Accepted: {@code model.type} BPE without dropout, subword prefix or word suffix; merges as
 * {@code "a b"} strings or {@code ["a", "b"]} pairs; pre-tokenizer ByteLevel, Split (Isolated,
 * regex or string) or a Sequence of these; normalizer null or NFC; decoder null or ByteLevel.
 * {@code post_processor}, {@code truncation} and {@code padding} are kept verbatim for saving and
 * not applied. Anything else is refused with a {@link TokenizerFormatException} naming the field.
 */
final class TokenizerJsonReader {

  /** The largest vocabulary accepted (Llama 3 has 128 256; Gemma 262 144). */
  static final int MAX_TOKENS = 1 << 22;

  private static final JsonMapper MAPPER =
      JsonMapper.builder(
              com.fasterxml.jackson.core.JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(64)
                          .maxNumberLength(64)
                          .maxStringLength(1 << 26)
                          .build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  private final String source;

  private TokenizerJsonReader(String source) {
    this.source = source;
  }

  /**
   * Parses and validates {@code json}.
   *
   * @param source where the bytes came from, for messages
   */
  static BpeTokenizer read(byte[] json, String source) throws TokenizerFormatException {
    return new TokenizerJsonReader(source).read(json);
  }

  private BpeTokenizer read(byte[] json) throws TokenizerFormatException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      String detail = e.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; ", "[");
      throw fail("expected well-formed JSON, got: " + detail + locationOf(e), e);
    } catch (java.io.IOException e) {
      throw fail("expected well-formed JSON, got: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw fail("expected a JSON object, got an empty file");
    }
    if (!root.isObject()) {
      throw fail("expected a JSON object at the top level, got " + kind(root));
    }
    JsonNode model = root.get("model");
    if (model == null || !model.isObject()) {
      throw fail("expected \"model\" to be an object, got " + kind(model));
    }
    checkModelType(model);
    checkAbsentOrNull(model, "dropout", "null or 0 (BPE dropout is not supported)", true);
    checkAbsentOrNull(model, "continuing_subword_prefix", "null or \"\"", false);
    checkAbsentOrNull(model, "end_of_word_suffix", "null or \"\"", false);
    String unk = optionalString(model, "unk_token", "model.unk_token");
    boolean fuseUnk = bool(model, "fuse_unk", false, "model.fuse_unk");
    boolean byteFallback = bool(model, "byte_fallback", false, "model.byte_fallback");
    boolean ignoreMerges = bool(model, "ignore_merges", false, "model.ignore_merges");

    JsonNode vocab = model.get("vocab");
    if (vocab == null || !vocab.isObject()) {
      throw fail("expected \"model.vocab\" to be an object of token -> id, got " + kind(vocab));
    }
    List<AddedToken> added = readAdded(root.get("added_tokens"));
    Map<String, Integer> vocabIds = new HashMap<>(vocab.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      vocabIds.put(e.getKey(), intValue(e.getValue(), "model.vocab[" + quote(e.getKey()) + "]"));
    }
    int total = vocabIds.size();
    for (AddedToken t : added) {
      Integer inVocab = vocabIds.get(t.content());
      if (inVocab == null) {
        total++;
      } else if (inVocab != t.id()) {
        throw fail("added token " + quote(t.content()) + " has id " + t.id()
            + " but model.vocab gives it id " + inVocab);
      }
    }
    if (total > MAX_TOKENS) {
      throw fail("expected at most " + MAX_TOKENS + " tokens, got " + total);
    }
    String[] tokens = new String[total];
    BitSet inModel = new BitSet(total);
    for (Map.Entry<String, Integer> e : vocabIds.entrySet()) {
      int id = e.getValue();
      checkRange(id, total, "model.vocab[" + quote(e.getKey()) + "]");
      if (tokens[id] != null) {
        throw duplicateId(id, tokens[id], e.getKey());
      }
      tokens[id] = e.getKey();
      inModel.set(id);
    }
    for (AddedToken t : added) {
      checkRange(t.id(), total, "added token " + quote(t.content()));
      if (tokens[t.id()] != null && !(inModel.get(t.id()) && tokens[t.id()].equals(t.content()))) {
        throw duplicateId(t.id(), tokens[t.id()], t.content());
      }
      tokens[t.id()] = t.content();
    }
    int[][] merges = readMerges(model.get("merges"), vocabIds);
    PreTokenizer pre = readPreTokenizer(root.get("pre_tokenizer"));
    boolean nfc = readNormalizer(root.get("normalizer"));
    checkDecoder(root.get("decoder"));
    BpeSpec spec =
        new BpeSpec(
            tokens, inModel, merges[0], merges[1], added, pre, nfc, ignoreMerges, unk, fuseUnk,
            byteFallback, nullIfMissing(root.get("truncation")), nullIfMissing(root.get("padding")),
            nullIfMissing(root.get("post_processor")));
    try {
      return new BpeTokenizer(spec);
    } catch (IllegalArgumentException e) {
      throw fail(e.getMessage(), e);
    }
  }

  private void checkModelType(JsonNode model) throws TokenizerFormatException {
    JsonNode type = model.get("type");
    if (type == null || type.isNull()) {
      if (model.has("merges")) {
        return; // older files omit the type; merges make it a BPE
      }
      throw fail("expected \"model.type\" \"BPE\", got no type and no merges");
    }
    if (!type.isTextual()) {
      throw fail("expected \"model.type\" to be a string, got " + kind(type));
    }
    if (!type.asText().equals("BPE")) {
      throw fail("unsupported model type " + quote(type.asText())
          + ": expected \"BPE\" (byte-level BPE; WordPiece, Unigram and WordLevel are not"
          + " supported)");
    }
  }

  private void checkAbsentOrNull(JsonNode obj, String field, String expected, boolean zeroOk)
      throws TokenizerFormatException {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return;
    }
    if (zeroOk && v.isNumber() && v.asDouble() == 0.0) {
      return;
    }
    if (!zeroOk && v.isTextual() && v.asText().isEmpty()) {
      return;
    }
    throw fail("unsupported model." + field + " " + v + ": expected " + expected);
  }

  private List<AddedToken> readAdded(JsonNode node) throws TokenizerFormatException {
    List<AddedToken> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw fail("expected \"added_tokens\" to be an array, got " + kind(node));
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      String where = "added_tokens[" + i + "]";
      if (!t.isObject()) {
        throw fail("expected " + where + " to be an object, got " + kind(t));
      }
      int id = intValue(t.get("id"), where + ".id");
      JsonNode c = t.get("content");
      if (c == null || !c.isTextual() || c.asText().isEmpty()) {
        throw fail("expected " + where + ".content to be a non-empty string, got " + kind(c));
      }
      out.add(
          new AddedToken(
              id, c.asText(), bool(t, "single_word", false, where + ".single_word"),
              bool(t, "lstrip", false, where + ".lstrip"),
              bool(t, "rstrip", false, where + ".rstrip"),
              bool(t, "normalized", false, where + ".normalized"),
              bool(t, "special", false, where + ".special")));
    }
    return out;
  }

  private int[][] readMerges(JsonNode node, Map<String, Integer> vocab)
      throws TokenizerFormatException {
    if (node == null || node.isNull()) {
      return new int[][] {new int[0], new int[0]};
    }
    if (!node.isArray()) {
      throw fail("expected \"model.merges\" to be an array, got " + kind(node));
    }
    int m = node.size();
    int[] left = new int[m];
    int[] right = new int[m];
    for (int r = 0; r < m; r++) {
      JsonNode e = node.get(r);
      String where = "model.merges[" + r + "]";
      String a;
      String b;
      if (e.isTextual()) {
        String s = e.asText();
        int sp = s.indexOf(' ');
        if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
          throw fail("expected " + where + " to be \"left right\" (two tokens, one space), got "
              + quote(s));
        }
        a = s.substring(0, sp);
        b = s.substring(sp + 1);
      } else if (e.isArray() && e.size() == 2 && e.get(0).isTextual() && e.get(1).isTextual()) {
        a = e.get(0).asText();
        b = e.get(1).asText();
      } else {
        throw fail("expected " + where + " to be \"left right\" or [\"left\", \"right\"], got "
            + abbreviate(e.toString()));
      }
      left[r] = mergeSide(vocab, a, where);
      right[r] = mergeSide(vocab, b, where);
    }
    return new int[][] {left, right};
  }

  private int mergeSide(Map<String, Integer> vocab, String token, String where)
      throws TokenizerFormatException {
    Integer id = vocab.get(token);
    if (id == null) {
      throw fail(where + " refers to token " + quote(token)
          + ", expected a token of model.vocab but it is absent");
    }
    return id;
  }

  private PreTokenizer readPreTokenizer(JsonNode node) throws TokenizerFormatException {
    List<String> patterns = new ArrayList<>();
    boolean[] prefix = new boolean[1];
    collectPre(node, "pre_tokenizer", patterns, prefix);
    try {
      return new PreTokenizer(patterns, prefix[0]);
    } catch (PatternSyntaxException e) {
      throw fail("pre_tokenizer: expected a regex Java can compile, got "
          + quote(e.getPattern()) + " (" + e.getDescription() + ")", e);
    }
  }

  private void collectPre(JsonNode node, String where, List<String> patterns, boolean[] prefix)
      throws TokenizerFormatException {
    if (node == null || node.isNull()) {
      return;
    }
    String type = typeOf(node, where);
    switch (type) {
      case "ByteLevel" -> {
        prefix[0] |= bool(node, "add_prefix_space", true, where + ".add_prefix_space");
        if (bool(node, "use_regex", true, where + ".use_regex")) {
          patterns.add(PreTokenizer.GPT2_PATTERN);
        }
      }
      case "Split" -> {
        JsonNode p = node.get("pattern");
        String behavior = node.path("behavior").asText("");
        if (!behavior.equals("Isolated")) {
          throw fail("unsupported " + where + ".behavior " + quote(behavior)
              + ": expected \"Isolated\"");
        }
        if (bool(node, "invert", false, where + ".invert")) {
          throw fail("unsupported " + where + ".invert true: expected false");
        }
        if (p != null && p.isObject() && p.path("Regex").isTextual()) {
          patterns.add(p.get("Regex").asText());
        } else if (p != null && p.isObject() && p.path("String").isTextual()
            && !p.get("String").asText().isEmpty()) {
          patterns.add(java.util.regex.Pattern.quote(p.get("String").asText()));
        } else {
          throw fail("expected " + where + ".pattern to be {\"Regex\": ...} or {\"String\": ...},"
              + " got " + abbreviate(String.valueOf(p)));
        }
      }
      case "Sequence" -> {
        JsonNode list = node.get("pretokenizers");
        if (list == null || !list.isArray()) {
          throw fail("expected " + where + ".pretokenizers to be an array, got " + kind(list));
        }
        for (int i = 0; i < list.size(); i++) {
          collectPre(list.get(i), where + ".pretokenizers[" + i + "]", patterns, prefix);
        }
      }
      default -> throw fail("unsupported " + where + " type " + quote(type)
          + ": expected ByteLevel, Split (Isolated) or a Sequence of them");
    }
  }

  private boolean readNormalizer(JsonNode node) throws TokenizerFormatException {
    if (node == null || node.isNull()) {
      return false;
    }
    String type = typeOf(node, "normalizer");
    if (type.equals("NFC")) {
      return true;
    }
    throw fail("unsupported normalizer type " + quote(type) + ": expected null or \"NFC\"");
  }

  private void checkDecoder(JsonNode node) throws TokenizerFormatException {
    if (node == null || node.isNull()) {
      return;
    }
    String type = typeOf(node, "decoder");
    if (!type.equals("ByteLevel")) {
      throw fail("unsupported decoder type " + quote(type) + ": expected null or \"ByteLevel\"");
    }
  }

  private String typeOf(JsonNode node, String where) throws TokenizerFormatException {
    if (!node.isObject() || !node.path("type").isTextual()) {
      throw fail("expected " + where + " to be an object with a string \"type\", got "
          + abbreviate(node.toString()));
    }
    return node.get("type").asText();
  }

  private int intValue(JsonNode v, String where) throws TokenizerFormatException {
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw fail("expected " + where + " to be an integer id, got "
          + (v == null ? "nothing" : v.isNumber() ? "the number " + abbreviate(v.asText())
              : abbreviate(v.toString())));
    }
    return v.intValue();
  }

  private boolean bool(JsonNode obj, String field, boolean dflt, String where)
      throws TokenizerFormatException {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw fail("expected " + where + " to be true or false, got " + abbreviate(v.toString()));
    }
    return v.booleanValue();
  }

  private String optionalString(JsonNode obj, String field, String where)
      throws TokenizerFormatException {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw fail("expected " + where + " to be a string or null, got " + kind(v));
    }
    return v.asText();
  }

  private void checkRange(int id, int total, String where) throws TokenizerFormatException {
    if (id < 0 || id >= total) {
      throw fail(where + " has id " + id + ", expected 0.." + (total - 1)
          + " (the file has " + total + " tokens and ids must be dense)");
    }
  }

  private TokenizerFormatException duplicateId(int id, String first, String second) {
    return fail("duplicate id " + id + ": expected each id once, got it for " + quote(first)
        + " and " + quote(second));
  }

  private static JsonNode nullIfMissing(JsonNode n) {
    return n == null || n.isNull() ? null : n;
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    return n.isNull() ? "null" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
        + " " + abbreviate(n.toString());
  }

  private static String locationOf(JsonProcessingException e) {
    var loc = e.getLocation();
    return loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  static String quote(String s) {
    return "\"" + abbreviate(s) + "\"";
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private TokenizerFormatException fail(String message) {
    return new TokenizerFormatException(source + ": " + message);
  }

  private TokenizerFormatException fail(String message, Throwable cause) {
    return new TokenizerFormatException(source + ": " + message, cause);
  }
}
