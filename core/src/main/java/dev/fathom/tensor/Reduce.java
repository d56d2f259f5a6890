package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Parallel;
import java.util.Arrays;

/**
 * Reductions along dimensions, softmax and log-softmax. A tensor reduced along one dim is seen
 * as (outer, n, inner): outer = product of dims before, n = the dim, inner = product after.
 */
final class Reduce {
  private Reduce() {}

  private static int outer(int[] s, int d) {
    int o = 1;
    for (int i = 0; i < d; i++) o *= s[i];
    return o;
  }

  private static int inner(int[] s, int d) {
    int o = 1;
    for (int i = d + 1; i < s.length; i++) o *= s[i];
    return o;
  }

  private static int[] keepShape(int[] s, int[] dims) {
    int[] k = s.clone();
    for (int d : dims) k[d] = 1;
    return k;
  }

  private static int[] dropShape(int[] s, int[] dims) {
    boolean[] drop = new boolean[s.length];
    for (int d : dims) drop[d] = true;
    int n = 0;
    for (boolean b : drop) if (!b) n++;
    int[] r = new int[n];
    int j = 0;
    for (int i = 0; i < s.length; i++) if (!drop[i]) r[j++] = s[i];
    return r;
  }

  /** Normalized, de-duplicated, sorted dims. */
  static int[] normDims(int[] dims, int rank) {
    int[] d = new int[dims.length];
    for (int i = 0; i < dims.length; i++) d[i] = Shape.dim(dims[i], rank);
    d = Arrays.stream(d).distinct().sorted().toArray();
    return d;
  }

  /** Sum along one dim keeping it (size 1), without recording. */
  private static float[] sumDim(float[] x, int[] s, int d) {
    int outer = outer(s, d), n = s[d], inner = inner(s, d);
    float[] o = new float[outer * inner];
    if (inner == 1) {
      Parallel.forRange(outer, Math.max(1, 8192 / Math.max(1, n)), (a, b) -> {
        for (int r = a; r < b; r++) {
          double acc = 0;
          int base = r * n;
          for (int k = 0; k < n; k++) acc += x[base + k];
          o[r] = (float) acc;
        }
      });
    } else {
      Parallel.forRange(outer, 1, (a, b) -> {
        double[] acc = new double[inner];
        for (int r = a; r < b; r++) {
          Arrays.fill(acc, 0);
          for (int k = 0; k < n; k++) {
            int base = (r * n + k) * inner;
            for (int i = 0; i < inner; i++) acc[i] += x[base + i];
          }
          for (int i = 0; i < inner; i++) o[r * inner + i] = (float) acc[i];
        }
      });
    }
    return o;
  }

  static Tensor sum(Tensor t, int[] dims, boolean keepdim) {
    Pointwise.requireFloat(t, "sum");
    int[] s = t.shape();
    int[] nd = normDims(dims, s.length);
    float[] cur = t.data();
    int[] cs = s.clone();
    for (int i = nd.length - 1; i >= 0; i--) {
      cur = sumDim(cur, cs, nd[i]);
      cs[nd[i]] = 1;
    }
    if (nd.length == 0) cur = cur.clone();
    int[] outShape = keepdim ? cs : dropShape(s, nd);
    Tensor out = Tensor.of(cur, outShape);
    return Autograd.record("sum", out, g -> new Tensor[] {g.reshape(cs).expand(s)}, t);
  }

  static Tensor mean(Tensor t, int[] dims, boolean keepdim) {
    int[] s = t.shape();
    int[] nd = normDims(dims, s.length);
    long count = 1;
    for (int d : nd) count *= s[d];
    return sum(t, nd, keepdim).div((float) count);
  }

  static Tensor var(Tensor t, int[] dims, int correction, boolean keepdim) {
    int[] s = t.shape();
    int[] nd = normDims(dims, s.length);
    long count = 1;
    for (int d : nd) count *= s[d];
    Tensor diff = t.sub(mean(t, nd, true));
    return sum(diff.mul(diff), nd, keepdim).div((float) Math.max(0, count - correction));
  }

