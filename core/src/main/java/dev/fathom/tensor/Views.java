package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Shape changes, reorderings, slicing and joining. Only reshape shares storage; the rest copy. */
final class Views {
  private Views() {}

  static Tensor reshape(Tensor t, int[] newShape) {
    int n = t.numel();
    int[] s = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) throw new ShapeException("reshape: only one dim may be -1, got " + Shape.str(newShape));
        infer = i;
      } else if (s[i] < 0) {
        throw new ShapeException("reshape: invalid dim " + s[i] + " in " + Shape.str(newShape));
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || n % known != 0) {
        throw new ShapeException("reshape: cannot view " + n + " elements of shape " + Shape.str(t.shape()) + " as " + Shape.str(newShape));
      }
      s[infer] = (int) (n / known);
    }
    if (Shape.numel(s) != n) {
      throw new ShapeException("reshape: shape " + Shape.str(t.shape()) + " (" + n + " elements) cannot become "
          + Shape.str(newShape) + " (" + Shape.numel(s) + " elements)");
    }
    int[] in = t.shape();
    Tensor out = t.share(s);
    return Autograd.record("reshape", out, g -> new Tensor[] {g.reshape(in)}, t);
  }

  static Tensor flatten(Tensor t, int startDim, int endDim) {
    int[] s = t.shape();
    if (s.length == 0) return reshape(t, new int[] {1});
    int a = Shape.dim(startDim, s.length), b = Shape.dim(endDim, s.length);
    if (a > b) throw new ShapeException("flatten: startDim " + startDim + " is after endDim " + endDim);
    int[] r = new int[s.length - (b - a)];
    int j = 0;
    for (int i = 0; i < a; i++) r[j++] = s[i];
    int m = 1;
    for (int i = a; i <= b; i++) m *= s[i];
    r[j++] = m;
    for (int i = b + 1; i < s.length; i++) r[j++] = s[i];
    return reshape(t, r);
  }

  static Tensor squeeze(Tensor t, int dim) {
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    if (s[d] != 1) return t;
    int[] r = new int[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) if (i != d) r[j++] = s[i];
    return reshape(t, r);
  }

  static Tensor unsqueeze(Tensor t, int dim) {
    int[] s = t.shape();
    int d = dim < 0 ? dim + s.length + 1 : dim;
    if (d < 0 || d > s.length) throw new ShapeException("unsqueeze: dim " + dim + " out of range for rank " + s.length);
    int[] r = new int[s.length + 1];
    for (int i = 0, j = 0; i < r.length; i++) r[i] = i == d ? 1 : s[j++];
    return reshape(t, r);
  }

  static Tensor transpose(Tensor t, int d0, int d1) {
    int r = t.dim();
    int a = Shape.dim(d0, r), b = Shape.dim(d1, r);
    int[] perm = new int[r];
    for (int i = 0; i < r; i++) perm[i] = i;
    perm[a] = b;
    perm[b] = a;
    return permute(t, perm);
  }

  static Tensor permute(Tensor t, int[] perm) {
    int[] s = t.shape();
    if (perm.length != s.length) {
      throw new ShapeException("permute: " + Arrays.toString(perm) + " has " + perm.length + " dims, tensor shape " + Shape.str(s) + " has " + s.length);
    }
    int[] p = new int[perm.length];
    boolean[] seen = new boolean[perm.length];
    for (int i = 0; i < perm.length; i++) {
      p[i] = Shape.dim(perm[i], s.length);
      if (seen[p[i]]) throw new ShapeException("permute: dim " + perm[i] + " repeated in " + Arrays.toString(perm));
      seen[p[i]] = true;
    }
    int[] inv = new int[p.length];
    for (int i = 0; i < p.length; i++) inv[p[i]] = i;
    Tensor out = permuteCopy(t, p);
    return Autograd.record("permute", out, g -> new Tensor[] {permuteCopy(g, inv)}, t);
  }

  private static Tensor permuteCopy(Tensor t, int[] p) {
    int[] s = t.shape();
    int[] is = Shape.strides(s);
    int[] os = new int[p.length];
    int[] st = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      os[i] = s[p[i]];
      st[i] = is[p[i]];
    }
    if (t.dtype() == DType.INT64) {
      long[] x = t.longData();
      long[] o = new long[x.length];
      Broadcast.forEachRun(os, new int[][] {st}, (oo, offs, steps, n) -> {
        for (int i = 0; i < n; i++) o[oo + i] = x[offs[0] + i * steps[0]];
      });
      return Tensor.ofLongs(o, os);
    }
    float[] x = t.toFloat().data();
    float[] o = new float[x.length];
    Broadcast.forEachRun(os, new int[][] {st}, (oo, offs, steps, n) -> {
      int src = offs[0], step = steps[0];
      for (int i = 0; i < n; i++) o[oo + i] = x[src + i * step];
    });
    return Tensor.of(o, os);
  }

  static Tensor narrow(Tensor t, int dim, int start, int length) {
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    if (start < 0 || length < 0 || start + length > s[d]) {
      throw new ShapeException("narrow: range [" + start + ", " + (start + length) + ") is outside dim " + dim
          + " of size " + s[d] + " (shape " + Shape.str(s) + ")");
    }
    int outer = 1, inner = 1;
    for (int i = 0; i < d; i++) outer *= s[i];
    for (int i = d + 1; i < s.length; i++) inner *= s[i];
    int[] os = s.clone();
    os[d] = length;
    int n = s[d];
    if (t.dtype() == DType.INT64) {
      long[] x = t.longData();
      long[] o = new long[outer * length * inner];
      for (int r = 0; r < outer; r++) System.arraycopy(x, (r * n + start) * inner, o, r * length * inner, length * inner);
      return Tensor.ofLongs(o, os);
    }
    float[] x = t.toFloat().data();
    float[] o = new float[outer * length * inner];
    for (int r = 0; r < outer; r++) System.arraycopy(x, (r * n + start) * inner, o, r * length * inner, length * inner);
    Tensor out = Tensor.of(o, os);
    final int fo = outer, fi = inner;
    return Autograd.record("narrow", out, g -> {
      float[] gd = g.data();
      float[] gx = new float[x.length];
      for (int r = 0; r < fo; r++) System.arraycopy(gd, r * length * fi, gx, (r * n + start) * fi, length * fi);
      return new Tensor[] {Tensor.of(gx, s)};
    }, t);
  }

  static Tensor expand(Tensor t, int[] newShape) {
    int[] s = t.shape();
    if (newShape.length < s.length) {
      throw new ShapeException("expand: target " + Shape.str(newShape) + " has fewer dims than shape " + Shape.str(s));
    }
    int[] target = newShape.clone();
    int off = target.length - s.length;
    for (int i = 0; i < target.length; i++) {
      if (target[i] == -1) {
        if (i < off) throw new ShapeException("expand: -1 not allowed for a new leading dim in " + Shape.str(newShape));
        target[i] = s[i - off];
      }
      if (i >= off && s[i - off] != 1 && s[i - off] != target[i]) {
        throw new ShapeException("expand: shape " + Shape.str(s) + " cannot expand to " + Shape.str(newShape));
      }
    }
    if (Arrays.equals(target, s)) return t;
    float[] x = t.toFloat().data();
    float[] o = new float[Shape.numel(target)];
    Broadcast.forEachRun(target, new int[][] {Shape.broadcastStrides(s, target)}, (oo, offs, steps, n) -> {
      if (steps[0] == 0) Arrays.fill(o, oo, oo + n, x[offs[0]]);
      else System.arraycopy(x, offs[0], o, oo, n);
    });
    Tensor out = Tensor.of(o, target);
    return Autograd.record("expand", out, g -> new Tensor[] {Reduce.sumToShape(g, s)}, t);
  }

  static Tensor copy(Tensor t) {
    if (t.dtype() == DType.INT64) return Tensor.ofLongs(t.longData().clone(), t.shape());
    if (t.dtype() == DType.INT32) return Tensor.ofInts(t.intData().clone(), t.shape());
    Tensor out = Tensor.of(t.data().clone(), t.shape());
    return Autograd.record("copy", out, g -> new Tensor[] {g}, t);
  }

  static Tensor cat(List<Tensor> ts, int dim) {
    if (ts.isEmpty()) throw new IllegalArgumentException("cat: expected at least one tensor");
    int[] s0 = ts.get(0).shape();
    int d = Shape.dim(dim, s0.length);
    int total = 0;
    for (int k = 0; k < ts.size(); k++) {
      int[] sk = ts.get(k).shape();
      boolean ok = sk.length == s0.length;
      for (int i = 0; ok && i < sk.length; i++) if (i != d && sk[i] != s0[i]) ok = false;
      if (!ok) {
        throw new ShapeException("cat: tensor " + k + " has shape " + Shape.str(sk) + ", expected " + Shape.str(s0)
            + " except along dim " + dim);
      }
      total += sk[d];
    }
    int outer = 1, inner = 1;
    for (int i = 0; i < d; i++) outer *= s0[i];
    for (int i = d + 1; i < s0.length; i++) inner *= s0[i];
    int[] os = s0.clone();
    os[d] = total;
    float[] o = new float[Shape.numel(os)];
    int at = 0;
    int[] sizes = new int[ts.size()];
    for (int k = 0; k < ts.size(); k++) {
      float[] x = ts.get(k).toFloat().data();
      int n = ts.get(k).shape()[d];
      sizes[k] = n;
      for (int r = 0; r < outer; r++) System.arraycopy(x, r * n * inner, o, (r * total + at) * inner, n * inner);
      at += n;
    }
    Tensor out = Tensor.of(o, os);
    Tensor[] inputs = ts.toArray(new Tensor[0]);
    return Autograd.record("cat", out, g -> {
      Tensor[] gs = new Tensor[inputs.length];
      int pos = 0;
      for (int k = 0; k < inputs.length; k++) {
        if (inputs[k].requiresGrad()) gs[k] = narrow(g, d, pos, sizes[k]);
        pos += sizes[k];
      }
      return gs;
    }, inputs);
  }

  static Tensor stack(List<Tensor> ts, int dim) {
    if (ts.isEmpty()) throw new IllegalArgumentException("stack: expected at least one tensor");
    int rank = ts.get(0).dim() + 1;
    int d = dim < 0 ? dim + rank : dim;
    List<Tensor> u = new ArrayList<>();
    for (int k = 0; k < ts.size(); k++) {
      if (!Arrays.equals(ts.get(k).shape(), ts.get(0).shape())) {
        throw new ShapeException("stack: tensor " + k + " has shape " + Shape.str(ts.get(k).shape())
            + ", expected " + Shape.str(ts.get(0).shape()));
      }
      u.add(unsqueeze(ts.get(k), d));
    }
    return cat(u, d);
  }

  static List<Tensor> split(Tensor t, int size, int dim) {
    if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
    int n = t.size(dim);
    List<Tensor> out = new ArrayList<>();
    for (int s = 0; s < n; s += size) out.add(narrow(t, dim, s, Math.min(size, n - s)));
    return out;
  }
}
