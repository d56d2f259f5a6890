package dev.fathom.compress.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.train.LmTrainConfig;
import dev.fathom.llm.train.LmTrainer;
import dev.fathom.llm.train.TokenData;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LmDistillationTest {
  private static final LlamaConfig TEACHER = LlamaConfig.llama(64, 32, 64, 2, 4, 2, 32, false);
  private static final LlamaConfig STUDENT = LlamaConfig.llama(64, 16, 32, 1, 2, 2, 32, false);

  private static TokenData text(int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = (i * 7 + (i / 5) * 3) % 64;  // a learnable periodic stream
    return new TokenData(ids, n);
  }

  @Test
  void trainerStepsTheStudentOnlyAndTheLossIsPerToken() throws Exception {
    LlamaForCausalLM teacher = new LlamaForCausalLM(TEACHER, new Rng(1)), student = new LlamaForCausalLM(STUDENT, new Rng(2));
    List<float[]> before = new ArrayList<>();
    for (Tensor w : teacher.parameters()) before.add(w.data().clone());
    var kd = new LmDistillation(teacher, STUDENT.vocabSize(), new DistillConfig(2, 0.5));
    // per token: the loss of a (B, T) batch is the op's mean over its B·T rows
    Tensor ids = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4), tg = Tensor.ofLongs(new long[] {2, 3, 4, 5, 6, 7, 8, 9}, 2, 4);
    float direct = DistillationLoss.loss(student.forward(ids).reshape(-1, 64).detach(), teacher.forward(ids).reshape(-1, 64).detach(),
        tg.reshape(-1), kd.config()).item();
    assertThat(kd.loss(student, ids, tg).item()).isEqualTo(direct);

    LmTrainConfig cfg = LmTrainConfig.defaults(30, 0).withBatch(4, 1, 16).withLr(1e-2, 1e-3, 5).withEval(0, 0, 0, 10);
    TokenData data = text(2000);
    List<float[]> studentBefore = new ArrayList<>();
    for (Tensor w : student.parameters()) studentBefore.add(w.data().clone());
    var eval = new LmTrainer(student, student.parameters(), cfg, data, data.slice(0, 400), null, dir -> {})
        .lossFunction(kd::loss).run(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    assertThat(eval.loss()).as("validation loss after 30 steps").isLessThan(Math.log(64) - 0.5);
    assertThat(student.parameters().get(0).data()).isNotEqualTo(studentBefore.get(0));
    for (int i = 0; i < before.size(); i++) {
      assertThat(teacher.parameters().get(i).grad()).isNull();
      assertThat(teacher.parameters().get(i).data()).containsExactly(before.get(i));
    }
  }

  @Test
  void vocabularyMismatchIsRefused() {
    LlamaForCausalLM teacher = new LlamaForCausalLM(TEACHER, new Rng(1));
    assertThatThrownBy(() -> new LmDistillation(teacher, 300, DistillConfig.DEFAULT))
        .hasMessageContaining("teacher's vocabulary of 64 tokens, got 300");
  }
}
