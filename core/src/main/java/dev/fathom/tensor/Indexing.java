package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;

/** Index-driven selection and accumulation: gather, indexSelect, scatterAdd, maskedSelect. */
final class Indexing {
  private Indexing() {}

  private static void requireIndex(Tensor index, String op) {
    if (!index.dtype().isInteger()) {
      throw new IllegalArgumentException(op + ": index must be INT64 or INT32, got " + index.dtype());
    }
  }

  private static int checked(long v, int size, String op, int dim) {
    if (v < 0 || v >= size) {
      throw new IndexOutOfBoundsException(op + ": index " + v + " is out of bounds for dim " + dim + " of size " + size);
    }
    return (int) v;
  }

  /** For every element of {@code index} (flat position p), the offset it addresses in a tensor of shape {@code s}. */
  private static int[] offsets(int[] s, int d, Tensor index, String op) {
    int[] is = index.shape();
    if (is.length != s.length) {
      throw new ShapeException(op + ": index has shape " + Shape.str(is) + " but the tensor has shape " + Shape.str(s) + " (ranks must match)");
    }
    for (int i = 0; i < s.length; i++) {
      if (i != d && is[i] > s[i]) {
        throw new ShapeException(op + ": index shape " + Shape.str(is) + " exceeds tensor shape " + Shape.str(s) + " at dim " + i);
      }
    }
    int[] st = Shape.strides(s);
    int n = index.numel();
    int[] off = new int[n];
    int[] coord = new int[is.length];
    for (int p = 0; p < n; p++) {
      int o = 0;
      for (int i = 0; i < is.length; i++) {
        int c = i == d ? checked(index.getLong(p), s[d], op, d) : coord[i];
        o += c * st[i];
      }
      off[p] = o;
      for (int i = is.length - 1; i >= 0; i--) {
        if (++coord[i] < is[i]) break;
        coord[i] = 0;
      }
    }
    return off;
  }

  static Tensor gather(Tensor t, int dim, Tensor index) {
    requireIndex(index, "gather");
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    int[] off = offsets(s, d, index, "gather");
    float[] x = t.data();
    float[] o = new float[off.length];
    for (int p = 0; p < off.length; p++) o[p] = x[off[p]];
    Tensor out = Tensor.of(o, index.shape());
    return Autograd.record("gather", out, g -> {
      float[] gd = g.data();
      float[] gx = new float[x.length];
      for (int p = 0; p < off.length; p++) gx[off[p]] += gd[p];
      return new Tensor[] {Tensor.of(gx, s)};
    }, t);
  }

  static Tensor scatterAdd(Tensor t, int dim, Tensor index, Tensor src) {
    requireIndex(index, "scatterAdd");
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    int[] off = offsets(s, d, index, "scatterAdd");
    int[] ss = src.shape();
    int[] is = index.shape();
    for (int i = 0; i < is.length; i++) {
      if (ss.length != is.length || is[i] > ss[i]) {
        throw new ShapeException("scatterAdd: index shape " + Shape.str(is) + " does not fit src shape " + Shape.str(ss));
      }
    }
    float[] o = t.data().clone();
    float[] sd = src.data();
    int[] sst = Shape.strides(ss);
    int[] srcOff = new int[off.length];
    int[] coord = new int[is.length];
    for (int p = 0; p < off.length; p++) {
      int so = 0;
      for (int i = 0; i < is.length; i++) so += coord[i] * sst[i];
      srcOff[p] = so;
      o[off[p]] += sd[so];
      for (int i = is.length - 1; i >= 0; i--) {
        if (++coord[i] < is[i]) break;
        coord[i] = 0;
      }
    }
    Tensor out = Tensor.of(o, s);
    return Autograd.record("scatterAdd", out, g -> {
      Tensor gs = null;
      if (src.requiresGrad()) {
        float[] gd = g.data();
        float[] gsrc = new float[sd.length];
        for (int p = 0; p < off.length; p++) gsrc[srcOff[p]] = gd[off[p]];
        gs = Tensor.of(gsrc, ss);
      }
      return new Tensor[] {g, null, gs};
    }, t, index, src);
  }

  static Tensor indexSelect(Tensor t, int dim, Tensor index) {
    requireIndex(index, "indexSelect");
    if (index.dim() > 1) {
      throw new ShapeException("indexSelect: index must be 0-D or 1-D, got shape " + Shape.str(index.shape()));
    }
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    int outer = 1, inner = 1;
    for (int i = 0; i < d; i++) outer *= s[i];
    for (int i = d + 1; i < s.length; i++) inner *= s[i];
    int m = index.numel(), n = s[d];
    int[] idx = new int[m];
    for (int k = 0; k < m; k++) idx[k] = checked(index.getLong(k), n, "indexSelect", d);
    int[] os = s.clone();
    os[d] = m;
    float[] x = t.data();
    float[] o = new float[outer * m * inner];
    for (int r = 0; r < outer; r++) {
      for (int k = 0; k < m; k++) System.arraycopy(x, (r * n + idx[k]) * inner, o, (r * m + k) * inner, inner);
    }
    Tensor out = Tensor.of(o, os);
    final int fo = outer, fi = inner;
    return Autograd.record("indexSelect", out, g -> {
      float[] gd = g.data();
      float[] gx = new float[x.length];
      for (int r = 0; r < fo; r++) {
        for (int k = 0; k < m; k++) {
          int src = (r * m + k) * fi, dst = (r * n + idx[k]) * fi;
          for (int i = 0; i < fi; i++) gx[dst + i] += gd[src + i];
        }
      }
      return new Tensor[] {Tensor.of(gx, s)};
    }, t);
  }

  static Tensor maskedSelect(Tensor t, Tensor mask) {
    if (!java.util.Arrays.equals(t.shape(), mask.shape())) {
      throw new ShapeException("maskedSelect: mask shape " + Shape.str(mask.shape()) + " must equal tensor shape " + Shape.str(t.shape()));
    }
    int n = 0;
    for (int i = 0; i < mask.numel(); i++) if (mask.getFlat(i) != 0) n++;
    int[] pos = new int[n];
    for (int i = 0, j = 0; i < mask.numel(); i++) if (mask.getFlat(i) != 0) pos[j++] = i;
    float[] x = t.data();
    float[] o = new float[n];
    for (int j = 0; j < n; j++) o[j] = x[pos[j]];
    Tensor out = Tensor.of(o, n);
    int[] s = t.shape();
    return Autograd.record("maskedSelect", out, g -> {
      float[] gd = g.data();
      float[] gx = new float[x.length];
      for (int j = 0; j < pos.length; j++) gx[pos[j]] = gd[j];
      return new Tensor[] {Tensor.of(gx, s)};
    }, t);
  }
}
