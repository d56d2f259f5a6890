package dev.fathom.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonTest {

  @TempDir Path dir;

  private static final String SAMPLE =
      "Hello there, friend! It's 2024; naïve 日本 👍 <|endoftext|> tabs\tand\r\nnewlines   ";

  @Test
  void byteTokenizerSavesAsAZeroMergeByteLevelBpe() throws Exception {
    BpeTokenizer t = Tokenizers.bytes("<|endoftext|>");
    Path file = dir.resolve("tokenizer.json");
    t.save(file);
    JsonNode json = Fixtures.JSON.readTree(file.toFile());
    assertThat(json.at("/model/type").asText()).isEqualTo("BPE");
    assertThat(json.at("/model/merges").size()).isZero();
    assertThat(json.at("/model/vocab").size()).isEqualTo(256);
    assertThat(json.at("/model/vocab/Ā").asInt()).isEqualTo(0);
    assertThat(json.at("/model/vocab/Ġ").asInt()).isEqualTo(32);
    assertThat(json.at("/model/vocab/a").asInt()).isEqualTo('a');
    assertThat(json.at("/added_tokens/0/id").asInt()).isEqualTo(256);
    assertThat(json.at("/added_tokens/0/special").asBoolean()).isTrue();
    assertThat(json.at("/decoder/type").asText()).isEqualTo("ByteLevel");

    BpeTokenizer back = Tokenizers.load(file);
    assertThat(back.vocabSize()).isEqualTo(257);
    assertThat(back.encodeWithSpecials(SAMPLE)).containsExactly(t.encodeWithSpecials(SAMPLE));
    assertThat(Files.list(dir)).containsExactly(file); // atomic write leaves no temp file
  }

  @Test
  void trainedTokenizerSaveLoadGivesIdenticalEncodings() throws Exception {
    String corpus = (SAMPLE + " the theme of the thesis is the thing.\n").repeat(20);
    for (PreTokenizer pre : List.of(PreTokenizer.gpt2(), PreTokenizer.llama3())) {
      BpeTokenizer t =
          new BpeTrainer(new BpeTrainerConfig(320, List.of("<|endoftext|>", "<pad>"), pre, 2))
              .train(corpus);
      t.save(dir.resolve("tokenizer.json"));
      BpeTokenizer back = Tokenizers.load(dir); // a directory works too
      assertThat(back.preTokenizer()).isEqualTo(pre);
      assertThat(back.vocabSize()).isEqualTo(t.vocabSize());
      assertThat(back.addedTokens()).isEqualTo(t.addedTokens());
      for (int id = 0; id < t.vocabSize(); id++) {
        assertThat(back.tokenText(id)).isEqualTo(t.tokenText(id));
      }
      assertThat(back.encode(corpus)).containsExactly(t.encode(corpus));
      assertThat(back.encodeWithSpecials(corpus)).containsExactly(t.encodeWithSpecials(corpus));
      // Saving again writes the same bytes.
      String first = Files.readString(dir.resolve("tokenizer.json"));
      back.save(dir.resolve("tokenizer.json"));
      assertThat(Files.readString(dir.resolve("tokenizer.json"))).isEqualTo(first);
    }
  }

  @Test
  void bothMergeFormatsLoadTheSame() throws Exception {
    List<String> extra = List.of("ab", "abc", "Ġab");
    ArrayNode strings = Fixtures.stringMerges("a b", "ab c", "Ġ ab");
    ArrayNode pairs = Fixtures.JSON.createArrayNode();
    pairs.addArray().add("a").add("b");
    pairs.addArray().add("ab").add("c");
    pairs.addArray().add("Ġ").add("ab");
    BpeTokenizer s = load("s.json", Fixtures.byteLevelJson(extra, strings));
    BpeTokenizer p = load("p.json", Fixtures.byteLevelJson(extra, pairs));
    // Pieces "abc", " ab", " abd"; the last is Ġ a b d -> Ġ ab d -> Ġab d.
    assertThat(s.encode("abc ab abd")).containsExactly(257, 258, 258, 'd');
    assertThat(p.encode("abc ab abd")).containsExactly(257, 258, 258, 'd');
    assertThat(s.encode("xabcab")).containsExactly('x', 257, 256);
  }

  @Test
  void llama3StylePreTokenizerAndTemplatePostProcessorLoad() throws Exception {
    ObjectNode root = Fixtures.byteLevelJson(List.of(), Fixtures.stringMerges());
    ObjectNode seq = Fixtures.JSON.createObjectNode();
    seq.put("type", "Sequence");
    ArrayNode list = seq.putArray("pretokenizers");
    ObjectNode split = list.addObject();
    split.put("type", "Split");
    split.putObject("pattern").put("Regex", PreTokenizer.LLAMA3_PATTERN);
    split.put("behavior", "Isolated");
    split.put("invert", false);
    ObjectNode bl = list.addObject();
    bl.put("type", "ByteLevel");
    bl.put("add_prefix_space", false);
    bl.put("trim_offsets", true);
    bl.put("use_regex", false);
    root.set("pre_tokenizer", seq);
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    post.putArray("single").addObject().putObject("SpecialToken").put("id", "<|begin_of_text|>");
    ArrayNode added = (ArrayNode) root.get("added_tokens");
    ObjectNode bos = added.addObject();
    bos.put("id", 256);
    bos.put("content", "<|begin_of_text|>");
    bos.put("special", true);
    root.with("model").put("ignore_merges", true);

    BpeTokenizer t = load("llama.json", root);
    assertThat(t.preTokenizer()).isEqualTo(PreTokenizer.llama3());
    assertThat(t.bosId()).hasValue(256);
    // The post-processor is kept, not applied: no BOS is added by encode.
    assertThat(t.encode("hi")).containsExactly('h', 'i');
    t.save(dir.resolve("again.json"));
    JsonNode saved = Fixtures.JSON.readTree(dir.resolve("again.json").toFile());
    assertThat(saved.get("post_processor")).isEqualTo(post);
    assertThat(saved.at("/pre_tokenizer/type").asText()).isEqualTo("Sequence");
    assertThat(saved.at("/pre_tokenizer/pretokenizers/0/pattern/Regex").asText())
        .isEqualTo(PreTokenizer.LLAMA3_PATTERN);
  }

  @Test
  void llama3PatternSplitsLikeLlama3() {
    List<String> pieces = new ArrayList<>();
    PreTokenizer.llama3().compiled().split("I'M 12345 hello\n\n  world!!\n", pieces::add);
    assertThat(pieces)
        .containsExactly("I", "'M", " ", "123", "45", " hello", "\n\n", " ", " world", "!!\n");
    pieces.clear();
    PreTokenizer.gpt2().compiled().split("I'M 12345 hello\n\n  world!!\n", pieces::add);
    assertThat(pieces)
        .containsExactly("I", "'", "M", " 12345", " hello", "\n\n ", " world", "!!", "\n");
  }

  @Test
  void ignoreMergesEmitsWholeVocabPieces() throws Exception {
    // "abc" is in the vocab but no merge builds it from "ab" + "c" order... only "b c" exists.
    List<String> extra = List.of("bc", "abc");
    ObjectNode root = Fixtures.byteLevelJson(extra, Fixtures.stringMerges("b c", "a bc"));
    BpeTokenizer merging = load("m.json", root);
    assertThat(merging.encode("abc")).containsExactly(257);
    ObjectNode noMergeForAbc = Fixtures.byteLevelJson(extra, Fixtures.stringMerges("b c"));
    assertThat(load("n.json", noMergeForAbc).encode("abc")).containsExactly('a', 256);
    noMergeForAbc.with("model").put("ignore_merges", true);
    assertThat(load("i.json", noMergeForAbc).encode("abc")).containsExactly(257);
  }

  @Test
  void addPrefixSpaceAndAddedTokenFlags() throws Exception {
    ObjectNode root = Fixtures.byteLevelJson(List.of(), Fixtures.stringMerges());
    root.with("pre_tokenizer").put("add_prefix_space", true);
    ArrayNode added = (ArrayNode) root.get("added_tokens");
    ObjectNode mask = added.addObject();
    mask.put("id", 256);
    mask.put("content", "<mask>");
    mask.put("lstrip", true);
    mask.put("rstrip", true);
    ObjectNode word = added.addObject();
    word.put("id", 257);
    word.put("content", "cat");
    word.put("single_word", true);
    BpeTokenizer t = load("flags.json", root);
    assertThat(t.encode("a")).containsExactly(' ', 'a');
    assertThat(t.encodeWithSpecials("x  <mask>  y")).containsExactly(' ', 'x', 256, ' ', 'y');
    assertThat(t.encodeWithSpecials("cat")).containsExactly(257);
    assertThat(t.encodeWithSpecials("cats")).containsExactly(' ', 'c', 'a', 't', 's');
  }

  @Test
  void nfcNormalizerComposesBeforeEncoding() throws Exception {
    ObjectNode root = Fixtures.byteLevelJson(List.of(), Fixtures.stringMerges());
    root.putObject("normalizer").put("type", "NFC");
    BpeTokenizer t = load("nfc.json", root);
    assertThat(t.encode("e\u0301")).containsExactly(t.encode("\u00e9"));
    t.save(dir.resolve("nfc-again.json"));
    assertThat(Fixtures.JSON.readTree(dir.resolve("nfc-again.json").toFile()).at("/normalizer/type")
        .asText()).isEqualTo("NFC");
  }

  @Test
  void gzippedFileLoadsByName() throws Exception {
    Tokenizers.bytes("<eos>").save(dir.resolve("tokenizer.json"));
    Path gz = dir.resolve("tokenizer.json.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(dir.resolve("tokenizer.json")));
    }
    assertThat(Tokenizers.load(gz).vocabSize()).isEqualTo(257);
  }

  private BpeTokenizer load(String name, JsonNode json) throws Exception {
    return Tokenizers.load(Fixtures.write(dir, name, json.toString()));
  }
}
