package dev.fathom.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Ops on tensors large enough to take the parallel, chunked paths (more than 2^15 elements),
 * against plain loops: the gradient checks use small shapes, which never split work.
 */
class LargeTensorTest {
  private static final Rng RNG = new Rng(11);

  @Test
  void broadcastBinaryOpsAcrossChunks() {
    Tensor a = Tensor.randn(RNG, 130, 300), row = Tensor.randn(RNG, 300), col = Tensor.randn(RNG, 130, 1);
    float[] s = a.add(row).data(), p = a.mul(col).data(), d = a.sub(a.mul(2f)).data();
    for (int i = 0; i < 130; i++) {
      for (int j = 0; j < 300; j++) {
        int k = i * 300 + j;
        assertThat(s[k]).isEqualTo(a.getFlat(k) + row.getFlat(j));
        assertThat(p[k]).isEqualTo(a.getFlat(k) * col.getFlat(i));
        assertThat(d[k]).isEqualTo(a.getFlat(k) - a.getFlat(k) * 2f);
      }
    }
    Tensor flatA = Tensor.randn(RNG, 70_001), flatB = Tensor.randn(RNG, 70_001);
    float[] f = flatA.div(flatB).data(), e = flatA.exp().data(), m = flatA.maximum(flatB).data();
    for (int k = 0; k < 70_001; k++) {
      assertThat(f[k]).isEqualTo(flatA.getFlat(k) / flatB.getFlat(k));
      float want = (float) Math.exp(flatA.getFlat(k));
      assertThat(Math.abs(e[k] - want)).isLessThanOrEqualTo(2 * Math.ulp(want));
      assertThat(m[k]).isEqualTo(Math.max(flatA.getFlat(k), flatB.getFlat(k)));
    }
  }

  @Test
  void reductionsAndSoftmaxAcrossChunks() {
    Tensor a = Tensor.randn(RNG, 200, 300);
    Tensor rows = a.sum(1, false), cols = a.sum(0, true), sm = a.softmax(1), lsm = a.logSoftmax(0);
    for (int i = 0; i < 200; i++) {
      double acc = 0, z = 0;
      for (int j = 0; j < 300; j++) {
        acc += a.get(i, j);
        z += Math.exp(a.get(i, j));
      }
      assertThat((double) rows.get(i)).isCloseTo(acc, within(1e-4));
      for (int j = 0; j < 300; j += 37) assertThat((double) sm.get(i, j)).isCloseTo(Math.exp(a.get(i, j)) / z, within(1e-6));
    }
    for (int j = 0; j < 300; j++) {
      double acc = 0, z = 0;
      for (int i = 0; i < 200; i++) {
        acc += a.get(i, j);
        z += Math.exp(a.get(i, j));
      }
      assertThat((double) cols.get(0, j)).isCloseTo(acc, within(1e-4));
      for (int i = 0; i < 200; i += 41) assertThat((double) lsm.get(i, j)).isCloseTo(a.get(i, j) - Math.log(z), within(1e-5));
    }
  }

  @Test
  void broadcastGradientsSumOverLargeTensors() {
    Tensor a = Tensor.randn(RNG, 130, 300).requiresGrad(true), row = Tensor.randn(RNG, 300).requiresGrad(true);
    a.add(row).mul(Tensor.full(new int[] {130, 300}, 0.5f)).sum().backward();
    assertThat(row.grad().toFloatArray()).containsOnly(65f);
    assertThat(a.grad().toFloatArray()).containsOnly(0.5f);
  }

  @Test
  void permuteAndMatmulAcrossChunks() {
    Tensor a = Tensor.randn(RNG, 60, 50, 40);
    Tensor p = a.permute(2, 0, 1);
    for (int i = 0; i < 60; i += 7) for (int j = 0; j < 50; j += 3) for (int k = 0; k < 40; k++) {
      assertThat(p.get(k, i, j)).isEqualTo(a.get(i, j, k));
    }
    Tensor x = Tensor.randn(RNG, 64, 128), w = Tensor.randn(RNG, 128, 96);
    Tensor c = x.matmul(w);
    for (int i = 0; i < 64; i += 5) for (int j = 0; j < 96; j += 7) {
      double acc = 0;
      for (int k = 0; k < 128; k++) acc += (double) x.get(i, k) * w.get(k, j);
      assertThat((double) c.get(i, j)).isCloseTo(acc, within(1e-3));
    }
  }

  @Test
  void resultsAreReproducible() {
    Tensor a = Tensor.randn(new Rng(5), 150, 400);
    assertThat(a.softmax(1).sum(0, false).data()).isEqualTo(a.softmax(1).sum(0, false).data());
    assertThat(a.var(0, false).data()).isEqualTo(a.var(0, false).data());
  }
}
