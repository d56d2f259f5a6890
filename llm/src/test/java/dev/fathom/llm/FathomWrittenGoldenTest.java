package dev.fathom.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other direction of the oracle: checkpoints Fathom writes (seeded, byte-identical each run)
 * were loaded by the PyTorch reference, whose logits and greedy continuation are recorded with the
 * SHA-256 of the files it read. Rewriting them here must give the same bytes, and Fathom's logits
 * must match the reference's.
 */
class FathomWrittenGoldenTest {
  @Test
  void pytorchReadsWhatFathomWrites(@TempDir Path tmp) throws Exception {
    WriteGoldenCheckpoints.writeAll(tmp);
    JsonNode cases = LlamaGolden.read(LlamaGolden.dir("fathom_written.json"));
    assertThat(cases.size()).isEqualTo(WriteGoldenCheckpoints.cases().size());
    for (Iterator<Map.Entry<String, JsonNode>> it = cases.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path dir = tmp.resolve(e.getKey());
      JsonNode c = e.getValue();
      for (Iterator<Map.Entry<String, JsonNode>> f = c.get("sha256").fields(); f.hasNext(); ) {
        Map.Entry<String, JsonNode> file = f.next();
        assertThat(sha256(dir.resolve(file.getKey()))).as(e.getKey() + "/" + file.getKey() + " bytes").isEqualTo(file.getValue().asText());
      }
      LlamaForCausalLM m = HfCheckpoint.load(dir);
      Tensor logits;
      try (var g = Grad.disabled()) {
        logits = m.forward(LlamaGolden.ids(c.get("ids")));
      }
      assertThat(LlamaGolden.relativeError(logits.data(), LlamaGolden.floats(c.get("logits").get("data"))))
          .as(e.getKey() + " logits vs PyTorch").isLessThanOrEqualTo(1e-4);
      int[] greedy = LlamaGolden.ints(c.get("greedy"));
      assertThat(LlamaGolden.greedy(m, LlamaGolden.ints(c.get("prompt")), greedy.length)).as(e.getKey()).containsExactly(greedy);
    }
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }
}
