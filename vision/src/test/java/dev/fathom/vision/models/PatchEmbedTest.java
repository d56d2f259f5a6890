package dev.fathom.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PatchEmbedTest {
  /** Token (i, j) of image n is bias + Σ W[d, c, u, v] · x[n, c, i·p + u, j·p + v], in row-major patch order. */
  @Test
  void equalsAHandLoop() {
    int n = 2, c = 3, h = 6, w = 9, p = 3, d = 5;
    PatchEmbed embed = new PatchEmbed(c, p, d, new Rng(1));
    Tensor x = Tensor.randn(new Rng(2), n, c, h, w);
    float[] got = embed.call(x).toFloatArray();
    float[] wt = embed.namedParameters().get("proj.weight").data(), b = embed.namedParameters().get("proj.bias").data(), xs = x.data();
    int gh = h / p, gw = w / p;
    for (int img = 0; img < n; img++) {
      for (int i = 0; i < gh; i++) {
        for (int j = 0; j < gw; j++) {
          for (int o = 0; o < d; o++) {
            double s = b[o];
            for (int ch = 0; ch < c; ch++) {
              for (int u = 0; u < p; u++) {
                for (int v = 0; v < p; v++) {
                  s += wt[((o * c + ch) * p + u) * p + v] * xs[((img * c + ch) * h + i * p + u) * w + j * p + v];
                }
              }
            }
            assertThat(got[((img * gh * gw) + i * gw + j) * d + o]).isCloseTo((float) s, within(1e-4f));
          }
        }
      }
    }
  }

  @Test
  void sincosAgainstHandValues() {
    Tensor table = PositionEmbeddings.sincos2d(2, 3, 8);
    assertThat(table.shape()).containsExactly(6, 8);
    // token 5 = row 1, column 2; dim 8 → ω = (1, 10000^(-1/2) = 0.01); column first, then row
    double[] expected = {Math.sin(2), Math.sin(0.02), Math.cos(2), Math.cos(0.02), Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01)};
    for (int k = 0; k < 8; k++) assertThat(table.get(5, k)).isCloseTo((float) expected[k], within(1e-6f));
    // token 0 = (0, 0): sines 0, cosines 1
    assertThat(table.narrow(0, 0, 1).toFloatArray()).containsExactly(new float[] {0, 0, 1, 1, 0, 0, 1, 1}, within(0f));
  }
}