  /** Reduces {@code g} (a gradient of a broadcast result) back to {@code shape} by summing. */
  static Tensor sumToShape(Tensor g, int[] shape) {
    int[] gs = g.shape();
    if (Arrays.equals(gs, shape)) return g;
    int lead = gs.length - shape.length;
    int[] dims = new int[gs.length];
    int n = 0;
    for (int i = 0; i < gs.length; i++) {
      if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) dims[n++] = i;
    }
    return sum(g, Arrays.copyOf(dims, n), true).reshape(shape);
  }

  static Tensor extreme(Tensor t, int dim, boolean keepdim, boolean max) {
    Pointwise.requireFloat(t, max ? "max" : "min");
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    if (s.length > 0 && s[d] == 0) throw new ShapeException((max ? "max" : "min") + ": dim " + dim + " of shape " + Shape.str(s) + " is empty");
    int outer = outer(s, d), n = s.length == 0 ? 1 : s[d], inner = inner(s, d);
    float[] x = t.data();
    float[] o = new float[outer * inner];
    int[] arg = new int[outer * inner];
    for (int r = 0; r < outer; r++) {
      for (int i = 0; i < inner; i++) {
        int base = r * n * inner + i;
        float best = x[base];
        int bi = 0;
        for (int k = 1; k < n; k++) {
          float v = x[base + k * inner];
          if (max ? (v > best || (Float.isNaN(v) && !Float.isNaN(best))) : (v < best || (Float.isNaN(v) && !Float.isNaN(best)))) {
            best = v;
            bi = k;
          }
        }
        o[r * inner + i] = best;
        arg[r * inner + i] = bi;
      }
    }
    int[] ks = s.length == 0 ? s : keepShape(s, new int[] {d});
    Tensor out = Tensor.of(o, keepdim || s.length == 0 ? ks : dropShape(s, new int[] {d}));
    return Autograd.record(max ? "max" : "min", out, g -> {
      float[] gd = g.data();
      float[] gx = new float[x.length];
      for (int r = 0; r < outer; r++) {
        for (int i = 0; i < inner; i++) gx[(r * n + arg[r * inner + i]) * inner + i] = gd[r * inner + i];
      }
      return new Tensor[] {Tensor.of(gx, s)};
    }, t);
  }

  static Tensor argExtreme(Tensor t, int dim, boolean keepdim, boolean max) {
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    int outer = outer(s, d), n = s.length == 0 ? 1 : s[d], inner = inner(s, d);
    if (n == 0) throw new ShapeException("argmax/argmin: dim " + dim + " of shape " + Shape.str(s) + " is empty");
    long[] o = new long[outer * inner];
    for (int r = 0; r < outer; r++) {
      for (int i = 0; i < inner; i++) {
        int base = r * n * inner + i;
        float best = t.getFlat(base);
        int bi = 0;
        for (int k = 1; k < n; k++) {
          float v = t.getFlat(base + k * inner);
          if (max ? v > best : v < best) {
            best = v;
            bi = k;
          }
        }
        o[r * inner + i] = bi;
      }
    }
    int[] os = keepdim || s.length == 0 ? (s.length == 0 ? s : keepShape(s, new int[] {d})) : dropShape(s, new int[] {d});
    return Tensor.ofLongs(o, os);
  }

  static Tensor logsumexp(Tensor t, int dim, boolean keepdim) {
    Tensor m;
    try (var g = dev.fathom.autograd.Grad.disabled()) {
      m = t.max(dim, true);
      float[] md = m.data();
      for (int i = 0; i < md.length; i++) if (Float.isInfinite(md[i])) md[i] = 0f;
    }
    Tensor lse = t.sub(m).exp().sum(dim, true).log().add(m);
    return keepdim ? lse : lse.squeeze(dim);
  }

  /** Softmax (or log-softmax) along a dim, numerically stable; one fused derivative rule. */
  static Tensor softmax(Tensor t, int dim, boolean log) {
    Pointwise.requireFloat(t, log ? "logSoftmax" : "softmax");
    int[] s = t.shape();
    int d = Shape.dim(dim, s.length);
    int outer = outer(s, d), n = s.length == 0 ? 1 : s[d], inner = inner(s, d);
    float[] x = t.data();
    float[] y = new float[x.length];
    Parallel.forRange(outer * inner, Math.max(1, 4096 / Math.max(1, n)), (a, b) -> {
      for (int ri = a; ri < b; ri++) {
        int r = ri / inner, i = ri % inner;
        int base = r * n * inner + i;
        float m = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) m = Math.max(m, x[base + k * inner]);
        if (m == Float.NEGATIVE_INFINITY) m = 0f;
        double z = 0;
        for (int k = 0; k < n; k++) z += Math.exp(x[base + k * inner] - m);
        if (log) {
          float lz = (float) Math.log(z) + m;
          for (int k = 0; k < n; k++) y[base + k * inner] = x[base + k * inner] - lz;
        } else {
          float inv = (float) (1 / z);
          for (int k = 0; k < n; k++) y[base + k * inner] = (float) Math.exp(x[base + k * inner] - m) * inv;
        }
      }
    });
    Tensor out = Tensor.of(y, s);
    return Autograd.record(log ? "logSoftmax" : "softmax", out, g -> {
      float[] gd = g.data();
      float[] gx = new float[x.length];
      Parallel.forRange(outer * inner, Math.max(1, 4096 / Math.max(1, n)), (a, b) -> {
        for (int ri = a; ri < b; ri++) {
          int r = ri / inner, i = ri % inner;
          int base = r * n * inner + i;
          double acc = 0;
          if (log) {
            for (int k = 0; k < n; k++) acc += gd[base + k * inner];
            for (int k = 0; k < n; k++) {
              int j = base + k * inner;
              gx[j] = (float) (gd[j] - Math.exp(y[j]) * acc);
            }
          } else {
            for (int k = 0; k < n; k++) acc += (double) gd[base + k * inner] * y[base + k * inner];
            for (int k = 0; k < n; k++) {
              int j = base + k * inner;
              gx[j] = (float) (y[j] * (gd[j] - acc));
            }
          }
        }
      });
      return new Tensor[] {Tensor.of(gx, s)};
    }, t);
  }
}
