package dev.fathom.vision.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PatchesTest {
  @Test
  void patchifyMatchesAHandLoop() {
    int n = 2, c = 3, h = 4, w = 6, p = 2;
    Tensor x = Tensor.randn(new Rng(1), n, c, h, w);
    Tensor patches = Patches.patchify(x, p);
    assertThat(patches.shape()).containsExactly(n, (h / p) * (w / p), p * p * c);
    for (int i = 0; i < n; i++) {
      for (int gi = 0; gi < h / p; gi++) {
        for (int gj = 0; gj < w / p; gj++) {
          for (int r = 0; r < p; r++) {
            for (int q = 0; q < p; q++) {
              for (int ch = 0; ch < c; ch++) {
                float expected = x.get(i, ch, gi * p + r, gj * p + q);
                assertThat(patches.get(i, gi * (w / p) + gj, (r * p + q) * c + ch)).isEqualTo(expected);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void unpatchifyInvertsPatchify() {
    Tensor x = Tensor.randn(new Rng(2), 3, 1, 28, 28);
    Tensor back = Patches.unpatchify(Patches.patchify(x, 7), 7, 1, 4, 4);
    assertThat(back.shape()).containsExactly(3, 1, 28, 28);
    assertThat(back.data()).containsExactly(x.data());
  }

  @Test
  void patchSizeMustDivideTheImage() {
    assertThatThrownBy(() -> Patches.patchify(Tensor.zeros(1, 1, 28, 28), 5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("patch size 5").hasMessageContaining("28x28");
  }
}
