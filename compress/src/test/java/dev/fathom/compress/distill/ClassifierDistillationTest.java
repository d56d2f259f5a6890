package dev.fathom.compress.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.TensorDataset;
import dev.fathom.nn.Activation;
import dev.fathom.nn.Dropout;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.train.Trainer;
import dev.fathom.train.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierDistillationTest {
  private static final int N = 256, IN = 8, CLASSES = 5;

  /** A random teacher with dropout (so eval mode matters), its inputs, and its argmax as labels. */
  private record Problem(Sequential teacher, Tensor x, TensorDataset data) {}

  private static Problem problem() {
    Rng rng = new Rng(21);
    Sequential teacher = new Sequential(new Linear(IN, 32, rng), Activation.relu(), new Dropout(0.5, rng), new Linear(32, CLASSES, rng));
    Tensor x = Tensor.randn(rng, N, IN);
    teacher.eval();
    long[] y = new long[N];
    try (var g = Grad.disabled()) {
      Tensor logits = teacher.call(x).mul(3);  // sharper than a fresh init
      for (int i = 0; i < N; i++) y[i] = logits.narrow(0, i, 1).argmax(1, false).getLong(0);
    }
    return new Problem(teacher, x, new TensorDataset(x.data().clone(), new int[] {IN}, y));
  }

  private static double klToTeacher(Sequential student, Problem p, double temperature) {
    try (var g = Grad.disabled()) {
      student.eval();
      p.teacher().eval();
      return DistillationLoss.klDivergence(student.call(p.x()), p.teacher().call(p.x()), temperature);
    }
  }

  @Test
  void shortRunMovesTheStudentTowardsTheTeacherAndLeavesTheTeacherAlone() {
    Problem p = problem();
    List<float[]> before = new ArrayList<>();
    for (Tensor w : p.teacher().parameters()) before.add(w.data().clone());
    Rng rng = new Rng(5);
    Sequential student = new Sequential(new Linear(IN, 16, rng), Activation.relu(), new Linear(16, CLASSES, rng));
    double kl0 = klToTeacher(student, p, 2);
    var kd = new ClassifierDistillation(p.teacher(), new DistillConfig(2, 1));
    DataLoader train = new DataLoader(p.data(), DataLoaderConfig.train(32, 3));
    new Trainer(student, new AdamW(student.parameters(), AdamConfig.adamW(1e-2)), kd::loss, train, null, CLASSES, TrainerConfig.epochs(15))
        .transformBatches(kd::teacherPass).fit();
    double kl1 = klToTeacher(student, p, 2);
    assertThat(kl1).as("KL to the teacher after distillation (before: %s)", kl0).isLessThan(0.3 * kl0);
    assertThat(p.teacher().isTraining()).isFalse();
    List<Tensor> after = p.teacher().parameters();
    for (int i = 0; i < after.size(); i++) {
      assertThat(after.get(i).grad()).as("teacher gradient").isNull();
      assertThat(after.get(i).data()).as("teacher weight %d", i).containsExactly(before.get(i));
    }
  }

  @Test
  void evaluationBatchesGetCrossEntropyAndAMissingTeacherPassIsAnError() {
    Problem p = problem();
    var kd = new ClassifierDistillation(p.teacher(), new DistillConfig(4, 0.5));
    Batch b = p.data().batch(new int[] {0, 1, 2, 3});
    Tensor out = Tensor.randn(new Rng(1), 4, CLASSES).requiresGrad(true);
    try (var g = Grad.disabled()) {
      assertThat(kd.loss(out, b.targets()).item()).isEqualTo(dev.fathom.nn.F.crossEntropy(out, b.targets()).item());
    }
    assertThatThrownBy(() -> kd.loss(out, b.targets())).hasMessageContaining("expected the teacher's logits of this batch");
    kd.teacherPass(b);
    Tensor withTeacher = kd.loss(out, b.targets());
    assertThat(withTeacher.item()).isNotEqualTo(dev.fathom.nn.F.crossEntropy(out, b.targets()).item());
  }
}
