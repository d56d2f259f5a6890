package dev.fathom.llm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmTrainerTest {
  static final LlamaConfig TINY = LlamaConfig.llama(256, 32, 64, 2, 4, 2, 64, false);

  static TokenData bytes(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int[] t = new int[b.length];
    for (int i = 0; i < b.length; i++) t[i] = b[i] & 0xFF;
    return new TokenData(t, b.length);
  }

  static final TokenData TEXT = bytes("the quick brown fox jumps over the lazy dog. ".repeat(40));

  static LmTrainConfig config(long steps) {
    return LmTrainConfig.defaults(steps, 0).withBatch(4, 2, 32).withLr(3e-3, 3e-4, 5).withEval(0, 2000, 0, 5);
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  @Test
  void lossFallsOnRepetitiveText() throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(TINY, new Rng(1));
    LmEval before = LmEvaluator.evaluate(m, TEXT, 32, 4, 0);
    LmEval after = new LmTrainer(m, m.parameters(), config(40), TEXT, TEXT, null, d -> {}).run(quiet());
    assertThat(before.loss()).isGreaterThan(5.0);  // ~ln 256 at init
    assertThat(after.loss()).isLessThan(before.loss() - 2.5);
    assertThat(after.perplexity()).isCloseTo(Math.exp(after.loss()), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(after.bitsPerByte()).isCloseTo(after.loss() / Math.log(2), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void resumeContinuesExactlyWhereItStopped(@TempDir Path tmp) throws Exception {
    LlamaForCausalLM straight = new LlamaForCausalLM(TINY, new Rng(2));
    new LmTrainer(straight, straight.parameters(), config(8), TEXT, null, null, d -> {}).run(quiet());

    LlamaForCausalLM first = new LlamaForCausalLM(TINY, new Rng(2));
    Path ckpt = tmp.resolve("ckpt");
    new LmTrainer(first, first.parameters(), config(4), TEXT, null, ckpt, d -> HfCheckpoint.save(d, first, null)).run(quiet());
    assertThat(ckpt.resolve(LmTrainer.STATE)).exists();
    assertThat(ckpt.resolve(HfCheckpoint.CONFIG)).exists();

    LlamaForCausalLM resumed = HfCheckpoint.load(ckpt);
    LmTrainer t = new LmTrainer(resumed, resumed.parameters(), config(8), TEXT, null, null, d -> {});
    t.resume(ckpt);
    assertThat(t.step()).isEqualTo(4);
    t.run(quiet());
    straight.stateDict().forEach((k, v) -> assertThat(resumed.stateDict().get(k).data()).as(k).containsExactly(v.data()));
  }

  @Test
  void corruptTrainerStateIsAFormatError(@TempDir Path tmp) throws Exception {
    LlamaForCausalLM m = new LlamaForCausalLM(TINY, new Rng(3));
    Files.writeString(tmp.resolve(LmTrainer.STATE), "{\"step\": ");
    LmTrainer t = new LmTrainer(m, m.parameters(), config(2), TEXT, null, null, d -> {});
    assertThatThrownBy(() -> t.resume(tmp)).isInstanceOf(dev.fathom.io.FormatException.class).hasMessageContaining(LmTrainer.STATE);
  }

  @Test
  void evaluationCoversEveryTargetOnce() {
    TokenData d = bytes("abcdefghij");  // 10 tokens, 9 targets
    assertThat(d.windows(4)).isEqualTo(3);  // 4 + 4 + 1
    LlamaForCausalLM m = new LlamaForCausalLM(TINY, new Rng(4));
    assertThat(LmEvaluator.evaluate(m, d, 4, 8, 0).tokens()).isEqualTo(9);
  }
}
