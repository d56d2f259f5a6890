package dev.fathom.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A preset turned into a sliding-window model is a Mistral config that saves and loads as one. */
class LlamaConfigWindowTest {

  @Test
  void withSlidingWindowMakesAMistralConfigThatRoundTrips(@TempDir Path dir) throws Exception {
    LlamaConfig c = LlamaPresets.of("tiny", 256).withSlidingWindow(64);
    assertThat(c.modelType()).isEqualTo("mistral");
    assertThat(c.architectures()).containsExactly("MistralForCausalLM");
    assertThat(c.window()).isEqualTo(64);
    assertThat(c.parameterCount()).isEqualTo(LlamaPresets.of("tiny", 256).parameterCount());
    var m = new LlamaForCausalLM(c, new Rng(1));
    HfCheckpoint.save(dir, m, null);
    LlamaConfig back = HfCheckpoint.readConfig(dir);
    assertThat(back.window()).isEqualTo(64);
    assertThat(back.modelType()).isEqualTo("mistral");
    assertThatThrownBy(() -> c.withSlidingWindow(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sliding_window");
  }
}
