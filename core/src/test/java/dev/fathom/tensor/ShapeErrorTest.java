package dev.fathom.tensor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.nn.Conv2d;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ops given shapes that do not fit throw {@link ShapeException} naming both shapes. */
class ShapeErrorTest {

  private static Tensor z(int... shape) {
    return Tensor.zeros(shape);
  }

  @Test
  void addWithNonBroadcastableShapes() {
    assertThatThrownBy(() -> z(2, 3).add(z(4, 3))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[4, 3]");
    assertThatThrownBy(() -> z(2, 3, 4).mul(z(3, 5))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3, 4]").hasMessageContaining("[3, 5]");
    assertThatThrownBy(() -> Tensor.where(z(3), z(3), z(4))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[3]").hasMessageContaining("[4]");
  }

  @Test
  void matmul() {
    assertThatThrownBy(() -> z(2, 3).matmul(z(4, 5))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[4, 5]");
    assertThatThrownBy(() -> z(2, 2, 3).matmul(z(3, 3, 4))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 2, 3]").hasMessageContaining("[3, 3, 4]");
    assertThatThrownBy(() -> z(3).matmul(z(4))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[3]").hasMessageContaining("[4]");
    assertThatThrownBy(() -> z(3).matmul(z(2, 4, 5))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[3]").hasMessageContaining("[2, 4, 5]");
  }

  @Test
  void cat() {
    assertThatThrownBy(() -> Tensor.cat(List.of(z(2, 3), z(2, 4)), 0)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[2, 4]");
    assertThatThrownBy(() -> Tensor.cat(List.of(z(2, 3), z(2, 3, 1)), 1)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[2, 3, 1]");
    assertThatThrownBy(() -> Tensor.stack(List.of(z(2, 3), z(3, 2)), 0)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
  }

  @Test
  void reshape() {
    assertThatThrownBy(() -> z(2, 3).reshape(4, 2)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[4, 2]");
    assertThatThrownBy(() -> z(2, 3).reshape(4, -1)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[4, -1]");
    assertThatThrownBy(() -> z(2, 3).expand(4, 3)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[4, 3]");
  }

  @Test
  void conv2d() {
    Tensor w = z(4, 2, 3, 3);
    assertThatThrownBy(() -> F.conv2d(z(1, 3, 5, 5), w, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1))
        .isInstanceOf(ShapeException.class).hasMessageContaining("[1, 3, 5, 5]").hasMessageContaining("[4, 2, 3, 3]");
    Conv2d conv = new Conv2d(3, 4, 3, new Rng(1));
    assertThatThrownBy(() -> conv.call(z(3, 5, 5))).isInstanceOf(ShapeException.class).hasMessageContaining("[3, 5, 5]");
  }

  @Test
  void linear() {
    Tensor w = z(5, 4);
    assertThatThrownBy(() -> F.linear(z(2, 3), w, null)).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[5, 4]");
    Linear lin = new Linear(4, 5, new Rng(1));
    assertThatThrownBy(() -> lin.call(z(7, 6))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[7, 6]").hasMessageContaining("[5, 4]");
    assertThatThrownBy(() -> F.linear(z(2, 4), w, z(4))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[5]").hasMessageContaining("[4]");
  }

  @Test
  void lossesAndNorms() {
    assertThatThrownBy(() -> F.mseLoss(z(2, 3), z(3, 2))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
    assertThatThrownBy(() -> F.binaryCrossEntropyWithLogits(z(2, 3), z(2, 4))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3]").hasMessageContaining("[2, 4]");
    assertThatThrownBy(() -> F.crossEntropy(z(4, 3), Tensor.ofLongs(new long[3], 3))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[4]").hasMessageContaining("[3]");
    assertThatThrownBy(() -> new dev.fathom.nn.LayerNorm(4).call(z(2, 5))).isInstanceOf(ShapeException.class)
        .hasMessageContaining("[4]").hasMessageContaining("[2, 5]");
  }
}
