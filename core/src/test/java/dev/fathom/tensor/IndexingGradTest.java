package dev.fathom.tensor;

import static dev.fathom.testing.Inputs.longs;
import static dev.fathom.testing.Inputs.randn;

import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of gather, indexSelect, scatterAdd and maskedSelect (with repeated indices). */
class IndexingGradTest {

  @Test
  void gather() {
    Tensor x = randn(1, 3, 4);
    // Repeated indices: the gradient of a repeated source element is the sum of its uses.
    Tensor idx1b = longs(new long[] {0, 0, 3, 1, 2, 2}, 3, 2);
    GradCheck.check("gather dim 1", in -> in.get(0).gather(1, idx1b).exp(), x);
    Tensor idx0 = longs(new long[] {2, 0, 1, 1, 0, 0, 2, 2}, 2, 4);
    GradCheck.check("gather dim 0", in -> in.get(0).gather(0, idx0).exp(), x);
    Tensor idxSmall = longs(new long[] {1, 0}, 2, 1);
    GradCheck.check("gather index smaller than input", in -> in.get(0).gather(1, idxSmall), x);
    Tensor idx32 = Tensor.ofInts(new int[] {3, 2, 1, 0, 0, 1}, 3, 2);
    GradCheck.check("gather int32 index", in -> in.get(0).gather(1, idx32), x);
  }

  @Test
  void indexSelect() {
    Tensor x = randn(2, 4, 3, 2);
    Tensor idx = longs(new long[] {3, 0, 3, 1}, 4);
    GradCheck.check("indexSelect dim 0", in -> in.get(0).indexSelect(0, idx).exp(), x);
    Tensor idx1 = longs(new long[] {2, 2, 0}, 3);
    GradCheck.check("indexSelect dim 1", in -> in.get(0).indexSelect(1, idx1).exp(), x);
    Tensor idxLast = longs(new long[] {1}, 1);
    GradCheck.check("indexSelect dim -1", in -> in.get(0).indexSelect(-1, idxLast).exp(), x);
  }

  @Test
  void scatterAdd() {
    Tensor self = randn(3, 3, 4);
    Tensor src = randn(4, 3, 3);
    Tensor idx = longs(new long[] {0, 0, 3, 1, 1, 2, 3, 3, 3}, 3, 3);
    GradCheck.check("scatterAdd dim 1", in -> in.get(0).scatterAdd(1, idx, in.get(1)).exp(), self, src);
    Tensor src0 = randn(5, 2, 4);
    Tensor idx0 = longs(new long[] {2, 0, 2, 1, 2, 2, 0, 0}, 2, 4);
    GradCheck.check("scatterAdd dim 0", in -> in.get(0).scatterAdd(0, idx0, in.get(1)).exp(), self, src0);
    Tensor plain = Tensor.zeros(3, 4);
    GradCheck.check("scatterAdd into a constant", in -> plain.scatterAdd(1, idx, in.get(0)).exp(), src);
  }

  @Test
  void maskedSelect() {
    Tensor x = randn(6, 3, 4);
    Tensor mask = Tensor.of(new float[] {1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1}, 3, 4);
    GradCheck.check("maskedSelect", in -> in.get(0).maskedSelect(mask).exp(), x);
  }
}
