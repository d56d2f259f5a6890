package dev.fathom.compress.distill;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Tensor;

/**
 * Distillation of a Llama-family language model through {@code LmTrainer} (its optimizer,
 * schedule, clipping, checkpoints and metrics.jsonl stay as they are):
 *
 * <pre>{@code
 * var kd = new LmDistillation(teacher, student.config().vocabSize(), new DistillConfig(2, 0.5));
 * new LmTrainer(student, student.parameters(), cfg, train, val, out, writer).lossFunction(kd::loss).run(System.out);
 * }</pre>
 *
 * <p>Each micro-batch runs the frozen teacher (eval mode, no autograd recording) on the same ids,
 * and {@link DistillationLoss} scores the student's logits per token: the rows are the B·T
 * positions, so the loss is the mean over tokens of α·T²·KL + (1−α)·CE. Validation stays plain
 * cross-entropy (the trainer's evaluator), comparable with {@code fathom lm eval}.
 */
public final class LmDistillation {
  private final LlamaForCausalLM teacher;
  private final DistillConfig config;

  /**
   * @param studentVocab the student's vocabulary size, which must be the teacher's
   * @throws IllegalArgumentException when the vocabularies differ
   */
  public LmDistillation(LlamaForCausalLM teacher, int studentVocab, DistillConfig config) {
    int tv = teacher.config().vocabSize();
    if (tv != studentVocab) {
      throw new IllegalArgumentException("distillation: expected a student with the teacher's vocabulary of " + tv
          + " tokens, got " + studentVocab);
    }
    this.teacher = teacher;
    this.config = config;
    teacher.eval();
  }

  public DistillConfig config() {
    return config;
  }

  /** The teacher's logits (B, T, V) for ids (B, T), computed in eval mode without recording. */
  public Tensor teacherLogits(Tensor ids) {
    try (var g = Grad.disabled()) {
      teacher.eval();
      return teacher.forward(ids);
    }
  }

  /** {@code LmTrainer.StepLoss}: per-token distillation loss of {@code student} on ids (B, T) → targets (B, T). */
  public Tensor loss(LlamaForCausalLM student, Tensor ids, Tensor targets) {
    int v = student.config().vocabSize();
    Tensor t = config.usesTeacher() ? teacherLogits(ids).reshape(-1, v) : null;  // (B·T, V)
    Tensor s = student.forward(ids).reshape(-1, v);  // (B·T, V)
    return DistillationLoss.loss(s, t, targets.reshape(-1), config);
  }
}
