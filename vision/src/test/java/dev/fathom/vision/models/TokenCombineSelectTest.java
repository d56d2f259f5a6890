package dev.fathom.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TokenCombineSelectTest {
  @Test
  void selectPicksRowsAndRoutesGradientsBack() {
    Tensor x = Tensor.arange(2 * 4 * 3).reshape(2, 4, 3).requiresGrad(true);
    Tensor s = TokenCombine.select(x, new int[][] {{1, 3}, {0, 2}});
    assertThat(s.toFloatArray()).containsExactly(3, 4, 5, 9, 10, 11, 12, 13, 14, 18, 19, 20);
    s.sum().backward();
    assertThat(x.grad().toFloatArray()).containsExactly(0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0);
  }

  @Test
  void rejectsRowsOutOfRangeOrRepeated() {
    Tensor x = Tensor.zeros(1, 4, 2);
    assertThatThrownBy(() -> TokenCombine.select(x, new int[][] {{1, 4}})).hasMessageContaining("index 4 of image 0 is outside [0, 4)");
    assertThatThrownBy(() -> TokenCombine.select(x, new int[][] {{2, 2}})).hasMessageContaining("index 2 of image 0 is repeated");
    assertThatThrownBy(() -> TokenCombine.select(x, new int[][] {{1}, {2}})).hasMessageContaining("2 index rows for a batch of 1");
  }
}
