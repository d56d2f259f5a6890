package dev.fathom.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attention variant fields of config.json: defaults, validation, and a save/load round trip. */
class LlamaConfigAttentionTest {
  private static final LlamaConfig TINY = LlamaPresets.of("tiny", 256);

  @Test
  void fullAttentionWritesNoVariantFields(@TempDir Path dir) throws Exception {
    HfCheckpoint.save(dir, new LlamaForCausalLM(TINY, new Rng(1)), null);
    String json = Files.readString(dir.resolve("config.json"));
    assertThat(json).doesNotContain("attention_type").doesNotContain("block_size").doesNotContain("conv_kernel_size");
    assertThat(HfCheckpoint.readConfig(dir).attention()).isEqualTo(AttentionType.FULL);
  }

  @Test
  void blockSparseTakesBigBirdStyleDefaultsAndRoundTrips(@TempDir Path dir) throws Exception {
    LlamaConfig c = TINY.withAttention(AttentionType.BLOCK_SPARSE, 3);
    assertThat(c.attention()).isEqualTo(AttentionType.BLOCK_SPARSE);
    assertThat(new int[] {c.blockSize(), c.numLocalBlocks(), c.numGlobalBlocks(), c.numRandomBlocks()}).containsExactly(64, 3, 1, 1);
    assertThat(c.parameterCount()).isEqualTo(TINY.parameterCount() + 4L * 3 * 3 * 128);  // 4 layers × K 3 × (q + k + v) channels
    var m = new LlamaForCausalLM(c, new Rng(1));
    assertThat(m.numParameters()).isEqualTo(c.parameterCount());
    HfCheckpoint.save(dir, m, null);
    LlamaConfig back = HfCheckpoint.readConfig(dir);
    assertThat(back).isEqualTo(c);
    assertThat(new ObjectMapper().readTree(dir.resolve("config.json").toFile()).get("attention_type").asText()).isEqualTo("block_sparse");
    LlamaForCausalLM loaded = HfCheckpoint.load(dir);
    assertThat(loaded.stateDict().keySet()).contains("model.layers.0.self_attn.q_conv.weight");
  }

  @Test
  void otherTypesDropTheBlockFieldsAndFullIsTheDefault() {
    LlamaConfig c = TINY.withBlockSparse(128, 2, 0, 2).withAttention(AttentionType.LINEAR, null);
    assertThat(c.blockSize()).isNull();
    assertThat(c.attentionType()).isEqualTo("linear");
    assertThat(c.withAttention(AttentionType.FULL, null).attentionType()).isNull();
    assertThat(c.convKernel()).isZero();
  }

  @Test
  void badVariantsAreRejectedWithTheFacts() {
    assertThatThrownBy(() -> TINY.withAttention(AttentionType.parse("dense"), null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attention_type 'dense'").hasMessageContaining("full, block_sparse, linear");
    assertThatThrownBy(() -> TINY.withBlockSparse(100, 3, 1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("block_size").hasMessageContaining("multiple of 64").hasMessageContaining("100");
    assertThatThrownBy(() -> TINY.withBlockSparse(64, 0, 1, 1)).hasMessageContaining("num_local_blocks");
    assertThatThrownBy(() -> TINY.withBlockSparse(64, 2, -1, 1)).hasMessageContaining("num_global_blocks");
    assertThatThrownBy(() -> TINY.withBlockSparse(64, 2, 1, -2)).hasMessageContaining("num_random_blocks");
    assertThatThrownBy(() -> TINY.withAttention(AttentionType.FULL, 0)).hasMessageContaining("conv_kernel_size").hasMessageContaining("got 0");
    assertThatThrownBy(() -> TINY.withSlidingWindow(32).withAttention(AttentionType.LINEAR, null))
        .hasMessageContaining("sliding_window").hasMessageContaining("linear");
  }
}
