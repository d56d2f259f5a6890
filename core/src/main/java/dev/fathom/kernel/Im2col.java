package dev.fathom.kernel;

import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Unfolds the patches of one image into a matrix (im2col) and folds such a matrix back onto the
 * image (col2im), so that a 2-D convolution becomes one GEMM.
 *
 * <p>For one image {@code x} of shape (C, H, W) in NCHW layout and a kernel (kH, kW) with stride
 * (sH, sW), zero padding (pH, pW) and dilation (dH, dW), the output size is
 * {@code oH = (H + 2·pH − dH·(kH − 1) − 1) / sH + 1} (likewise {@code oW}) and the column
 * matrix has shape (C·kH·kW, oH·oW), row-major:
 *
 * <pre>
 *   col[(c·kH + i)·kW + j][oh·oW + ow] = x[c][oh·sH − pH + i·dH][ow·sW − pW + j·dW]
 * </pre>
 *
 * with 0 where the input index falls into the padding. A convolution with weights {@code w} of
 * shape (K, C·kH·kW) is then {@code y = w · col}. {@link #col2im} is the adjoint of im2col
 * ({@code <im2col(x), y> = <x, col2im(y)>}): it adds every column entry back onto the pixel it
 * was read from, so the input gradient of a convolution is {@code dx += col2im(wᵀ · dy)}.
 */
public final class Im2col {

  /*
   * Design. Both directions work one column-matrix row (c, i, j) at a time. For a fixed row the
   * valid output columns ow form one interval [owLo, owHi) that depends only on j, so the inner
   * loop has no bounds tests: zeros are written with Arrays.fill outside the interval and the
   * interval itself is a plain copy (stride 1: System.arraycopy), a two-vector deinterleave
   * (stride 2, the ResNet down-sampling case) or a strided scalar loop (other strides). col2im
   * adds rows back with vector adds when sW = 1. im2col is parallel over column rows (disjoint
   * outputs), col2im over channels (disjoint input planes), and each input pixel receives its
   * contributions in the same (i, j, oh, ow) order as the scalar twin, so the fast path and the
   * twin agree bitwise.
   */

  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();
  /** Lane indices 0, 2, 4, ... selecting the even lanes out of two concatenated vectors. */
  private static final FloatVector EVEN = evenIndices();
  private static final FloatVector ZERO = FloatVector.zero(F);
  /** Minimum number of column-matrix elements per parallel chunk. */
  private static final int GRAIN = 1 << 15;

  private Im2col() {}

  private static FloatVector evenIndices() {
    float[] idx = new float[L];
    for (int i = 0; i < L; i++) idx[i] = 2 * i;
    return FloatVector.fromArray(F, idx, 0);
  }

  /**
   * Output length of a convolution or pooling window along one dimension.
   *
   * <p>{@code out = (in + 2·pad − dilation·(kernel − 1) − 1) / stride + 1}.
   *
   * @param in input length (≥ 1)
   * @param kernel kernel length (≥ 1)
   * @param stride step between windows (≥ 1)
   * @param pad zero padding on each side (≥ 0)
   * @param dilation spacing between kernel taps (≥ 1)
   * @return the number of output positions, at least 1
   * @throws IllegalArgumentException if an argument is out of range or the padded input is
   *     shorter than the dilated kernel (the message gives both lengths)
   */
  public static int outSize(int in, int kernel, int stride, int pad, int dilation) {
    if (in < 1) throw new IllegalArgumentException("input size must be >= 1, got " + in);
    if (kernel < 1) throw new IllegalArgumentException("kernel size must be >= 1, got " + kernel);
    if (stride < 1) throw new IllegalArgumentException("stride must be >= 1, got " + stride);
    if (pad < 0) throw new IllegalArgumentException("padding must be >= 0, got " + pad);
    if (dilation < 1) throw new IllegalArgumentException("dilation must be >= 1, got " + dilation);
    long padded = (long) in + 2L * pad;
    long span = (long) dilation * (kernel - 1) + 1;
    if (padded < span) {
      throw new IllegalArgumentException("output size would be <= 0: padded input size " + padded
          + " (input " + in + ", padding " + pad + " per side) is smaller than the dilated"
          + " kernel size " + span + " (kernel " + kernel + ", dilation " + dilation + ")");
    }
    long out = (padded - span) / stride + 1;
    if (out > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("output size " + out + " overflows int");
    }
    return (int) out;
  }

  /**
   * Unfolds the patches of one (C, H, W) image into the column matrix (C·kH·kW, oH·oW); see the
   * class comment for the formula. Every entry of the column matrix is written (padding → 0).
   *
   * @param x input image, (C, H, W) starting at {@code xOff}
   * @param col output, (C·kH·kW, oH·oW) row-major starting at {@code colOff}
   * @throws IllegalArgumentException on a bad geometry (see {@link #outSize})
   * @throws IndexOutOfBoundsException if an array is too short for the given dimensions
   */
  public static void im2col(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff) {
    im2col(x, xOff, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
        dilationH, dilationW, col, colOff, -1);
  }

  /**
   * Like the other {@code im2col}, but row r of the column matrix starts at
   * {@code colOff + r·ldCol}: the image's oH·oW columns are one block of a wider matrix, e.g.
   * (C·kH·kW, N·oH·oW) holding a whole batch side by side (image i at {@code colOff = i·oH·oW},
   * {@code ldCol = N·oH·oW}).
   *
   * @param ldCol distance between column-matrix rows, at least oH·oW; −1 means oH·oW
   * @throws IllegalArgumentException on a bad geometry or {@code ldCol < oH·oW}
   * @throws IndexOutOfBoundsException if an array is too short for the given dimensions
   */
  public static void im2col(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff, int ldCol) {
    Geometry g = new Geometry(channels, height, width, kernelH, kernelW, strideH, strideW,
        padH, padW, dilationH, dilationW);
    int ld = ldCol < 0 ? g.cols() : ldCol;
    g.check(x, xOff, col, colOff, ld);
    if (Kernels.scalarOnly()) {
      im2colScalar(x, xOff, g, col, colOff, ld);
      return;
    }
    int rows = g.rows();
    int minRows = Math.max(1, GRAIN / g.cols());
    Parallel.forRange(rows, minRows, (r0, r1) -> im2colRows(x, xOff, g, col, colOff, ld, r0, r1));
  }

  /**
   * Folds a column matrix back onto one image, accumulating: for every column entry,
   * {@code x[c][ih][iw] += col[(c·kH + i)·kW + j][oh·oW + ow]} at the pixel im2col read it from
   * (entries that came from padding are dropped). This is the adjoint of {@link #im2col}.
   *
   * @param x image to accumulate into, (C, H, W) starting at {@code xOff}
   * @param col column matrix, (C·kH·kW, oH·oW) row-major starting at {@code colOff}
   * @throws IllegalArgumentException on a bad geometry (see {@link #outSize})
   * @throws IndexOutOfBoundsException if an array is too short for the given dimensions
   */
  public static void col2im(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff) {
    col2im(x, xOff, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
        dilationH, dilationW, col, colOff, -1);
  }

  /**
   * Like the other {@code col2im}, but row r of the column matrix starts at
   * {@code colOff + r·ldCol} (see the wide {@code im2col}).
   *
   * @param ldCol distance between column-matrix rows, at least oH·oW; −1 means oH·oW
   * @throws IllegalArgumentException on a bad geometry or {@code ldCol < oH·oW}
   * @throws IndexOutOfBoundsException if an array is too short for the given dimensions
   */
  public static void col2im(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff, int ldCol) {
    Geometry g = new Geometry(channels, height, width, kernelH, kernelW, strideH, strideW,
        padH, padW, dilationH, dilationW);
    int ld = ldCol < 0 ? g.cols() : ldCol;
    g.check(x, xOff, col, colOff, ld);
    if (Kernels.scalarOnly()) {
      col2imScalar(x, xOff, g, col, colOff, ld);
      return;
    }
    long perChannel = (long) kernelH * kernelW * g.cols();
    int minChannels = (int) Math.max(1, GRAIN / perChannel);
    Parallel.forRange(channels, minChannels,
        (c0, c1) -> col2imChannels(x, xOff, g, col, colOff, ld, c0, c1));
  }

  /** The scalar twin of {@link #im2col}: one bounds test per element, single-threaded. */
  static void im2colScalar(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff) {
    im2colScalar(x, xOff, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
        dilationH, dilationW, col, colOff, -1);
  }

  /** The scalar twin of the wide {@code im2col} (row r at colOff + r·ldCol; −1 means oH·oW). */
  static void im2colScalar(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff, int ldCol) {
    Geometry g = new Geometry(channels, height, width, kernelH, kernelW, strideH, strideW,
        padH, padW, dilationH, dilationW);
    int ld = ldCol < 0 ? g.cols() : ldCol;
    g.check(x, xOff, col, colOff, ld);
    im2colScalar(x, xOff, g, col, colOff, ld);
  }

  /** The scalar twin of {@link #col2im}: one bounds test per element, single-threaded. */
  static void col2imScalar(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff) {
    col2imScalar(x, xOff, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
        dilationH, dilationW, col, colOff, -1);
  }

  /** The scalar twin of the wide {@code col2im} (row r at colOff + r·ldCol; −1 means oH·oW). */
  static void col2imScalar(float[] x, int xOff, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      int dilationH, int dilationW, float[] col, int colOff, int ldCol) {
    Geometry g = new Geometry(channels, height, width, kernelH, kernelW, strideH, strideW,
        padH, padW, dilationH, dilationW);
    int ld = ldCol < 0 ? g.cols() : ldCol;
    g.check(x, xOff, col, colOff, ld);
    col2imScalar(x, xOff, g, col, colOff, ld);
  }

  private static void im2colScalar(float[] x, int xOff, Geometry g, float[] col, int colOff,
      int ld) {
    int r = 0;
    for (int c = 0; c < g.channels; c++) {
      for (int i = 0; i < g.kernelH; i++) {
        for (int j = 0; j < g.kernelW; j++, r++) {
          int d = colOff + r * ld;
          for (int oh = 0; oh < g.outH; oh++) {
            int ih = oh * g.strideH - g.padH + i * g.dilationH;
            for (int ow = 0; ow < g.outW; ow++) {
              int iw = ow * g.strideW - g.padW + j * g.dilationW;
              boolean inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
              col[d++] = inside ? x[xOff + (c * g.height + ih) * g.width + iw] : 0f;
            }
          }
        }
      }
    }
  }

  private static void col2imScalar(float[] x, int xOff, Geometry g, float[] col, int colOff,
      int ld) {
    int r = 0;
    for (int c = 0; c < g.channels; c++) {
      for (int i = 0; i < g.kernelH; i++) {
        for (int j = 0; j < g.kernelW; j++, r++) {
          int s = colOff + r * ld;
          for (int oh = 0; oh < g.outH; oh++) {
            int ih = oh * g.strideH - g.padH + i * g.dilationH;
            for (int ow = 0; ow < g.outW; ow++) {
              int iw = ow * g.strideW - g.padW + j * g.dilationW;
              float v = col[s++];
              if (ih >= 0 && ih < g.height && iw >= 0 && iw < g.width) {
                x[xOff + (c * g.height + ih) * g.width + iw] += v;
              }
            }
          }
        }
      }
    }
  }

  private static void im2colRows(float[] x, int xOff, Geometry g, float[] col, int colOff,
      int ld, int r0, int r1) {
    int kk = g.kernelH * g.kernelW, outW = g.outW, sW = g.strideW;
    for (int r = r0; r < r1; r++) {
      int c = r / kk, i = (r / g.kernelW) % g.kernelH, j = r % g.kernelW;
      int plane = xOff + c * g.height * g.width;
      int shift = j * g.dilationW - g.padW;
      int lo = g.owLo(shift), hi = g.owHi(shift, lo);
      int d = colOff + r * ld;
      if (g.sameRows()) {
        sameRowIm2col(x, plane, g, i, shift, lo, hi, col, d);
        continue;
      }
      for (int oh = 0; oh < g.outH; oh++, d += outW) {
        int ih = oh * g.strideH - g.padH + i * g.dilationH;
        if (ih < 0 || ih >= g.height) {
          Arrays.fill(col, d, d + outW, 0f);
          continue;
        }
        if (lo > 0) Arrays.fill(col, d, d + lo, 0f);
        if (hi < outW) Arrays.fill(col, d + hi, d + outW, 0f);
        int src = plane + ih * g.width + lo * sW + shift;
        int m = hi - lo;
        if (sW == 1) {
          System.arraycopy(x, src, col, d + lo, m);
        } else if (sW == 2) {
          copyEven(x, src, col, d + lo, m);
        } else {
          for (int k = 0, dd = d + lo; k < m; k++) col[dd + k] = x[src + k * sW];
        }
      }
    }
  }

  /**
   * {@code dst[k] = src[s + 2k]} for k in [0, m). A vector block also reads the odd element after
   * its last even one (in the next row, dropped), so a block is taken only while that stays
   * inside the array.
   */
  private static void copyEven(float[] src, int s, float[] dst, int d, int m) {
    int k = 0;
    for (; k + L <= m && s + 2 * (k + L) <= src.length; k += L) {
      FloatVector a = FloatVector.fromArray(F, src, s + 2 * k);
      FloatVector b = FloatVector.fromArray(F, src, s + 2 * k + L);
      EVEN.selectFrom(a, b).intoArray(dst, d + k);
    }
    for (; k < m; k++) dst[d + k] = src[s + 2 * k];
  }

  private static void col2imChannels(float[] x, int xOff, Geometry g, float[] col, int colOff,
      int ld, int c0, int c1) {
    int sW = g.strideW;
    float[][] keep = null;
    if (g.sameRows()) {
      keep = new float[g.kernelW][];
      for (int j = 0; j < g.kernelW; j++) {
        int shift = j * g.dilationW - g.padW;
        int lo = g.owLo(shift), hi = g.owHi(shift, lo);
        if (lo > 0 || hi < g.width) keep[j] = keepPattern(g.width, lo, hi);
      }
    }
    for (int c = c0; c < c1; c++) {
      int plane = xOff + c * g.height * g.width;
      for (int i = 0; i < g.kernelH; i++) {
        for (int j = 0; j < g.kernelW; j++) {
          int r = (c * g.kernelH + i) * g.kernelW + j;
          int shift = j * g.dilationW - g.padW;
          int lo = g.owLo(shift), hi = g.owHi(shift, lo), m = hi - lo;
          if (g.sameRows()) {
            sameRowCol2im(x, plane, g, i, shift, lo, hi, keep[j], col, colOff + r * ld);
            continue;
          }
          int s = colOff + r * ld + lo;
          for (int oh = 0; oh < g.outH; oh++, s += g.outW) {
            int ih = oh * g.strideH - g.padH + i * g.dilationH;
            if (ih < 0 || ih >= g.height || m == 0) continue;
            int dst = plane + ih * g.width + lo * sW + shift;
            if (sW == 1) {
              addInto(col, s, x, dst, m);
            } else {
              for (int k = 0; k < m; k++) x[dst + k * sW] += col[s + k];
            }
          }
        }
      }
    }
  }

  /*
   * Stride 1 with oW = W ("same" width, e.g. 3x3 with padding 1): output pixel t = oh·W + ow of
   * column-matrix row (c, i, j) reads input pixel t + delta of plane c, delta = (i·dH − pH)·W +
   * shift, for every output row whose input row exists. So the row is one shifted copy of the
   * plane, whose fringe columns (ow < lo or ow >= hi, which wrapped into the neighbouring input
   * row) are then zeroed; col2im adds it back with one masked vector add per L pixels, the mask
   * dropping the fringe columns. Each pixel still receives rows in (c, i, j) order, so results
   * are bitwise those of the scalar twin.
   */

  private static void sameRowIm2col(float[] x, int plane, Geometry g, int i, int shift, int lo, int hi,
      float[] col, int d) {
    int w = g.width, outH = g.outH;
    int top = g.padH - i * g.dilationH;
    int ohLo = Math.min(outH, Math.max(0, top)), ohHi = Math.max(ohLo, Math.min(outH, g.height + top));
    int delta = -top * w + shift;
    if (ohLo > 0) Arrays.fill(col, d, d + ohLo * w, 0f);
    if (ohHi < outH) Arrays.fill(col, d + ohHi * w, d + outH * w, 0f);
    int ts = Math.max(ohLo * w, -delta), te = Math.min(ohHi * w, g.height * w - delta);
    if (te > ts) System.arraycopy(x, plane + ts + delta, col, d + ts, te - ts);
    if (lo > 0 || hi < w) {
      for (int oh = ohLo; oh < ohHi; oh++) {
        int row = d + oh * w;
        for (int ow = 0; ow < lo; ow++) col[row + ow] = 0f;
        for (int ow = hi; ow < w; ow++) col[row + ow] = 0f;
      }
    }
  }

  private static void sameRowCol2im(float[] x, int plane, Geometry g, int i, int shift, int lo, int hi,
      float[] keep, float[] col, int d) {
    int w = g.width, outH = g.outH;
    int top = g.padH - i * g.dilationH;
    int ohLo = Math.min(outH, Math.max(0, top)), ohHi = Math.max(ohLo, Math.min(outH, g.height + top));
    int delta = -top * w + shift;
    int ts = Math.max(ohLo * w, -delta), te = Math.min(ohHi * w, g.height * w - delta);
    if (te <= ts || hi <= lo) return;
    boolean fringe = keep != null;
    int t = ts;
    for (; t + L <= te; t += L) {
      int dst = plane + t + delta;
      FloatVector v = FloatVector.fromArray(F, col, d + t);
      if (fringe) v = v.blend(ZERO, FloatVector.fromArray(F, keep, t % w).compare(VectorOperators.EQ, 0f));
      FloatVector.fromArray(F, x, dst).add(v).intoArray(x, dst);
    }
    for (; t < te; t++) {
      int ow = t % w;
      if (ow >= lo && ow < hi) x[plane + t + delta] += col[d + t];
    }
  }

  /**
   * keep[k] = 1 where (k mod w) is in [lo, hi), else 0, for k in [0, w + L): compared with 0 it
   * gives the fringe mask of a vector starting at any column (a compare-made mask is far faster
   * than a masked load).
   */
  private static float[] keepPattern(int w, int lo, int hi) {
    float[] keep = new float[w + L];
    for (int k = 0; k < keep.length; k++) {
      int ow = k % w;
      keep[k] = ow >= lo && ow < hi ? 1f : 0f;
    }
    return keep;
  }

  /** {@code dst[d + k] += src[s + k]} for k in [0, m). */
  private static void addInto(float[] src, int s, float[] dst, int d, int m) {
    int k = 0;
    for (int bound = F.loopBound(m); k < bound; k += L) {
      FloatVector acc = FloatVector.fromArray(F, dst, d + k);
      acc.add(FloatVector.fromArray(F, src, s + k)).intoArray(dst, d + k);
    }
    for (; k < m; k++) dst[d + k] += src[s + k];
  }

  /** Validated convolution geometry with its output size. */
  private record Geometry(int channels, int height, int width, int kernelH, int kernelW,
      int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
      int outH, int outW) {

    Geometry(int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
      this(channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
          dilationH, dilationW,
          outSize(height, kernelH, strideH, padH, dilationH),
          outSize(width, kernelW, strideW, padW, dilationW));
    }

    Geometry {
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be >= 1, got " + channels);
      }
    }

    int rows() {
      return channels * kernelH * kernelW;
    }

    /** Stride 1 in both dims and oW = W: each column-matrix row is one shifted copy of the plane. */
    boolean sameRows() {
      return strideH == 1 && strideW == 1 && outW == width;
    }

    int cols() {
      return outH * outW;
    }

    /** First output column whose input column ow·sW + shift is ≥ 0. */
    int owLo(int shift) {
      return Math.min(outW, Math.max(0, Math.ceilDiv(-shift, strideW)));
    }

    /** One past the last output column whose input column ow·sW + shift is < W; at least lo. */
    int owHi(int shift, int lo) {
      return Math.max(lo, Math.min(outW, Math.floorDiv(width - 1 - shift, strideW) + 1));
    }

    void check(float[] x, int xOff, float[] col, int colOff, int ld) {
      if (ld < cols()) {
        throw new IllegalArgumentException("column matrix row distance " + ld
            + " is smaller than its " + cols() + " columns");
      }
      long image = (long) channels * height * width;
      long matrix = (long) (rows() - 1) * ld + cols();
      if (image > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("image " + channels + " x " + height + " x " + width
            + " has more than 2^31 - 1 entries");
      }
      if (matrix > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("column matrix " + rows() + " x " + cols()
            + " has more than 2^31 - 1 entries");
      }
      Objects.checkFromIndexSize(xOff, (int) image, x.length);
      Objects.checkFromIndexSize(colOff, (int) matrix, col.length);
    }
  }
}
