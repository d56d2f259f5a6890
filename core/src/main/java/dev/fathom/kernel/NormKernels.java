package dev.fathom.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused layer normalization and RMS normalization over the rows of a row-major (rows, cols)
 * matrix (cols = product of the normalized dims), and batch normalization over the channels of
 * an (N, C, L) tensor, forward and backward, with the Vector API.
 *
 * <pre>
 * layer norm:  μ = mean(x),  σ² = mean((x − μ)²) (biased),  rstd = 1/sqrt(σ² + eps)
 *              x̂ = (x − μ)·rstd,  y = x̂·w + b
 *              ĝ = g·w,  gx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  gw = Σ_rows g·x̂,  gb = Σ_rows g
 * RMS norm:    rstd = 1/sqrt(mean(x²) + eps),  y = x·rstd·w
 *              ĝ = g·w,  gx = rstd·ĝ − x·rstd³·mean(ĝ·x),  gw = Σ_rows g·x·rstd
 * </pre>
 *
 * <p>When {@link Kernels#scalarOnly()} is set each method delegates to its twin in
 * {@link ScalarNormKernels}. Every method throws {@link IllegalArgumentException} (expected vs
 * got) when rows &lt; 0, cols &lt; 1 or an array is shorter than its role needs, before
 * writing anything.
 */
public final class NormKernels {

  /*
   * Design. One row is always handled by one thread; rows are split by Parallel.forRange into
   * static chunks. Row statistics (Σx, Σ(x − μ)², Σx², Σĝ, Σĝ·x̂) are accumulated in double
   * lanes (float products are exact in double) and folded by a fixed halving tree, never with
   * reduceLanes(ADD), whose order is unspecified and differs interpreted vs JIT-compiled. The
   * two-pass variance avoids the cancellation of E[x²] − μ². The element-wise steps are plain
   * float sub/mul/add in the same order as the scalar twin (no fused multiply-add), and the tail
   * runs them as scalars, which round identically. The weight and bias gradients are summed over
   * the rows of each chunk into double partials, and the partials are added in chunk order, so
   * they are bitwise reproducible for a given thread count.
   */

  private static final VectorSpecies<Float> F = Kernels.F;
  private static final VectorSpecies<Double> D = F.withLanes(double.class);
  private static final int L = F.length();
  private static final int DL = D.length();
  /** Minimum number of matrix elements per parallel chunk of rows. */
  private static final int ROW_GRAIN = 1 << 14;

  private NormKernels() {}

  /**
   * Layer normalization of each row, as {@code torch.nn.functional.layer_norm}.
   *
   * @param x input, (rows, cols)
   * @param weightOrNull w, (cols), or null for 1
   * @param biasOrNull b, (cols), or null for 0
   * @param eps added to the biased variance
   * @param y output, (rows, cols); may be x
   * @param mean written: μ per row, (rows)
   * @param rstd written: 1/sqrt(σ² + eps) per row, (rows)
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void layerNormForward(float[] x, int rows, int cols, float[] weightOrNull, float[] biasOrNull,
      double eps, float[] y, float[] mean, float[] rstd) {
    ScalarNormKernels.checkForward("layerNormForward", x, rows, cols, weightOrNull, biasOrNull, y, mean, rstd);
    if (Kernels.scalarOnly()) {
      ScalarNormKernels.layerNormForward(x, rows, cols, weightOrNull, biasOrNull, eps, y, mean, rstd);
      return;
    }
    Parallel.forRange(rows, grain(cols), (r0, r1) -> {
      for (int r = r0; r < r1; r++) layerNormRow(x, r * cols, cols, weightOrNull, biasOrNull, eps, y, mean, rstd, r);
    });
  }

  /**
   * Gradients of {@link #layerNormForward} given the upstream gradient g and the saved row
   * statistics.
   *
   * @param g upstream gradient, (rows, cols)
   * @param x the forward input, (rows, cols)
   * @param weightOrNull w of the forward, (cols), or null
   * @param mean μ per row from the forward, (rows)
   * @param rstd rstd per row from the forward, (rows)
   * @param gxOrNull written (not accumulated): gradient w.r.t. x, (rows, cols), or null to skip
   * @param gwOrNull written: Σ_rows g·x̂, (cols), or null to skip
   * @param gbOrNull written: Σ_rows g, (cols), or null to skip
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void layerNormBackward(float[] g, float[] x, int rows, int cols, float[] weightOrNull,
      float[] mean, float[] rstd, float[] gxOrNull, float[] gwOrNull, float[] gbOrNull) {
    ScalarNormKernels.checkBackward("layerNormBackward", g, x, rows, cols, weightOrNull, mean, rstd, gxOrNull,
        gwOrNull, gbOrNull);
    if (Kernels.scalarOnly()) {
      ScalarNormKernels.layerNormBackward(g, x, rows, cols, weightOrNull, mean, rstd, gxOrNull, gwOrNull, gbOrNull);
      return;
    }
    int grain = grain(cols);
    int chunks = Math.max(1, Parallel.chunks(rows, grain));
    double[][] dw = gwOrNull == null ? null : new double[chunks][cols];
    double[][] db = gbOrNull == null ? null : new double[chunks][cols];
    Parallel.forRange(rows, grain, (r0, r1) -> {
      int c = chunkIndex(rows, chunks, r0);
      double[] pw = dw == null ? null : dw[c], pb = db == null ? null : db[c];
      float[] xh = new float[cols], gh = weightOrNull == null || gxOrNull == null ? null : new float[cols];
      for (int r = r0; r < r1; r++) {
        layerNormBackwardRow(g, x, r * cols, cols, weightOrNull, mean[r], rstd[r], gxOrNull, pw, pb, xh, gh);
      }
    });
    reduceChunks(dw, gwOrNull, cols);
    reduceChunks(db, gbOrNull, cols);
  }

  /**
   * RMS normalization of each row (Zhang and Sennrich 2019), as {@code torch.nn.RMSNorm}.
   *
   * @param x input, (rows, cols)
   * @param weightOrNull w, (cols), or null for 1
   * @param eps added to mean(x²)
   * @param y output, (rows, cols); may be x
   * @param rstd written: 1/sqrt(mean(x²) + eps) per row, (rows)
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void rmsNormForward(float[] x, int rows, int cols, float[] weightOrNull, double eps, float[] y,
      float[] rstd) {
    ScalarNormKernels.checkForward("rmsNormForward", x, rows, cols, weightOrNull, null, y, null, rstd);
    if (Kernels.scalarOnly()) {
      ScalarNormKernels.rmsNormForward(x, rows, cols, weightOrNull, eps, y, rstd);
      return;
    }
    Parallel.forRange(rows, grain(cols), (r0, r1) -> {
      for (int r = r0; r < r1; r++) rmsNormRow(x, r * cols, cols, weightOrNull, eps, y, rstd, r);
    });
  }

  /**
   * Gradients of {@link #rmsNormForward} given the upstream gradient g and the saved rstd.
   *
   * @param g upstream gradient, (rows, cols)
   * @param x the forward input, (rows, cols)
   * @param weightOrNull w of the forward, (cols), or null
   * @param rstd rstd per row from the forward, (rows)
   * @param gxOrNull written: gradient w.r.t. x, (rows, cols), or null to skip
   * @param gwOrNull written: Σ_rows g·x·rstd, (cols), or null to skip
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void rmsNormBackward(float[] g, float[] x, int rows, int cols, float[] weightOrNull, float[] rstd,
      float[] gxOrNull, float[] gwOrNull) {
    ScalarNormKernels.checkBackward("rmsNormBackward", g, x, rows, cols, weightOrNull, null, rstd, gxOrNull,
        gwOrNull, null);
    if (Kernels.scalarOnly()) {
      ScalarNormKernels.rmsNormBackward(g, x, rows, cols, weightOrNull, rstd, gxOrNull, gwOrNull);
      return;
    }
    int grain = grain(cols);
    int chunks = Math.max(1, Parallel.chunks(rows, grain));
    double[][] dw = gwOrNull == null ? null : new double[chunks][cols];
    Parallel.forRange(rows, grain, (r0, r1) -> {
      double[] pw = dw == null ? null : dw[chunkIndex(rows, chunks, r0)];
      float[] gh = weightOrNull == null || gxOrNull == null ? null : new float[cols];
      for (int r = r0; r < r1; r++) {
        rmsNormBackwardRow(g, x, r * cols, cols, weightOrNull, rstd[r], gxOrNull, pw, gh);
      }
    });
    reduceChunks(dw, gwOrNull, cols);
  }

  // ------------------------------------------------------------ rows

  private static void layerNormRow(float[] x, int base, int cols, float[] w, float[] b, double eps, float[] y,
      float[] mean, float[] rstd, int r) {
    double mu = sum(x, base, cols) / cols;
    float m = (float) mu;
    float rs = (float) (1 / Math.sqrt(sumSquaredDeviations(x, base, cols, mu) / cols + eps));
    mean[r] = m;
    rstd[r] = rs;
    int j = 0;
    for (int bound = F.loopBound(cols); j < bound; j += L) {
      FloatVector v = FloatVector.fromArray(F, x, base + j).sub(m).mul(rs);
      if (w != null) v = v.mul(FloatVector.fromArray(F, w, j));
      if (b != null) v = v.add(FloatVector.fromArray(F, b, j));
      v.intoArray(y, base + j);
    }
    for (; j < cols; j++) {
      float v = (x[base + j] - m) * rs;
      if (w != null) v *= w[j];
      if (b != null) v += b[j];
      y[base + j] = v;
    }
  }

  /**
   * One row of the layer-norm backward. x̂ = (x − μ)·rstd and, with a weight, ĝ = g·w are
   * rounded to float into the thread's scratch rows first, so every sum below is a plain
   * reduction over arrays (and rounds as the scalar twin's per-element float steps do).
   */
  private static void layerNormBackwardRow(float[] g, float[] x, int base, int cols, float[] w, float m, float rs,
      float[] gx, double[] dw, double[] db, float[] xh, float[] ghScratch) {
    if (dw != null || gx != null) centre(x, base, cols, m, rs, xh);
    if (dw != null) addProducts(g, base, xh, 0, cols, 1f, dw);
    if (db != null) addValues(g, base, cols, db);
    if (gx == null) return;
    float[] gh = w == null ? g : multiply(g, base, w, cols, ghScratch);
    int gOff = w == null ? base : 0;
    float a = (float) (sum(gh, gOff, cols) / cols), c = (float) (sumProducts(gh, gOff, xh, 0, cols) / cols);
    int j = 0;
    for (int bound = F.loopBound(cols); j < bound; j += L) {
      FloatVector xv = FloatVector.fromArray(F, xh, j);
      FloatVector.fromArray(F, gh, gOff + j).sub(a).sub(xv.mul(c)).mul(rs).intoArray(gx, base + j);
    }
    for (; j < cols; j++) gx[base + j] = (gh[gOff + j] - a - xh[j] * c) * rs;
  }

  private static void rmsNormRow(float[] x, int base, int cols, float[] w, double eps, float[] y, float[] rstd,
      int r) {
    float rs = (float) (1 / Math.sqrt(sumSquares(x, base, cols) / cols + eps));
    rstd[r] = rs;
    int j = 0;
    for (int bound = F.loopBound(cols); j < bound; j += L) {
      FloatVector v = FloatVector.fromArray(F, x, base + j).mul(rs);
      if (w != null) v = v.mul(FloatVector.fromArray(F, w, j));
      v.intoArray(y, base + j);
    }
    for (; j < cols; j++) {
      float v = x[base + j] * rs;
      y[base + j] = w == null ? v : v * w[j];
    }
  }

  /** One row of the RMS-norm backward; ĝ = g·w is rounded to float into the scratch row first. */
  private static void rmsNormBackwardRow(float[] g, float[] x, int base, int cols, float[] w, float rs, float[] gx,
      double[] dw, float[] ghScratch) {
    if (dw != null) addProducts(g, base, x, base, cols, rs, dw);
    if (gx == null) return;
    float[] gh = w == null ? g : multiply(g, base, w, cols, ghScratch);
    int gOff = w == null ? base : 0;
    double s = sumProducts(gh, gOff, x, base, cols);
    float k = (float) ((double) rs * rs * rs * s / cols);
    int j = 0;
    for (int bound = F.loopBound(cols); j < bound; j += L) {
      FloatVector.fromArray(F, gh, gOff + j).mul(rs).sub(FloatVector.fromArray(F, x, base + j).mul(k))
          .intoArray(gx, base + j);
    }
    for (; j < cols; j++) gx[base + j] = gh[gOff + j] * rs - x[base + j] * k;
  }



  // ------------------------------------------------------------ batch normalization

  /**
   * Batch normalization forward over x seen as (N, C, L), L the product of the spatial dims,
   * one fused pass per channel (statistics, then y while the channel is still in cache).
   *
   * <pre>
   * batch statistics: μ = mean(x[·][c][·]),  σ² = mean((x − μ)²) (biased), from the sums of
   *                   d = x − s and d² with the shift s = x[0][c][0] (no cancellation of E[x²] − μ²)
   * r = (float) 1/sqrt(σ² + eps),  scale = w·r,  shift = b − (float) μ·scale,  y = x·scale + shift
   * </pre>
   *
   * @param wOrNull γ, (C), or null for 1
   * @param bOrNull β, (C), or null for 0
   * @param batchStats true: write the batch mean and biased variance into mean and var; false:
   *     read them (running statistics, eval mode)
   * @param mean μ per channel, (C)
   * @param var σ² per channel, (C)
   * @param rstd written: r per channel, (C)
   * @param y output, (N, C, L); may not alias x
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void batchNormForward(float[] x, int n, int c, int l, float[] wOrNull, float[] bOrNull, double eps,
      boolean batchStats, double[] mean, double[] var, float[] rstd, float[] y) {
    checkBatchNorm("batchNormForward", x, n, c, l, wOrNull, bOrNull, mean, var, rstd, y);
    if (Kernels.scalarOnly()) {
      ScalarNormKernels.batchNormForward(x, n, c, l, wOrNull, bOrNull, eps, batchStats, mean, var, rstd, y);
      return;
    }
    Parallel.forRange(c, channelGrain(n, l), (c0, c1) -> {
      float[] lanes = new float[L];
      for (int ch = c0; ch < c1; ch++) {
        if (batchStats) {
          float shiftBy = x[ch * l];
          double s = 0, ss = 0;
          for (int i = 0; i < n; i++) {
            int base = (i * c + ch) * l;
            FloatVector sv = FloatVector.broadcast(F, shiftBy);
            FloatVector a1 = FloatVector.zero(F), a2 = a1;
            int j = 0;
            for (int bound = F.loopBound(l); j < bound; j += L) {
              FloatVector d = FloatVector.fromArray(F, x, base + j).sub(sv);
              a1 = a1.add(d);
              a2 = a2.add(d.mul(d));
            }
            s += foldLanes(a1, lanes);
            ss += foldLanes(a2, lanes);
            for (; j < l; j++) {
              float d = x[base + j] - shiftBy;
              s += d;
              ss += d * d;
            }
          }
          long m = (long) n * l;
          double dm = s / m;
          mean[ch] = shiftBy + dm;
          var[ch] = Math.max(0, ss / m - dm * dm);
        }
        float r = (float) (1 / Math.sqrt(var[ch] + eps));
        rstd[ch] = r;
        float scale = wOrNull == null ? r : wOrNull[ch] * r;
        float shift = (bOrNull == null ? 0f : bOrNull[ch]) - (float) mean[ch] * scale;
        FloatVector sc = FloatVector.broadcast(F, scale), sh = FloatVector.broadcast(F, shift);
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * l;
          int j = 0;
          for (int bound = F.loopBound(l); j < bound; j += L) {
            FloatVector.fromArray(F, x, base + j).mul(sc).add(sh).intoArray(y, base + j);
          }
          for (; j < l; j++) y[base + j] = x[base + j] * scale + shift;
        }
      }
    });
  }

  /**
   * Batch normalization backward over (N, C, L), one fused pass per channel, with μ and r from
   * the forward. With x̂ = (x − μ)·r, k = γ·r and M = N·L:
   *
   * <pre>
   * gw = Σ g·x̂ = r·Σ g·(x − μ),   gb = Σ g
   * training: gx = k·g + bx·(x − μ) + cst,  bx = −k·r·gw/M,  cst = −k·gb/M
   * eval:     gx = k·g
   * </pre>
   *
   * @param wOrNull γ, (C), or null for 1
   * @param mean μ per channel from the forward, (C)
   * @param rstd r per channel from the forward, (C)
   * @param training whether the forward used batch statistics
   * @param gxOrNull written: input gradient (N, C, L), or null to skip it
   * @param gw written: Σ g·x̂ per channel, (C)
   * @param gb written: Σ g per channel, (C)
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void batchNormBackward(float[] g, float[] x, int n, int c, int l, float[] wOrNull, double[] mean,
      float[] rstd, boolean training, float[] gxOrNull, float[] gw, float[] gb) {
    checkBatchNorm("batchNormBackward", x, n, c, l, wOrNull, null, mean, null, rstd, gxOrNull);
    checkLength("batchNormBackward", "g", g.length, (long) n * c * l);
    checkLength("batchNormBackward", "gw", gw.length, c);
    checkLength("batchNormBackward", "gb", gb.length, c);
    if (Kernels.scalarOnly()) {
      ScalarNormKernels.batchNormBackward(g, x, n, c, l, wOrNull, mean, rstd, training, gxOrNull, gw, gb);
      return;
    }
    Parallel.forRange(c, channelGrain(n, l), (c0, c1) -> {
      float[] lanes = new float[L];
      for (int ch = c0; ch < c1; ch++) {
        float mu = (float) mean[ch], r = rstd[ch];
        FloatVector mv = FloatVector.broadcast(F, mu);
        double sg = 0, sgd = 0;
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * l;
          FloatVector a1 = FloatVector.zero(F), a2 = a1;
          int j = 0;
          for (int bound = F.loopBound(l); j < bound; j += L) {
            FloatVector gv = FloatVector.fromArray(F, g, base + j);
            a1 = a1.add(gv);
            a2 = a2.add(gv.mul(FloatVector.fromArray(F, x, base + j).sub(mv)));
          }
          sg += foldLanes(a1, lanes);
          sgd += foldLanes(a2, lanes);
          for (; j < l; j++) {
            sg += g[base + j];
            sgd += g[base + j] * (x[base + j] - mu);
          }
        }
        double sgx = sgd * r;
        gw[ch] = (float) sgx;
        gb[ch] = (float) sg;
        if (gxOrNull == null) continue;
        float k = (wOrNull == null ? 1f : wOrNull[ch]) * r;
        long m = (long) n * l;
        float bx = training ? (float) (-k * r * sgx / m) : 0f;
        float cst = training ? (float) (-k * sg / m) : 0f;
        FloatVector kv = FloatVector.broadcast(F, k), bv = FloatVector.broadcast(F, bx), cv = FloatVector.broadcast(F, cst);
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * l;
          int j = 0;
          if (training) {
            for (int bound = F.loopBound(l); j < bound; j += L) {
              FloatVector d = FloatVector.fromArray(F, x, base + j).sub(mv);
              kv.mul(FloatVector.fromArray(F, g, base + j)).add(bv.mul(d)).add(cv).intoArray(gxOrNull, base + j);
            }
            for (; j < l; j++) gxOrNull[base + j] = k * g[base + j] + bx * (x[base + j] - mu) + cst;
          } else {
            for (int bound = F.loopBound(l); j < bound; j += L) {
              kv.mul(FloatVector.fromArray(F, g, base + j)).intoArray(gxOrNull, base + j);
            }
            for (; j < l; j++) gxOrNull[base + j] = k * g[base + j];
          }
        }
      }
    });
  }

  /** Adds the float lanes of v into a double in lane order (never reduceLanes: its order is unspecified). */
  private static double foldLanes(FloatVector v, float[] lanes) {
    v.intoArray(lanes, 0);
    double s = 0;
    for (int j = 0; j < L; j++) s += lanes[j];
    return s;
  }

  private static int channelGrain(int n, int l) {
    return (int) Math.max(1, ROW_GRAIN / Math.max(1L, (long) n * l));
  }

  static void checkBatchNorm(String op, float[] x, int n, int c, int l, float[] w, float[] b, double[] mean,
      double[] var, float[] rstd, float[] y) {
    if (n < 1 || c < 1 || l < 1) {
      throw new IllegalArgumentException(op + ": expected n, c, l >= 1, got (" + n + ", " + c + ", " + l + ")");
    }
    long total = (long) n * c * l;
    if (total > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": " + total + " entries exceed 2^31 - 1");
    checkLength(op, "x", x.length, total);
    if (y != null) checkLength(op, "output", y.length, total);
    if (w != null) checkLength(op, "weight", w.length, c);
    if (b != null) checkLength(op, "bias", b.length, c);
    checkLength(op, "mean", mean.length, c);
    if (var != null) checkLength(op, "var", var.length, c);
    checkLength(op, "rstd", rstd.length, c);
  }

  private static void checkLength(String op, String name, int length, long need) {
    if (length < need) {
      throw new IllegalArgumentException(op + ": " + name + " needs at least " + need + " entries, got " + length);
    }
  }

  // ------------------------------------------------------------ reductions and row passes
  //
  // Each method takes arrays, not vectors: a vector passed to or returned from a helper that C2
  // leaves un-inlined is boxed, and a loop-carried vector that is updated under a condition was
  // seen to fall back to the allocating Java path (5.8 MB per (2048, 512) backward). The F2D
  // conversions and the halving fold are spelled out in every loop for the same reason.

  /** Σ a in double. */
  private static double sum(float[] a, int off, int n) {
    DoubleVector lo = DoubleVector.zero(D), hi = lo;
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(F, a, off + i);
      lo = lo.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
      hi = hi.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
    }
    DoubleVector v = lo.add(hi);
    for (int half = DL / 2; half >= 1; half /= 2) v = v.add(v.slice(half));
    double s = v.lane(0);
    for (; i < n; i++) s += a[off + i];
    return s;
  }

  /** Σ (a[i] − mu)² in double. */
  private static double sumSquaredDeviations(float[] a, int off, int n, double mu) {
    DoubleVector lo = DoubleVector.zero(D), hi = lo;
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(F, a, off + i);
      DoubleVector d0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).sub(mu);
      DoubleVector d1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).sub(mu);
      lo = lo.add(d0.mul(d0));
      hi = hi.add(d1.mul(d1));
    }
    DoubleVector v = lo.add(hi);
    for (int half = DL / 2; half >= 1; half /= 2) v = v.add(v.slice(half));
    double s = v.lane(0);
    for (; i < n; i++) {
      double d = a[off + i] - mu;
      s += d * d;
    }
    return s;
  }

  /** Σ a[i]² in double (each square exact). */
  private static double sumSquares(float[] a, int off, int n) {
    return sumProducts(a, off, a, off, n);
  }

  /**
   * Σ a[i]·b[i] in double. Each product of two floats is exact in double, so multiply-then-add
   * rounds exactly as a fused multiply-add would.
   */
  private static double sumProducts(float[] a, int aOff, float[] b, int bOff, int n) {
    DoubleVector lo = DoubleVector.zero(D), hi = lo;
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector u = FloatVector.fromArray(F, a, aOff + i);
      FloatVector v = FloatVector.fromArray(F, b, bOff + i);
      lo = ((DoubleVector) u.convertShape(VectorOperators.F2D, D, 0))
          .mul((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).add(lo);
      hi = ((DoubleVector) u.convertShape(VectorOperators.F2D, D, 1))
          .mul((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).add(hi);
    }
    DoubleVector v = lo.add(hi);
    for (int half = DL / 2; half >= 1; half /= 2) v = v.add(v.slice(half));
    double s = v.lane(0);
    for (; i < n; i++) s += (double) a[aOff + i] * b[bOff + i];
    return s;
  }

  /** acc[j] += a[j]·b[j]·scale in double, j &lt; n (a·b exact, then the scale rounds). */
  private static void addProducts(float[] a, int aOff, float[] b, int bOff, int n, float scale, double[] acc) {
    int j = 0;
    for (int bound = F.loopBound(n); j < bound; j += L) {
      FloatVector u = FloatVector.fromArray(F, a, aOff + j);
      FloatVector v = FloatVector.fromArray(F, b, bOff + j);
      ((DoubleVector) u.convertShape(VectorOperators.F2D, D, 0))
          .mul((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).mul(scale)
          .add(DoubleVector.fromArray(D, acc, j)).intoArray(acc, j);
      ((DoubleVector) u.convertShape(VectorOperators.F2D, D, 1))
          .mul((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).mul(scale)
          .add(DoubleVector.fromArray(D, acc, j + DL)).intoArray(acc, j + DL);
    }
    for (; j < n; j++) acc[j] += (double) a[aOff + j] * b[bOff + j] * scale;
  }

  /** acc[j] += a[j] in double, j &lt; n. */
  private static void addValues(float[] a, int off, int n, double[] acc) {
    int j = 0;
    for (int bound = F.loopBound(n); j < bound; j += L) {
      FloatVector v = FloatVector.fromArray(F, a, off + j);
      ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0))
          .add(DoubleVector.fromArray(D, acc, j)).intoArray(acc, j);
      ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1))
          .add(DoubleVector.fromArray(D, acc, j + DL)).intoArray(acc, j + DL);
    }
    for (; j < n; j++) acc[j] += a[off + j];
  }

  /** out[j] = (x[j] − m)·rs in float, j &lt; n. */
  private static void centre(float[] x, int off, int n, float m, float rs, float[] out) {
    int j = 0;
    for (int bound = F.loopBound(n); j < bound; j += L) {
      FloatVector.fromArray(F, x, off + j).sub(m).mul(rs).intoArray(out, j);
    }
    for (; j < n; j++) out[j] = (x[off + j] - m) * rs;
  }

  /** out[j] = g[j]·w[j] in float, j &lt; n; returns out. */
  private static float[] multiply(float[] g, int off, float[] w, int n, float[] out) {
    int j = 0;
    for (int bound = F.loopBound(n); j < bound; j += L) {
      FloatVector.fromArray(F, g, off + j).mul(FloatVector.fromArray(F, w, j)).intoArray(out, j);
    }
    for (; j < n; j++) out[j] = g[off + j] * w[j];
    return out;
  }

  /** Adds the per-chunk partials in chunk order into out (when both are present). */
  private static void reduceChunks(double[][] parts, float[] out, int cols) {
    if (parts == null) return;
    for (int j = 0; j < cols; j++) {
      double s = 0;
      for (double[] p : parts) s += p[j];
      out[j] = (float) s;
    }
  }

  private static int chunkIndex(int rows, int chunks, int start) {
    for (int c = 0; c < chunks; c++) {
      if (Parallel.chunkStart(rows, chunks, c) == start) return c;
    }
    throw new IllegalStateException("no chunk starts at row " + start + " of " + rows);
  }

  private static int grain(int cols) {
    return Math.max(1, ROW_GRAIN / cols);
  }
}
