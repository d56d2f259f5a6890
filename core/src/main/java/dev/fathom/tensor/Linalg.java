package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Gemm;
import java.util.Arrays;

/** Matrix products with batch broadcasting, on the packed GEMM kernel. */
final class Linalg {
  private Linalg() {}

  static Tensor matmul(Tensor a, Tensor b) {
    Pointwise.requireFloat(a, "matmul");
    Pointwise.requireFloat(b, "matmul");
    if (a.dim() == 0 || b.dim() == 0) {
      throw new ShapeException("matmul: both operands need at least 1 dim, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
    }
    int ka = a.size(-1), kb = b.dim() == 1 ? b.size(0) : b.size(-2);
    if (ka != kb) {
      throw new ShapeException("matmul: shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
          + " cannot be multiplied (inner dims " + ka + " and " + kb + ")");
    }
    if (a.dim() == 1 && b.dim() == 1) return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape();  // dot product: 0-d
    if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
    if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
    int[] as = a.shape(), bs = b.shape();
    int m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
    if (k != k2) {
      throw new ShapeException("matmul: shapes " + Shape.str(as) + " and " + Shape.str(bs)
          + " cannot be multiplied (" + m + "x" + k + " and " + k2 + "x" + n + ")");
    }
    int[] ba = Arrays.copyOf(as, as.length - 2), bb = Arrays.copyOf(bs, bs.length - 2);
    if (bb.length == 0) return matmulFlatB(a, b, m, k, n);
    int[] batch;
    try {
      batch = Shape.broadcast(ba, bb);
    } catch (ShapeException e) {
      throw new ShapeException("matmul: shapes " + Shape.str(as) + " and " + Shape.str(bs)
          + " have batch dims that cannot be broadcast (" + e.getMessage() + ")");
    }
    Tensor ae = expandBatch(a, batch), be = expandBatch(b, batch);
    int nb = Shape.numel(batch);
    long sa = Shape.numel(ba) == 1 ? 0 : (long) m * k, sb = Shape.numel(bb) == 1 ? 0 : (long) k * n;
    int[] os = Arrays.copyOf(batch, batch.length + 2);
    os[batch.length] = m;
    os[batch.length + 1] = n;
    float[] c = new float[Shape.numel(os)];
    Gemm.sgemmBatched(nb, false, false, m, n, k, 1f, ae.data(), 0, sa, k, be.data(), 0, sb, n, 0f, c, 0, (long) m * n, n);
    Tensor out = Tensor.of(c, os);
    return Autograd.record("matmul", out, g -> {
      Tensor ga = null, gb = null;
      float[] gd = g.data();
      if (a.requiresGrad()) {
        float[] d = new float[nb * m * k];
        Gemm.sgemmBatched(nb, false, true, m, k, n, 1f, gd, 0, (long) m * n, n, be.data(), 0, sb, n, 0f, d, 0, (long) m * k, k);
        int[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = m;
        full[batch.length + 1] = k;
        ga = Reduce.sumToShape(Tensor.of(d, full), as);
      }
      if (b.requiresGrad()) {
        float[] d = new float[nb * k * n];
        Gemm.sgemmBatched(nb, true, false, k, n, m, 1f, ae.data(), 0, sa, k, gd, 0, (long) m * n, n, 0f, d, 0, (long) k * n, n);
        int[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = k;
        full[batch.length + 1] = n;
        gb = Reduce.sumToShape(Tensor.of(d, full), bs);
      }
      return new Tensor[] {ga, gb};
    }, a, b);
  }

  /** A broadcast batch operand: itself when its batch is the full batch or a single matrix, else an expanded copy. */
  private static Tensor expandBatch(Tensor t, int[] batch) {
    int[] s = t.shape();
    int[] tb = Arrays.copyOf(s, s.length - 2);
    if (Arrays.equals(tb, batch) || Shape.numel(tb) == 1) return t;
    int[] target = Arrays.copyOf(batch, batch.length + 2);
    target[batch.length] = s[s.length - 2];
    target[batch.length + 1] = s[s.length - 1];
    try (var g = dev.fathom.autograd.Grad.disabled()) {
      return t.expand(target);
    }
  }

  /** (..., m, k) @ (k, n): one GEMM over the flattened leading dims. */
  private static Tensor matmulFlatB(Tensor a, Tensor b, int m, int k, int n) {
    int[] as = a.shape();
    int rows = a.numel() / Math.max(1, k);
    if (k == 0) rows = Shape.numel(Arrays.copyOf(as, as.length - 1));
    int[] os = as.clone();
    os[os.length - 1] = n;
    float[] c = new float[rows * n];
    Gemm.sgemm(false, false, rows, n, k, 1f, a.data(), 0, k, b.data(), 0, n, 0f, c, 0, n);
    Tensor out = Tensor.of(c, os);
    final int r = rows;
    return Autograd.record("matmul", out, g -> {
      Tensor ga = null, gb = null;
      if (a.requiresGrad()) {
        float[] d = new float[r * k];
        Gemm.sgemm(false, true, r, k, n, 1f, g.data(), 0, n, b.data(), 0, n, 0f, d, 0, k);
        ga = Tensor.of(d, as);
      }
      if (b.requiresGrad()) {
        float[] d = new float[k * n];
        Gemm.sgemm(true, false, k, n, r, 1f, a.data(), 0, k, g.data(), 0, n, 0f, d, 0, n);
        gb = Tensor.of(d, b.shape());
      }
      return new Tensor[] {ga, gb};
    }, a, b);
  }
}
