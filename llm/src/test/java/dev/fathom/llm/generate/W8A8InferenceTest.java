package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.W8A8CheckpointTest;
import dev.fathom.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The engine runs a W8A8 model on its int8 matrices (activations quantized per token), matching the hooked autograd forward. */
class W8A8InferenceTest {
  @Test
  void prefillAndDecodeRunTheW8A8Arithmetic() {
    LlamaForCausalLM m = new LlamaForCausalLM(dev.fathom.llm.LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, false), new Rng(7));
    var w = W8A8CheckpointTest.quantize(m);
    int[] seq = {3, 9, 27, 17, 51, 25, 11, 33, 5, 12};
    var s = new InferenceSession(m, 1, 32);
    float[] all = new float[3 * 64];
    s.prefill(0, Arrays.copyOf(seq, 8), all, 0);
    float[] logits = new float[64];
    for (int i = 0; i < 2; i++) {
      s.decode(new int[] {0}, new int[] {seq[8 + i]}, 1, logits);
      System.arraycopy(logits, 0, all, (i + 1) * 64, 64);
    }
    for (int i = 0; i < 3; i++) {
      float[] ref = Golden.forwardLast(m, Arrays.copyOf(seq, 8 + i));
      assertThat(Golden.relativeError(all, i * 64, ref)).as("step %d", i).isLessThanOrEqualTo(1e-4);
    }
    for (String name : w.keySet()) Arrays.fill(m.namedParameters().get(name).data(), 0f);
    var s2 = new InferenceSession(m, 1, 32);
    float[] again = new float[64];
    s2.prefill(0, Arrays.copyOf(seq, 8), again, 0);
    assertThat(again).as("without the float copies").containsExactly(Arrays.copyOf(all, 64));
  }
}
