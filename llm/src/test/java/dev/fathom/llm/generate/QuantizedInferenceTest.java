package dev.fathom.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizationConfig;
import dev.fathom.llm.QuantizedCheckpointTest;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Rng;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine runs a quantized model on its packed weights: its logits equal the autograd forward
 * over the dequantized float weights, and stay the same when those float copies are wiped.
 */
class QuantizedInferenceTest {
  private static final LlamaConfig CONFIG = LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, false);

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void prefillAndDecodeRunOnThePackedWeights(QuantFormat f) {
    LlamaForCausalLM m = new LlamaForCausalLM(CONFIG, new Rng(7));
    Map<String, QuantizedMatrix> q = new LinkedHashMap<>(QuantizedCheckpointTest.quantize(m, f));
    q.put("lm_head.weight", QuantizedMatrix.quantize(f, m.headWeight().data(), 0, 64, 128));
    q.get("lm_head.weight").dequantizeInto(m.headWeight().data(), 0);
    m.attachQuantized(QuantizationConfig.of(f, "rtn", List.of()), q);

    int[] prompt = {3, 9, 27, 17, 51, 25, 11, 33};  // 8 rows: the prefill's dequantize-per-row path
    float[] expected = run(m, prompt);
    for (int i = 0; i < expected.length; i += 64) {
      float[] ref = Golden.forwardLast(m, Arrays.copyOf(fullSequence(prompt), prompt.length + i / 64));
      assertThat(Golden.relativeError(expected, i, ref)).as("%s step %d", f, i / 64).isLessThanOrEqualTo(1e-5);
    }
    for (String name : q.keySet()) Arrays.fill(m.namedParameters().get(name).data(), 0f);
    assertThat(run(m, prompt)).as("%s without the float copies", f).containsExactly(expected);
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void aTiedHeadRunsOnThePackedEmbedding(QuantFormat f) {
    LlamaForCausalLM m = new LlamaForCausalLM(LlamaConfig.llama(64, 128, 384, 2, 4, 2, 32, true), new Rng(8));
    Map<String, QuantizedMatrix> q = new LinkedHashMap<>(QuantizedCheckpointTest.quantize(m, f));
    float[] embed = m.namedParameters().get("model.embed_tokens.weight").data();
    q.put("model.embed_tokens.weight", QuantizedMatrix.quantize(f, embed, 0, 64, 128));
    q.get("model.embed_tokens.weight").dequantizeInto(embed, 0);
    m.attachQuantized(QuantizationConfig.of(f, "rtn", List.of()), q);

    int[] prompt = {3, 9, 27, 17, 51, 25, 11, 33};
    float[] expected = run(m, prompt);
    float[] ref = Golden.forwardLast(m, fullSequence(prompt));
    assertThat(Golden.relativeError(expected, 4 * 64, ref)).as("%s last step", f).isLessThanOrEqualTo(1e-5);
    // the lookup reads the float rows of the tokens it sees; the head must read the packed matrix,
    // so wiping every other row of the float copy changes nothing
    boolean[] seen = new boolean[64];
    for (int t : fullSequence(prompt)) seen[t] = true;
    for (int t = 0; t < 64; t++) if (!seen[t]) Arrays.fill(embed, t * 128, (t + 1) * 128, 0f);
    assertThat(run(m, prompt)).as("%s with the unseen float rows wiped", f).containsExactly(expected);
  }

  private static int[] fullSequence(int[] prompt) {
    int[] s = Arrays.copyOf(prompt, prompt.length + 4);
    for (int i = 0; i < 4; i++) s[prompt.length + i] = 5 + 7 * i;
    return s;
  }

  /** Prefill of the prompt, then 4 decode steps with fixed tokens: every step's logits, concatenated. */
  private static float[] run(LlamaForCausalLM m, int[] prompt) {
    var s = new InferenceSession(m, 1, 32);
    int[] seq = fullSequence(prompt);
    float[] all = new float[5 * 64];
    s.prefill(0, prompt, all, 0);
    float[] logits = new float[64];
    for (int i = 0; i < 4; i++) {
      s.decode(new int[] {0}, new int[] {seq[prompt.length + i]}, 1, logits);
      System.arraycopy(logits, 0, all, (i + 1) * 64, 64);
    }
    return all;
  }
}
