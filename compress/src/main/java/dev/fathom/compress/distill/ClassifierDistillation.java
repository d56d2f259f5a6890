package dev.fathom.compress.distill;

import dev.fathom.autograd.Grad;
import dev.fathom.data.Batch;
import dev.fathom.nn.F;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;

/**
 * Distillation of a classifier through core's {@code Trainer}, which keeps its optimizer, schedule,
 * checkpoints, progress and metrics.jsonl:
 *
 * <pre>{@code
 * var kd = new ClassifierDistillation(teacher, new DistillConfig(4, 0.9));
 * new Trainer(student, optimizer, kd::loss, train, test, classes, config).transformBatches(kd::teacherPass).fit();
 * }</pre>
 *
 * <p>{@link #teacherPass} runs the frozen teacher (eval mode: dropout off, batch norm on its running
 * statistics; no autograd recording, so it never receives a gradient) on each training batch and
 * keeps its logits; {@link #loss} then scores the student's output with {@link DistillationLoss}
 * against them. Evaluation batches (no recording, no teacher logits) get plain cross-entropy, so the
 * validation loss in the metrics is comparable with ordinary training.
 */
public final class ClassifierDistillation {
  /*
   * For the Fashion-MNIST CNN the teacher's forward (~4.2 MMAC per image) costs about as much as the
   * quarter-size student's forward and backward (~3 × 1.1 MMAC), so without a cache a distillation
   * epoch takes about twice a hard-label epoch. The trainer's batches carry no example index, so
   * the cache is keyed by the rows' content (TeacherLogitsCache).
   */
  private final Module teacher;
  private final DistillConfig config;
  private final TeacherLogitsCache cache;
  private Tensor pendingLogits;
  private Tensor pendingTargets;

  /** @param teacher the trained classifier (its mode is set to eval and kept there) */
  public ClassifierDistillation(Module teacher, DistillConfig config) {
    this(teacher, config, null);
  }

  /**
   * @param teacher the trained classifier (its mode is set to eval and kept there)
   * @param cache remembers the teacher's logits per input row (un-augmented data only), or null to
   *     run the teacher on every batch
   */
  public ClassifierDistillation(Module teacher, DistillConfig config, TeacherLogitsCache cache) {
    this.teacher = teacher;
    this.config = config;
    this.cache = cache;
    teacher.eval();
  }

  public DistillConfig config() {
    return config;
  }

  /** For {@code Trainer.transformBatches}: computes and keeps the teacher's logits (N, C) of the batch; returns it unchanged. */
  public Batch teacherPass(Batch batch) {
    if (!config.usesTeacher()) return batch;
    try (var g = Grad.disabled()) {
      teacher.eval();
      pendingLogits = cache == null ? teacher.call(batch.inputs()) : cache.logits(teacher, batch.inputs());
    }
    pendingTargets = batch.targets();
    return batch;
  }

  /**
   * The trainer's loss: the distillation loss for the training batch whose teacher logits
   * {@link #teacherPass} just computed; cross-entropy for evaluation (no gradient recording).
   *
   * @param output student logits (N, C)
   * @param targets labels (N)
   */
  public Tensor loss(Tensor output, Tensor targets) {
    if (!Grad.isEnabled()) return F.crossEntropy(output, targets);
    if (!config.usesTeacher()) return DistillationLoss.loss(output, null, targets, config);
    if (pendingLogits == null || pendingTargets != targets) {
      throw new IllegalStateException("ClassifierDistillation: expected the teacher's logits of this batch, got none; "
          + "install teacherPass with Trainer.transformBatches");
    }
    Tensor t = pendingLogits;
    pendingLogits = null;
    pendingTargets = null;
    return DistillationLoss.loss(output, t, targets, config);
  }
}
