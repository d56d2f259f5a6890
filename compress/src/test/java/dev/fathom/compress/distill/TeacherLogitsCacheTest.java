package dev.fathom.compress.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TeacherLogitsCacheTest {
  /** Counts the rows it is asked to score. */
  private static final class Counting extends Module {
    final Sequential inner;
    long rows;

    Counting(Sequential inner) {
      this.inner = inner;
    }

    @Override
    public Tensor forward(Tensor x) {
      rows += x.shape()[0];
      return inner.call(x);
    }
  }

  private static Tensor rows(Tensor x, int... idx) {
    int w = x.shape()[1];
    float[] out = new float[idx.length * w];
    for (int i = 0; i < idx.length; i++) System.arraycopy(x.data(), idx[i] * w, out, i * w, w);
    return Tensor.of(out, idx.length, w);
  }

  @Test
  void servesSeenRowsFromTheCacheAndScoresOnlyNewOnes() {
    Rng rng = new Rng(3);
    Counting teacher = new Counting(new Sequential(new Linear(6, 12, rng), Activation.relu(), new Linear(12, 4, rng)));
    Tensor x = Tensor.randn(rng, 10, 6);
    var cache = new TeacherLogitsCache(100);
    try (var g = Grad.disabled()) {
      float[] direct = teacher.inner.call(x).toFloatArray();
      Tensor first = cache.logits(teacher, rows(x, 0, 1, 2, 3));
      assertThat(teacher.rows).isEqualTo(4);
      // a batch mixing seen rows (2, 0) and new ones (7, 9), in another order
      Tensor second = cache.logits(teacher, rows(x, 2, 7, 0, 9));
      assertThat(teacher.rows).isEqualTo(6);
      assertThat(cache.hits()).isEqualTo(2);
      assertThat(cache.misses()).isEqualTo(6);
      assertThat(cache.size()).isEqualTo(6);
      assertThat(second.shape()).containsExactly(4, 4);
      int[] order = {2, 7, 0, 9};
      for (int i = 0; i < 4; i++) {
        for (int c = 0; c < 4; c++) {
          assertThat(second.data()[i * 4 + c]).as("row %d class %d", order[i], c).isCloseTo(direct[order[i] * 4 + c], org.assertj.core.data.Offset.offset(1e-5f));
        }
      }
      assertThat(first.data()[4 + 1]).isCloseTo(direct[4 + 1], org.assertj.core.data.Offset.offset(1e-5f));
      // a changed row is a new row
      Tensor changed = rows(x, 1);
      changed.data()[5] = Math.nextUp(changed.data()[5]);
      cache.logits(teacher, changed);
      assertThat(teacher.rows).isEqualTo(7);
    }
  }

  @Test
  void stopsStoringAtItsCapacityButStillAnswers() {
    Rng rng = new Rng(4);
    Counting teacher = new Counting(new Sequential(new Linear(3, 2, rng)));
    Tensor x = Tensor.randn(rng, 5, 3);
    var cache = new TeacherLogitsCache(2);
    try (var g = Grad.disabled()) {
      assertThat(cache.logits(teacher, x).shape()).containsExactly(5, 2);
      assertThat(cache.size()).isEqualTo(2);
      cache.logits(teacher, x);
      assertThat(teacher.rows).isEqualTo(5 + 3);
    }
    assertThatThrownBy(() -> new TeacherLogitsCache(0)).hasMessageContaining("expected maxEntries >= 1, got 0");
  }

  @Test
  void hashSeparatesNearbyRowsAndIgnoresTheirPlace() {
    float[] a = {1f, 2f, 3f, 0f, 1f, 2f, 3f};
    assertThat(TeacherLogitsCache.hash(a, 0, 3)).isEqualTo(TeacherLogitsCache.hash(a, 4, 3));
    assertThat(TeacherLogitsCache.hash(a, 0, 3)).isNotEqualTo(TeacherLogitsCache.hash(new float[] {1f, 2f, Math.nextUp(3f)}, 0, 3));
    assertThat(TeacherLogitsCache.hash(new float[] {0f, 1f}, 0, 2)).isNotEqualTo(TeacherLogitsCache.hash(new float[] {1f, 0f}, 0, 2));
  }
}
