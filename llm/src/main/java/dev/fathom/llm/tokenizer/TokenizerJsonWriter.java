package dev.fathom.llm.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes a {@link BpeSpec} as a Hugging Face {@code tokenizer.json} (format version 1.0).
 *
 * <p>Merges are written as {@code "left right"} strings, which every version of the Hugging Face
 * reader accepts (byte-level tokens never contain a space: the space byte is spelled
 * {@code 'Ġ'}). The pre-tokenizer is written as GPT-2 writes it when it is GPT-2's regex, and as
 * Llama 3 writes it ({@code Sequence[Split, ByteLevel{use_regex: false}]}) otherwise.
 */
final class TokenizerJsonWriter {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private TokenizerJsonWriter() {}

  static String write(BpeSpec spec) {
    ObjectNode root = F.objectNode();
    root.put("version", "1.0");
    root.set("truncation", spec.truncation());
    root.set("padding", spec.padding());
    ArrayNode added = root.putArray("added_tokens");
    for (AddedToken t : spec.added()) {
      ObjectNode o = added.addObject();
      o.put("id", t.id());
      o.put("content", t.content());
      o.put("single_word", t.singleWord());
      o.put("lstrip", t.lstrip());
      o.put("rstrip", t.rstrip());
      o.put("normalized", t.normalized());
      o.put("special", t.special());
    }
    if (spec.nfc()) {
      root.putObject("normalizer").put("type", "NFC");
    } else {
      root.putNull("normalizer");
    }
    root.set("pre_tokenizer", preTokenizer(spec.preTokenizer()));
    root.set(
        "post_processor",
        spec.postProcessor() != null ? spec.postProcessor() : byteLevel(true, false, true));
    root.set("decoder", byteLevel(true, true, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.put("unk_token", spec.unkToken());
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", spec.fuseUnk());
    model.put("byte_fallback", spec.byteFallback());
    model.put("ignore_merges", spec.ignoreMerges());
    ObjectNode vocab = model.putObject("vocab");
    String[] tokens = spec.tokens();
    for (int id = 0; id < tokens.length; id++) {
      if (spec.inModelVocab().get(id)) {
        vocab.put(tokens[id], id);
      }
    }
    ArrayNode merges = model.putArray("merges");
    for (int r = 0; r < spec.mergeLeft().length; r++) {
      merges.add(tokens[spec.mergeLeft()[r]] + " " + tokens[spec.mergeRight()[r]]);
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("tokenizer.json: a JSON tree failed to serialize", e);
    }
  }

  private static ObjectNode preTokenizer(PreTokenizer pre) {
    List<String> p = pre.patterns();
    if (p.equals(List.of(PreTokenizer.GPT2_PATTERN))) {
      return byteLevel(pre.addPrefixSpace(), true, true);
    }
    if (p.isEmpty()) {
      return byteLevel(pre.addPrefixSpace(), true, false);
    }
    ObjectNode seq = F.objectNode();
    seq.put("type", "Sequence");
    ArrayNode list = seq.putArray("pretokenizers");
    for (String pattern : p) {
      ObjectNode split = list.addObject();
      split.put("type", "Split");
      split.putObject("pattern").put("Regex", pattern);
      split.put("behavior", "Isolated");
      split.put("invert", false);
    }
    list.add(byteLevel(pre.addPrefixSpace(), true, false));
    return seq;
  }

  private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean regex) {
    ObjectNode o = F.objectNode();
    o.put("type", "ByteLevel");
    o.put("add_prefix_space", addPrefixSpace);
    o.put("trim_offsets", trimOffsets);
    o.put("use_regex", regex);
    return o;
  }
}
