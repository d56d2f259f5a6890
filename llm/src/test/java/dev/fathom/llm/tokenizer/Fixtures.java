package dev.fathom.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** Shared test inputs: the GPT-2 fixture, Tiny Shakespeare when present, hand-made JSON. */
final class Fixtures {

  static final ObjectMapper JSON = new ObjectMapper();
  private static BpeTokenizer gpt2;

  private Fixtures() {}

  /** GPT-2's tokenizer from the committed fixture (see tools/golden). */
  static synchronized BpeTokenizer gpt2() {
    if (gpt2 == null) {
      try (InputStream in = resource("gpt2_tokenizer.json.gz");
          InputStream gz = new GZIPInputStream(in)) {
        gpt2 = Tokenizers.load(gz, "gpt2_tokenizer.json.gz");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return gpt2;
  }

  static InputStream resource(String name) {
    InputStream in = Fixtures.class.getResourceAsStream("/tokenizer/" + name);
    if (in == null) {
      throw new IllegalStateException("test resource /tokenizer/" + name + " is missing");
    }
    return in;
  }

  static JsonNode golden() throws IOException {
    try (InputStream in = resource("gpt2_golden.json")) {
      return JSON.readTree(in);
    }
  }

  /**
   * Tiny Shakespeare, looked up where ARCHITECTURE.md says it lives (beside the checkout), or at
   * {@code -Dfathom.tinyshakespeare=...}.
   */
  static Optional<Path> tinyShakespeare() {
    String prop = System.getProperty("fathom.tinyshakespeare");
    Path cwd = Path.of("").toAbsolutePath();
    List<Path> candidates =
        prop != null
            ? List.of(Path.of(prop))
            : List.of(
                cwd.resolve("../shared/data/tinyshakespeare.txt"),
                cwd.resolve("../../shared/data/tinyshakespeare.txt"),
                Path.of("/work/shared/data/tinyshakespeare.txt"));
    return candidates.stream().filter(Files::isRegularFile).findFirst();
  }

  /**
   * A tokenizer.json with the 256 byte tokens, {@code extra} byte-level tokens after them and the
   * given merges node; the pieces are then edited by the caller.
   */
  static ObjectNode byteLevelJson(List<String> extra, JsonNode merges) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    root.putArray("added_tokens");
    root.putNull("normalizer");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "ByteLevel");
    pre.put("add_prefix_space", false);
    pre.put("trim_offsets", true);
    pre.put("use_regex", true);
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "ByteLevel");
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    ObjectNode vocab = model.putObject("vocab");
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
    }
    for (int i = 0; i < extra.size(); i++) {
      vocab.put(extra.get(i), 256 + i);
    }
    model.set("merges", merges);
    return root;
  }

  static ArrayNode stringMerges(String... merges) {
    ArrayNode a = JSON.createArrayNode();
    for (String m : merges) {
      a.add(m);
    }
    return a;
  }

  static Path write(Path dir, String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }
}
