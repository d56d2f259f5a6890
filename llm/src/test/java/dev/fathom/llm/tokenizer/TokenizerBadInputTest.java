package dev.fathom.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fathom.io.FormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerBadInputTest {

  @TempDir Path dir;

  /** A valid file with tokens "ab" (256) and merge "a b", edited by {@code edit}. */
  private String valid(Consumer<ObjectNode> edit) {
    ObjectNode root = Fixtures.byteLevelJson(List.of("ab"), Fixtures.stringMerges("a b"));
    edit.accept(root);
    return root.toString();
  }

  private void assertBad(String content, String... fragments) throws Exception {
    Path file = Fixtures.write(dir, "tokenizer.json", content);
    assertThatThrownBy(() -> Tokenizers.load(file))
        .isInstanceOf(TokenizerFormatException.class)
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith(file.toString() + ": ")
        .hasMessageContainingAll(fragments);
  }

  @Test
  void theBaselineFileIsValid() throws Exception {
    BpeTokenizer t = Tokenizers.load(Fixtures.write(dir, "ok.json", valid(r -> {})));
    assertThat(t.encode("abab")).containsExactly(256, 256);
  }

  @Test
  void malformedTruncatedAndEmptyJson() throws Exception {
    assertBad("{\"model\": [1, 2,}", "expected well-formed JSON", "line 1");
    String full = valid(r -> {});
    assertBad(full.substring(0, full.length() / 2), "expected well-formed JSON");
    assertBad("", "expected a JSON object, got an empty file");
    assertBad("[1, 2]", "expected a JSON object at the top level, got array");
    assertBad(full + " {}", "expected well-formed JSON");
    assertBad("{\"version\": \"1.0\"}", "expected \"model\" to be an object, got nothing");
  }

  @Test
  void bytesThatAreNotUtf8() throws Exception {
    Path file = dir.resolve("tokenizer.json");
    Files.write(file, new byte[] {'{', '"', (byte) 0xFF, (byte) 0xFE, '"', ':', '1', '}'});
    assertThatThrownBy(() -> Tokenizers.load(file))
        .isInstanceOf(TokenizerFormatException.class)
        .hasMessageContaining("expected well-formed JSON");
  }

  @Test
  void unsupportedModelTypes() throws Exception {
    assertBad(valid(r -> r.with("model").put("type", "WordPiece")),
        "unsupported model type \"WordPiece\"", "expected \"BPE\"");
    assertBad(valid(r -> r.with("model").put("type", "Unigram")),
        "unsupported model type \"Unigram\"");
    assertBad(valid(r -> r.with("model").put("dropout", 0.1)),
        "unsupported model.dropout 0.1", "expected null or 0");
    assertBad(valid(r -> r.with("model").put("continuing_subword_prefix", "##")),
        "unsupported model.continuing_subword_prefix \"##\"");
  }

  @Test
  void unsupportedComponents() throws Exception {
    assertBad(valid(r -> r.putObject("pre_tokenizer").put("type", "Whitespace")),
        "unsupported pre_tokenizer type \"Whitespace\"", "expected ByteLevel");
    assertBad(valid(r -> r.putObject("normalizer").put("type", "Lowercase")),
        "unsupported normalizer type \"Lowercase\"", "expected null or \"NFC\"");
    assertBad(valid(r -> r.putObject("decoder").put("type", "WordPiece")),
        "unsupported decoder type \"WordPiece\"");
    assertBad(valid(r -> {
      ObjectNode split = r.putObject("pre_tokenizer");
      split.put("type", "Split");
      split.putObject("pattern").put("Regex", "(unclosed");
      split.put("behavior", "Isolated");
    }), "pre_tokenizer: expected a regex Java can compile, got \"(unclosed\"");
    assertBad(valid(r -> {
      ObjectNode split = r.putObject("pre_tokenizer");
      split.put("type", "Split");
      split.putObject("pattern").put("Regex", "\\s+");
      split.put("behavior", "Removed");
    }), "unsupported pre_tokenizer.behavior \"Removed\": expected \"Isolated\"");
  }

  @Test
  void mergesThatDoNotFitTheVocab() throws Exception {
    assertBad(valid(r -> r.with("model").set("merges", Fixtures.stringMerges("a zz"))),
        "model.merges[0] refers to token \"zz\"", "absent");
    assertBad(valid(r -> r.with("model").set("merges", Fixtures.stringMerges("a b", "b c"))),
        "merge 1 (\"b\" + \"c\") makes \"bc\", which is not in the vocab");
    assertBad(valid(r -> r.with("model").set("merges", Fixtures.stringMerges("a b c"))),
        "expected model.merges[0] to be \"left right\" (two tokens, one space), got \"a b c\"");
    assertBad(valid(r -> r.with("model").putArray("merges").add(42)),
        "expected model.merges[0] to be \"left right\" or [\"left\", \"right\"], got 42");
    assertBad(valid(r -> r.with("model").putArray("merges").addArray().add("a")),
        "got [\"a\"]");
  }

  @Test
  void duplicateAndOutOfRangeIds() throws Exception {
    assertBad(valid(r -> r.with("model").with("vocab").put("xy", 97)),
        "duplicate id 97", "\"a\"", "\"xy\"");
    assertBad(valid(r -> r.with("model").with("vocab").put("ab", 1_000_000_000)),
        "model.vocab[\"ab\"] has id 1000000000, expected 0..256");
    assertBad(valid(r -> r.with("model").with("vocab").put("ab", -1)),
        "has id -1, expected 0..256");
    assertBad(valid(r -> r.with("model").with("vocab").put("ab", 2.5)),
        "expected model.vocab[\"ab\"] to be an integer id, got the number 2.5");
    assertBad(valid(r -> r.with("model").with("vocab").put("ab", "7")),
        "to be an integer id, got \"7\"");
    assertBad(
        valid(r -> {}).replace("\"ab\":256", "\"ab\":99999999999999999999999"),
        "to be an integer id, got the number 99999999999999999999999");
    assertBad(valid(r -> {
      r.with("model").with("vocab").remove("Ā");
      r.with("model").with("vocab").put("xy", 0);
    }), "vocab has no token for byte 0x00");
    String dupKey = valid(r -> {}).replace("\"ab\":256", "\"ab\":256,\"ab\":257");
    assertBad(dupKey, "expected well-formed JSON", "Duplicate field 'ab'");
  }

  @Test
  void addedTokensThatContradictTheVocab() throws Exception {
    assertBad(valid(r -> {
      ObjectNode t = r.withArray("added_tokens").addObject();
      t.put("id", 97);
      t.put("content", "<eos>");
    }), "duplicate id 97", "\"<eos>\"");
    assertBad(valid(r -> {
      ObjectNode t = r.withArray("added_tokens").addObject();
      t.put("id", 300);
      t.put("content", "ab");
    }), "added token \"ab\" has id 300 but model.vocab gives it id 256");
    assertBad(valid(r -> r.withArray("added_tokens").addObject().put("id", 257)),
        "expected added_tokens[0].content to be a non-empty string, got nothing");
    assertBad(valid(r -> {
      ObjectNode t = r.withArray("added_tokens").addObject();
      t.put("id", 257);
      t.put("content", "<x>");
      t.put("special", "yes");
    }), "expected added_tokens[0].special to be true or false, got \"yes\"");
  }

  @Test
  void hostileInputFailsFastWithoutExhaustingMemory() throws Exception {
    assertBad("[".repeat(100_000), "expected well-formed JSON", "nesting depth");
    assertBad("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 1e999999}}}",
        "expected model.vocab[\"a\"] to be an integer id");
    assertBad("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 1" + "0".repeat(5000) + "}}}",
        "expected well-formed JSON", "Number value length");
    assertBad(valid(r -> r.with("model").with("vocab").put("ab", Integer.MAX_VALUE)),
        "has id 2147483647, expected 0..256");
  }

  @Test
  void corruptAndTruncatedGzip() throws Exception {
    Path notGzip = Fixtures.write(dir, "plain.json.gz", valid(r -> {}));
    assertThatThrownBy(() -> Tokenizers.load(notGzip))
        .isInstanceOf(TokenizerFormatException.class)
        .hasMessageContaining("expected gzip data");
    byte[] gz;
    try (var in = Fixtures.resource("gpt2_tokenizer.json.gz")) {
      gz = in.readNBytes(1000);
    }
    Path cut = dir.resolve("cut.json.gz");
    Files.write(cut, gz);
    assertThatThrownBy(() -> Tokenizers.load(cut))
        .isInstanceOf(TokenizerFormatException.class)
        .hasMessageStartingWith(cut.toString());
  }

  @Test
  void missingFileAndDirectoryWithoutTokenizerJson() throws Exception {
    assertThatThrownBy(() -> Tokenizers.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("tokenizer.json");
    assertThatThrownBy(() -> Tokenizers.load(dir.resolve("nope.json")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void streamSourceIsNamedInTheMessage() {
    var in = new java.io.ByteArrayInputStream("{".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Tokenizers.load(in, "memory:tok"))
        .isInstanceOf(TokenizerFormatException.class)
        .hasMessageStartingWith("memory:tok: expected well-formed JSON");
  }

  @Test
  void decodeOfAnOutOfRangeIdNamesTheIdAndTheVocabSize() {
    BpeTokenizer t = Tokenizers.bytes();
    assertThatThrownBy(() -> t.decode(new int[] {'a', 256}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token id 256 is out of range: vocab size is 256 (ids 0..255)");
    assertThatThrownBy(() -> t.decodeBytes(new int[] {-3}))
        .hasMessageContaining("token id -3 is out of range");
    assertThatThrownBy(() -> t.tokenText(1000)).hasMessageContaining("token id 1000");
  }
}
