package dev.fathom.llm;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Parallel;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/** The rotary embedding as an autograd op over (B, T, H, D) tensors; the backward rotates back. */
final class RopeOps {
  private RopeOps() {}

  /**
   * Rotates x (B, T, H, D), position of token t being {@code offset + t}.
   *
   * @return a new tensor; the gradient is the inverse rotation of the output gradient
   */
  static Tensor apply(Tensor x, Rotary rope, int offset) {
    if (x.dim() != 4 || x.size(3) != 2 * rope.half()) {
      throw new ShapeException("rope: expected (B, T, H, " + 2 * rope.half() + "), got " + Shape.str(x.shape()));
    }
    int b = x.size(0), t = x.size(1), h = x.size(2);
    rope.ensure(offset + t);
    float[] out = x.data().clone();
    rotateAll(out, b, t, h, rope, offset, 1f);
    Tensor y = Tensor.of(out, x.shape());
    return Autograd.record("rope", y, g -> {
      float[] gx = g.data().clone();
      rotateAll(gx, b, t, h, rope, offset, -1f);
      return new Tensor[] {Tensor.of(gx, x.shape())};
    }, x);
  }

  private static void rotateAll(float[] v, int b, int t, int h, Rotary rope, int offset, float sign) {
    int half = rope.half(), rowLen = h * 2 * half;
    float[] cos = rope.cos(), sin = rope.sin();
    Parallel.forRange(b * t, Math.max(1, 8192 / rowLen), (s, e) -> {
      for (int r = s; r < e; r++) Rotary.rotate(v, r * rowLen, h, half, cos, sin, offset + r % t, sign);
    });
  }
}
