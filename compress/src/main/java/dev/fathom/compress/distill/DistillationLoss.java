package dev.fathom.compress.distill;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Grad;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * The knowledge-distillation loss of Hinton, Vinyals and Dean (2015), as one fused op:
 *
 * <pre>
 *   L = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1−α)·CE(z_s, y)
 *   ∂L/∂z_s = α·T·(softmax(z_s/T) − softmax(z_t/T)) + (1−α)·(softmax(z_s) − onehot(y))
 * </pre>
 *
 * averaged over the rows whose label is not {@code ignoreIndex} (PyTorch's {@code batchmean} for the
 * KL term, {@code mean} for the cross-entropy). The T² keeps the soft term's gradient the same size
 * as T changes: at high T the bracket shrinks like 1/T² (it tends to (z_s − z_t)/(C·T²) for
 * zero-mean logits). For a language model the rows are the B·T token positions, so the loss is a
 * per-token mean. The teacher's logits are data: they never receive a gradient.
 *
 * <p>The PyTorch reference is {@code kl_div(log_softmax(s/T), log_softmax(t/T), log_target=True,
 * reduction='batchmean')·T²}; {@code tools/golden/distillation_reference.py} writes the values the
 * tests compare against.
 */
public final class DistillationLoss {
  /** PyTorch's default ignore index. */
  public static final int IGNORE_INDEX = -100;

  private DistillationLoss() {}

  /**
   * @param student student logits (N, C), requires grad in training
   * @param teacher teacher logits (N, C), or null when {@code cfg.alpha()} is 0
   * @param targets integer labels (N); {@link #IGNORE_INDEX} rows are skipped
   * @return the scalar loss
   * @throws ShapeException when the shapes or class counts disagree
   * @throws IllegalArgumentException when the teacher is missing though α &gt; 0, or a label is out of range
   */
  public static Tensor loss(Tensor student, Tensor teacher, Tensor targets, DistillConfig cfg) {
    int[] ls = student.shape();
    if (ls.length != 2 || student.dtype() != DType.FLOAT32) {
      throw new ShapeException("distillation loss: expected float student logits (N, C), got " + student.dtype() + " " + Shape.str(ls));
    }
    int n = ls[0], c = ls[1];
    if (teacher == null && cfg.usesTeacher()) {
      throw new IllegalArgumentException("distillation loss: alpha " + cfg.alpha() + " > 0 needs teacher logits, got none");
    }
    if (teacher != null && (teacher.dim() != 2 || teacher.size(0) != n || teacher.size(1) != c)) {
      throw new ShapeException("distillation loss: expected teacher logits of the student's shape " + Shape.str(ls)
          + " (" + c + " classes), got " + Shape.str(teacher.shape()));
    }
    if (!targets.dtype().isInteger() || targets.dim() != 1 || targets.size(0) != n) {
      throw new ShapeException("distillation loss: expected integer targets (" + n + "), got " + targets.dtype() + " " + Shape.str(targets.shape()));
    }
    int[] y = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      long v = targets.getLong(i);
      if (v != IGNORE_INDEX && (v < 0 || v >= c)) {
        throw new IllegalArgumentException("distillation loss: expected labels in [0, " + c + "), got " + v + " at row " + i);
      }
      y[i] = (int) v;
      if (v != IGNORE_INDEX) count++;
    }
    boolean needGrad = student.requiresGrad() && Grad.isEnabled();
    float[] grad = needGrad ? new float[n * c] : null;
    double[] kl = new double[n], ce = new double[n];
    float[] t = cfg.usesTeacher() ? teacher.data() : null;
    double temp = cfg.temperature(), alpha = cfg.alpha();
    DistillRows.rows(student.data(), t, n, c, y, IGNORE_INDEX, temp, alpha, kl, ce, grad);
    double total = 0;
    for (int i = 0; i < n; i++) total += alpha * temp * temp * kl[i] + (1 - alpha) * ce[i];
    int cnt = Math.max(count, 1);
    Tensor out = Tensor.scalar(count == 0 ? Float.NaN : (float) (total / cnt));
    return Autograd.record("distillationLoss", out, g -> {
      float scale = g.item() / cnt;
      float[] d = new float[grad.length];
      for (int i = 0; i < d.length; i++) d[i] = grad[i] * scale;
      return new Tensor[] {Tensor.of(d, ls), null, null};
    }, student, teacher, targets);
  }

  /**
   * Mean KL(softmax(z_t/T) ‖ softmax(z_s/T)) over the rows, without the T² factor and without a
   * gradient: how far the student is from the teacher (logged, and used by tests).
   *
   * @param student (N, C)
   * @param teacher (N, C)
   */
  public static double klDivergence(Tensor student, Tensor teacher, double temperature) {
    if (student.dim() != 2 || !java.util.Arrays.equals(student.shape(), teacher.shape())) {
      throw new ShapeException("klDivergence: expected student and teacher logits of one shape (N, C), got "
          + Shape.str(student.shape()) + " and " + Shape.str(teacher.shape()));
    }
    int n = student.size(0), c = student.size(1);
    double[] kl = new double[n], ce = new double[n];
    DistillRows.rows(student.data(), teacher.data(), n, c, new int[n], IGNORE_INDEX, temperature, 1, kl, ce, null);
    double sum = 0;
    for (double v : kl) sum += v;
    return sum / n;
  }
}
