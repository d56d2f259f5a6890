package dev.fathom.cli;

import dev.fathom.compress.distill.ClassifierDistillation;
import dev.fathom.compress.distill.DistillConfig;
import dev.fathom.compress.distill.TeacherLogitsCache;
import dev.fathom.models.ClassifierConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The classifier half of {@code fathom compress distill}: the student is trained by {@link Training}. */
final class DistillClassifier {
  private DistillClassifier() {}

  static Map<String, Object> run(CompressDistillCommand c, DistillConfig cfg) throws java.io.IOException {
    ModelLoader t = ModelLoader.load(c.teacher);
    if (t.vision() != null) throw new CliException("--teacher: expected an mlp or cnn classifier, got a " + t.vision().model());
    ClassifierConfig tc = t.config();
    int[] sizes = CompressDistillCommand.CNN_PRESETS.get(c.preset);
    var options = new Training.Options(c.data, null, "cnn", c.epochs, c.batch == null ? 128 : c.batch, c.lr == null ? 0.002 : c.lr, 1e-4,
        c.seed, c.out, false, null, c.augment);
    // un-augmented images repeat every epoch: the teacher scores each once (augmented views are all new)
    var cache = "none".equals(c.augment) && cfg.usesTeacher() ? new TeacherLogitsCache(2_000_000) : null;
    var kd = new ClassifierDistillation(t.model(), cfg, cache);
    long teacherParams = t.model().numParameters();
    Training.Result r = Training.run(options, System.out, cfg.usesTeacher() ? (m, shape) -> kd::teacherPass : null, null, null, 0,
        data -> {
          if (data.numClasses() != tc.numClasses() || !Arrays.equals(data.inputShape(), tc.inputShape())) {
            throw new CliException("--teacher: expected a classifier of " + data.numClasses() + " classes on inputs "
                + Arrays.toString(data.inputShape()) + " (the data's), got " + tc.numClasses() + " classes on " + Arrays.toString(tc.inputShape()));
          }
          return new ClassifierConfig("cnn", data.inputShape(), data.numClasses(), data.classNames(), null,
              new int[] {sizes[0], sizes[1]}, sizes[2], data.dropout(), data.data(), null, null, null);
        }, kd::loss);
    long studentParams = r.model().numParameters();
    System.out.printf("student %s: %,d parameters (%.2f of the teacher's %,d) | test accuracy %.2f%% (loss %.4f)%n", c.preset,
        studentParams, (double) studentParams / teacherParams, teacherParams, 100 * r.test().accuracy(), r.test().loss());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("epochs", c.epochs);
    s.put("augment", c.augment);
    if (cache != null) {
      System.out.printf("teacher logits: %,d rows scored, %,d served from the cache%n", cache.misses(), cache.hits());
      s.put("teacher_rows_scored", cache.misses());
      s.put("teacher_rows_cached", cache.hits());
    }
    s.put("teacher_parameters", teacherParams);
    s.put("student_parameters", studentParams);
    s.put("test_accuracy", r.test().accuracy());
    s.put("test_loss", r.test().loss());
    s.put("seconds", r.seconds());
    return s;
  }
}
