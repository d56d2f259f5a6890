package dev.fathom.tensor;

import static dev.fathom.testing.Inputs.randn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.testing.GradCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of shape changes, reorderings, slicing and joining. Each op is
 * followed by a multiplication with a fixed position-dependent tensor where the op alone would
 * be linear with a gradient that hides reorderings (the random direction of GradCheck already
 * tells positions apart, so this is belt and braces).
 */
class ViewsGradTest {

  @Test
  void reshapeViewFlatten() {
    Tensor x = randn(1, 2, 3, 4);
    GradCheck.check("reshape", in -> in.get(0).reshape(4, -1).exp(), x);
    GradCheck.check("view", in -> in.get(0).view(6, 4).sin(), x);
    GradCheck.check("flatten(1,2)", in -> in.get(0).flatten(1, 2).tanh(), x);
    GradCheck.check("flatten(0,-1)", in -> in.get(0).flatten(0, -1).mul(in.get(0).reshape(-1)), x);
  }

  @Test
  void squeezeUnsqueeze() {
    Tensor x = randn(2, 2, 1, 3);
    GradCheck.check("squeeze(1)", in -> in.get(0).squeeze(1).exp(), x);
    GradCheck.check("squeeze(-2)", in -> in.get(0).squeeze(-2).exp(), x);
    GradCheck.check("squeeze(0) no-op", in -> in.get(0).squeeze(0).exp(), x);
    GradCheck.check("unsqueeze(0)", in -> in.get(0).unsqueeze(0).exp(), x);
    GradCheck.check("unsqueeze(-1)", in -> in.get(0).unsqueeze(-1).exp(), x);
  }

  @Test
  void transposePermute() {
    Tensor x = randn(3, 2, 3, 4);
    GradCheck.check("transpose(0,2)", in -> in.get(0).transpose(0, 2).mul(weights(4, 3, 2)), x);
    GradCheck.check("transpose(-1,-2)", in -> in.get(0).transpose(-1, -2).mul(weights(2, 4, 3)), x);
    GradCheck.check("permute(2,0,1)", in -> in.get(0).permute(2, 0, 1).mul(weights(4, 2, 3)), x);
    Tensor m = randn(4, 3, 5);
    GradCheck.check("t()", in -> in.get(0).t().mul(weights(5, 3)), m);
  }

  @Test
  void narrowSlice() {
    Tensor x = randn(5, 3, 5, 4);
    GradCheck.check("narrow(1,1,3)", in -> in.get(0).narrow(1, 1, 3).exp(), x);
    GradCheck.check("narrow(0,2,1)", in -> in.get(0).narrow(0, 2, 1).exp(), x);
    GradCheck.check("narrow(-1,0,2)", in -> in.get(0).narrow(-1, 0, 2).exp(), x);
    GradCheck.check("slice(1,-3,-1)", in -> in.get(0).slice(1, -3, -1).exp(), x);
    GradCheck.check("slice(2,1,100)", in -> in.get(0).slice(2, 1, 100).exp(), x);
  }

  @Test
  void expand() {
    GradCheck.check("expand [3,1]->[3,4]", in -> in.get(0).expand(3, 4).mul(weights(3, 4)), randn(6, 3, 1));
    GradCheck.check("expand [3,1,4]->[2,3,5,4]", in -> in.get(0).expand(2, 3, 5, -1).mul(weights(2, 3, 5, 4)), randn(7, 3, 1, 4));
    GradCheck.check("expand [4]->[2,4]", in -> in.get(0).expand(2, 4).exp(), randn(8, 4));
  }

  @Test
  void copy() {
    Tensor x = randn(9, 2, 3);
    GradCheck.check("copy", in -> in.get(0).copy().mul(in.get(0)), x);
  }

  @Test
  void catAndStack() {
    Tensor a = randn(10, 2, 3, 4), b = randn(11, 2, 1, 4), c = randn(12, 2, 2, 4);
    GradCheck.check("cat dim 1", in -> Tensor.cat(in, 1).mul(weights(2, 6, 4)), a, b, c);
    Tensor d = randn(13, 1, 3, 4);
    GradCheck.check("cat dim 0", in -> Tensor.cat(in, 0).exp(), a, d);
    Tensor e = randn(14, 2, 3, 2);
    GradCheck.check("cat dim -1", in -> Tensor.cat(in, -1).exp(), a, e);
    Tensor constant = Tensor.ones(2, 3, 1);
    GradCheck.check("cat with a constant", in -> Tensor.cat(List.of(in.get(0), constant), 2).exp(), a);
    Tensor p = randn(15, 3, 4), q = randn(16, 3, 4), r = randn(17, 3, 4);
    GradCheck.check("stack dim 0", in -> Tensor.stack(in, 0).mul(weights(3, 3, 4)), p, q, r);
    GradCheck.check("stack dim 1", in -> Tensor.stack(in, 1).mul(weights(3, 3, 4)), p, q, r);
    GradCheck.check("stack dim -1", in -> Tensor.stack(in, -1).mul(weights(3, 4, 3)), p, q, r);
  }

  @Test
  void splitAndChunk() {
    Tensor x = randn(18, 3, 7);
    GradCheck.check("split(3, 1)", in -> rejoin(in.get(0).split(3, 1), 1), x);
    GradCheck.check("split(2, 0)", in -> rejoin(in.get(0).split(2, 0), 0), x);
    GradCheck.check("chunk(3, 1)", in -> rejoin(in.get(0).chunk(3, 1), 1), x);
    GradCheck.check("chunk(2, -1) pieces used twice", in -> {
      List<Tensor> pieces = in.get(0).chunk(2, -1);
      return pieces.get(0).sum(1, true).mul(pieces.get(1));
    }, x);
    assertThat(x.split(3, 1)).extracting(t -> t.size(1)).containsExactly(3, 3, 1);
    assertThat(x.chunk(3, 1)).extracting(t -> t.size(1)).containsExactly(3, 3, 1);
  }

  /** Scales piece k by k + 1 and concatenates the pieces in reverse order. */
  private static Tensor rejoin(List<Tensor> pieces, int dim) {
    List<Tensor> scaled = new ArrayList<>();
    for (int k = pieces.size() - 1; k >= 0; k--) scaled.add(pieces.get(k).mul(k + 1f));
    return Tensor.cat(scaled, dim);
  }

  /** A fixed tensor 1, 2, 3, ... / n of the given shape, outside the graph. */
  static Tensor weights(int... shape) {
    int n = Shape.numel(shape);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) w[i] = (i + 1f) / n;
    return Tensor.of(w, shape);
  }
}
