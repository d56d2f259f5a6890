package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array of float32 (or int64/int32 indices) that records the operations applied
 * to it when it requires a gradient.
 *
 * <p>Tensors are row-major and contiguous. {@link #reshape} and {@link #view} share storage;
 * everything else (transpose, permute, narrow, ...) returns a new contiguous tensor. Binary
 * operations broadcast as in NumPy/PyTorch. Shape letters in javadoc: B batch, C channels,
 * H/W height/width, T time, D features.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new Rng(0), 4, 3).requiresGrad(true);
 * Tensor loss = x.matmul(w).relu().sum();
 * loss.backward();          // x.grad() now holds d loss / d x
 * }</pre>
 */
public final class Tensor {
  private final int[] shape;
  private final DType dtype;
  private final float[] f;
  private final long[] l;
  private final int[] iv;

  private boolean requiresGrad;
  private boolean retainGrad;
  private Tensor grad;
  private Node gradFn;
  private List<UnaryOperator<Tensor>> hooks = List.of();

  Tensor(int[] shape, float[] data) {
    this.shape = shape.clone();
    this.dtype = DType.FLOAT32;
    this.f = data;
    this.l = null;
    this.iv = null;
    checkLength(data.length);
  }

  Tensor(int[] shape, long[] data) {
    this.shape = shape.clone();
    this.dtype = DType.INT64;
    this.f = null;
    this.l = data;
    this.iv = null;
    checkLength(data.length);
  }

  Tensor(int[] shape, int[] data) {
    this.shape = shape.clone();
    this.dtype = DType.INT32;
    this.f = null;
    this.l = null;
    this.iv = data;
    checkLength(data.length);
  }

  private void checkLength(int length) {
    int n = Shape.numel(shape);
    if (n != length) {
      throw new ShapeException("shape " + Shape.str(shape) + " needs " + n + " elements but the data has " + length);
    }
  }

  // ---------------------------------------------------------------- creation

  /** A float tensor over {@code data} (not copied) with the given shape. */
  public static Tensor of(float[] data, int... shape) {
    return new Tensor(shape, data);
  }

  /** A 1-D float tensor holding a copy of {@code values}. */
  public static Tensor vector(float... values) {
    return new Tensor(new int[] {values.length}, values.clone());
  }

  /** A 2-D float tensor from rows (copied); all rows must have the same length. */
  public static Tensor of(float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    float[] d = new float[rows.length * cols];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != cols) {
        throw new ShapeException("row " + r + " has " + rows[r].length + " values, expected " + cols);
      }
      System.arraycopy(rows[r], 0, d, r * cols, cols);
    }
    return new Tensor(new int[] {rows.length, cols}, d);
  }

  /** A 0-dimensional float tensor. */
  public static Tensor scalar(float value) {
    return new Tensor(new int[0], new float[] {value});
  }

  /** An int64 tensor over {@code data} (not copied). */
  public static Tensor ofLongs(long[] data, int... shape) {
    return new Tensor(shape, data);
  }

  /** An int32 tensor over {@code data} (not copied). */
  public static Tensor ofInts(int[] data, int... shape) {
    return new Tensor(shape, data);
  }

  public static Tensor zeros(int... shape) {
    return new Tensor(shape, new float[Shape.numel(shape)]);
  }

  public static Tensor ones(int... shape) {
    return full(shape, 1f);
  }

  public static Tensor full(int[] shape, float value) {
    float[] d = new float[Shape.numel(shape)];
    Arrays.fill(d, value);
    return new Tensor(shape, d);
  }

  public static Tensor zerosLike(Tensor t) {
    return zeros(t.shape);
  }

  public static Tensor onesLike(Tensor t) {
    return ones(t.shape);
  }

  /** {@code [0, 1, ..., n-1]} as float. */
  public static Tensor arange(int n) {
    return arange(0, n, 1);
  }

  /** Values from start (inclusive) to end (exclusive) by step, as float. */
  public static Tensor arange(double start, double end, double step) {
    if (step == 0 || (end - start) / step < 0) {
      throw new IllegalArgumentException("arange: cannot go from " + start + " to " + end + " by " + step);
    }
    int n = (int) Math.ceil((end - start) / step);
    float[] d = new float[n];
    for (int i = 0; i < n; i++) d[i] = (float) (start + i * step);
    return new Tensor(new int[] {n}, d);
  }

  /** The n×n identity matrix. */
  public static Tensor eye(int n) {
    float[] d = new float[n * n];
    for (int i = 0; i < n; i++) d[i * n + i] = 1f;
    return new Tensor(new int[] {n, n}, d);
  }

  /** Standard normal samples. */
  public static Tensor randn(Rng rng, int... shape) {
    float[] d = new float[Shape.numel(shape)];
    for (int i = 0; i < d.length; i++) d[i] = (float) rng.nextGaussian();
    return new Tensor(shape, d);
  }

  /** Uniform samples in [0, 1). */
  public static Tensor rand(Rng rng, int... shape) {
    float[] d = new float[Shape.numel(shape)];
    for (int i = 0; i < d.length; i++) d[i] = rng.nextFloat();
    return new Tensor(shape, d);
  }

  /** Uniform samples in [low, high). */
  public static Tensor uniform(Rng rng, float low, float high, int... shape) {
    float[] d = new float[Shape.numel(shape)];
    for (int i = 0; i < d.length; i++) d[i] = low + (high - low) * rng.nextFloat();
    return new Tensor(shape, d);
  }

  /** Uniform int64 samples in [low, high). */
  public static Tensor randint(Rng rng, int low, int high, int... shape) {
    if (high <= low) throw new IllegalArgumentException("randint: expected low < high, got " + low + " >= " + high);
    long[] d = new long[Shape.numel(shape)];
    for (int i = 0; i < d.length; i++) d[i] = low + rng.nextInt(high - low);
    return new Tensor(shape, d);
  }

  // ---------------------------------------------------------------- metadata and data

  /** The shape (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code dim} (negative counts from the end). */
  public int size(int dim) {
    return shape[Shape.dim(dim, shape.length)];
  }

  /** Number of dimensions. */
  public int dim() {
    return shape.length;
  }

  public int numel() {
    return f != null ? f.length : l != null ? l.length : iv.length;
  }

  public DType dtype() {
    return dtype;
  }

  /**
   * The backing float array (row-major, contiguous, shared, not copied). Writing to it bypasses
   * autograd: do it only for tensors outside the graph (parameters under no-grad, buffers).
   */
  public float[] data() {
    if (f == null) throw new IllegalStateException("data(): tensor is " + dtype + ", expected FLOAT32");
    return f;
  }

  /** The backing int64 array (shared). */
  public long[] longData() {
    if (l == null) throw new IllegalStateException("longData(): tensor is " + dtype + ", expected INT64");
    return l;
  }

  /** The backing int32 array (shared). */
  public int[] intData() {
    if (iv == null) throw new IllegalStateException("intData(): tensor is " + dtype + ", expected INT32");
    return iv;
  }

  /** The value of a one-element tensor. */
  public float item() {
    if (numel() != 1) {
      throw new ShapeException("item(): expected a tensor with one element, got shape " + Shape.str(shape));
    }
    return getFlat(0);
  }

  /** The element at a multi-index, as float. */
  public float get(int... index) {
    return getFlat(flatIndex(index));
  }

  /** The element at a flat (row-major) index, as float. */
  public float getFlat(int i) {
    return f != null ? f[i] : l != null ? l[i] : iv[i];
  }

  /** The element at a flat index, as long (index tensors). */
  public long getLong(int i) {
    return f != null ? (long) f[i] : l != null ? l[i] : iv[i];
  }

  int flatIndex(int... index) {
    if (index.length != shape.length) {
      throw new ShapeException("index " + Arrays.toString(index) + " has " + index.length
          + " coordinates, tensor shape " + Shape.str(shape) + " needs " + shape.length);
    }
    int flat = 0;
    for (int d = 0; d < shape.length; d++) {
      if (index[d] < 0 || index[d] >= shape[d]) {
        throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape " + Shape.str(shape));
      }
      flat = flat * shape[d] + index[d];
    }
    return flat;
  }

  /** A copy of the values as float. */
  public float[] toFloatArray() {
    if (f != null) return f.clone();
    float[] out = new float[numel()];
    for (int i = 0; i < out.length; i++) out[i] = getFlat(i);
    return out;
  }

  /** A copy of the values as long. */
  public long[] toLongArray() {
    long[] out = new long[numel()];
    for (int i = 0; i < out.length; i++) out[i] = getLong(i);
    return out;
  }

  /** This tensor as float32 (a copy for integer tensors; this tensor itself if float). */
  public Tensor toFloat() {
    return f != null ? this : new Tensor(shape, toFloatArray());
  }

  /** This tensor as int64 (float values truncated toward zero). */
  public Tensor toLong() {
    return l != null ? this : new Tensor(shape, toLongArray());
  }

  // ---------------------------------------------------------------- autograd state

  /** Whether gradients flow to this tensor. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /**
   * Marks this (leaf) tensor as requiring a gradient, like {@code requires_grad_()}.
   *
   * @return this
   */
  public Tensor requiresGrad(boolean value) {
    if (gradFn != null && !value) {
      throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor; use detach()");
    }
    if (value && f == null) throw new IllegalStateException("only float tensors can require grad, this is " + dtype);
    this.requiresGrad = value;
    return this;
  }

  /** The accumulated gradient, or null. */
  public Tensor grad() {
    return grad;
  }

  /** Sets (or clears, with null) the accumulated gradient. */
  public void setGrad(Tensor g) {
    if (g != null && !Arrays.equals(g.shape, shape)) {
      throw new ShapeException("setGrad: gradient shape " + Shape.str(g.shape) + " does not match tensor shape " + Shape.str(shape));
    }
    this.grad = g;
  }

  /** The operation that produced this tensor, or null for a leaf. */
  public Node gradFn() {
    return gradFn;
  }

  /** True for tensors created by the user rather than by a recorded operation. */
  public boolean isLeaf() {
    return gradFn == null;
  }

  /** Backpropagates from this scalar (loss). */
  public void backward() {
    Autograd.backward(this, null);
  }

  /** Backpropagates with an explicit gradient of the objective w.r.t. this tensor. */
  public void backward(Tensor gradient) {
    Autograd.backward(this, gradient);
  }

  /** Keeps the gradient of this non-leaf tensor in {@link #grad()} during backward. */
  public Tensor retainGrad() {
    this.retainGrad = true;
    return this;
  }

  /** Whether {@link #retainGrad()} was called. */
  public boolean retainsGrad() {
    return retainGrad;
  }

  /**
   * Registers a hook called with this tensor's gradient during backward; it may return a
   * replacement gradient or null to keep it.
   *
   * @return a handle whose {@code run()} removes the hook
   */
  public Runnable registerHook(UnaryOperator<Tensor> hook) {
    List<UnaryOperator<Tensor>> next = new ArrayList<>(hooks);
    next.add(hook);
    hooks = List.copyOf(next);
    return () -> {
      List<UnaryOperator<Tensor>> after = new ArrayList<>(hooks);
      after.remove(hook);
      hooks = List.copyOf(after);
    };
  }

  /** The registered gradient hooks (used by the backward pass). */
  public List<UnaryOperator<Tensor>> hooks() {
    return hooks;
  }

  /**
   * A new tensor sharing this one's storage, outside the graph (also what {@link Autograd#record}
   * uses when an op returns one of the graph's own tensors).
   */
  public Tensor detach() {
    return share(shape);
  }

  Tensor share(int[] newShape) {
    if (f != null) return new Tensor(newShape, f);
    if (l != null) return new Tensor(newShape, l);
    return new Tensor(newShape, iv);
  }

  /** Internal: sets the recorded operation that produced this tensor (called by Autograd). */
  public void attachGradFn(Node node) {
    if (gradFn != null) throw new IllegalStateException("tensor already has gradFn " + gradFn);
    this.gradFn = node;
    this.requiresGrad = true;
  }

  /** Internal: adds {@code g} into {@link #grad()} (called by the backward pass). */
  public void accumulateGrad(Tensor g) {
    if (grad == null) {
      grad = new Tensor(shape, g.toFloatArray());
    } else {
      float[] a = grad.data();
      float[] b = g.data();
      for (int i = 0; i < a.length; i++) a[i] += b[i];
    }
  }

  // ---------------------------------------------------------------- elementwise

  public Tensor add(Tensor o) { return Pointwise.binary(Pointwise.Op.ADD, this, o); }
  public Tensor sub(Tensor o) { return Pointwise.binary(Pointwise.Op.SUB, this, o); }
  public Tensor mul(Tensor o) { return Pointwise.binary(Pointwise.Op.MUL, this, o); }
  public Tensor div(Tensor o) { return Pointwise.binary(Pointwise.Op.DIV, this, o); }
  /** Elementwise this^o (broadcasting). */
  public Tensor pow(Tensor o) { return Pointwise.binary(Pointwise.Op.POW, this, o); }
  /** Elementwise maximum (gradient to the larger; split evenly on ties). */
  public Tensor maximum(Tensor o) { return Pointwise.binary(Pointwise.Op.MAX, this, o); }
  /** Elementwise minimum. */
  public Tensor minimum(Tensor o) { return Pointwise.binary(Pointwise.Op.MIN, this, o); }
  public Tensor add(float s) { return Pointwise.scalar(Pointwise.Op.ADD, this, s); }
  public Tensor sub(float s) { return Pointwise.scalar(Pointwise.Op.SUB, this, s); }
  public Tensor mul(float s) { return Pointwise.scalar(Pointwise.Op.MUL, this, s); }
  public Tensor div(float s) { return Pointwise.scalar(Pointwise.Op.DIV, this, s); }
  public Tensor pow(float s) { return Pointwise.scalar(Pointwise.Op.POW, this, s); }
  /** s - this. */
  public Tensor rsub(float s) { return neg().add(s); }

  public Tensor neg() { return Pointwise.unary(Pointwise.Unary.NEG, this); }
  public Tensor abs() { return Pointwise.unary(Pointwise.Unary.ABS, this); }
  public Tensor exp() { return Pointwise.unary(Pointwise.Unary.EXP, this); }
  public Tensor log() { return Pointwise.unary(Pointwise.Unary.LOG, this); }
  public Tensor sqrt() { return Pointwise.unary(Pointwise.Unary.SQRT, this); }
  public Tensor rsqrt() { return Pointwise.unary(Pointwise.Unary.RSQRT, this); }
  public Tensor tanh() { return Pointwise.unary(Pointwise.Unary.TANH, this); }
  public Tensor sigmoid() { return Pointwise.unary(Pointwise.Unary.SIGMOID, this); }
  public Tensor relu() { return Pointwise.unary(Pointwise.Unary.RELU, this); }
  /** GELU with the exact erf form (PyTorch's default {@code approximate='none'}). */
  public Tensor gelu() { return Pointwise.unary(Pointwise.Unary.GELU, this); }
  /** GELU with the tanh approximation ({@code approximate='tanh'}). */
  public Tensor geluTanh() { return Pointwise.unary(Pointwise.Unary.GELU_TANH, this); }
  /** SiLU (swish): x·sigmoid(x). */
  public Tensor silu() { return Pointwise.unary(Pointwise.Unary.SILU, this); }
  public Tensor sin() { return Pointwise.unary(Pointwise.Unary.SIN, this); }
  public Tensor cos() { return Pointwise.unary(Pointwise.Unary.COS, this); }
  /** Clamps into [min, max]; the gradient is zero outside. Use ±Infinity for one-sided. */
  public Tensor clamp(float min, float max) { return Pointwise.clamp(this, min, max); }

  /** Elementwise {@code cond != 0 ? a : b} with broadcasting. */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Pointwise.where(cond, a, b); }
  /** Replaces elements where {@code mask != 0} with {@code value} (mask broadcasts). */
  public Tensor maskedFill(Tensor mask, float value) { return Pointwise.maskedFill(this, mask, value); }

  /** Comparisons give float 0/1 masks outside the graph. */
  public Tensor eq(Tensor o) { return Pointwise.compare(Pointwise.Op.EQ, this, o); }
  public Tensor ne(Tensor o) { return Pointwise.compare(Pointwise.Op.NE, this, o); }
  public Tensor lt(Tensor o) { return Pointwise.compare(Pointwise.Op.LT, this, o); }
  public Tensor le(Tensor o) { return Pointwise.compare(Pointwise.Op.LE, this, o); }
  public Tensor gt(Tensor o) { return Pointwise.compare(Pointwise.Op.GT, this, o); }
  public Tensor ge(Tensor o) { return Pointwise.compare(Pointwise.Op.GE, this, o); }
  public Tensor eq(float s) { return eq(scalar(s)); }
  public Tensor ne(float s) { return ne(scalar(s)); }
  public Tensor lt(float s) { return lt(scalar(s)); }
  public Tensor le(float s) { return le(scalar(s)); }
  public Tensor gt(float s) { return gt(scalar(s)); }
  public Tensor ge(float s) { return ge(scalar(s)); }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements (a scalar tensor). */
  public Tensor sum() { return Reduce.sum(this, allDims(), false); }
  public Tensor sum(int dim, boolean keepdim) { return Reduce.sum(this, new int[] {dim}, keepdim); }
  public Tensor sum(int[] dims, boolean keepdim) { return Reduce.sum(this, dims, keepdim); }
  public Tensor mean() { return Reduce.mean(this, allDims(), false); }
  public Tensor mean(int dim, boolean keepdim) { return Reduce.mean(this, new int[] {dim}, keepdim); }
  public Tensor mean(int[] dims, boolean keepdim) { return Reduce.mean(this, dims, keepdim); }
  /** Variance along a dim with Bessel's correction (PyTorch's default {@code correction=1}). */
  public Tensor var(int dim, boolean keepdim) { return Reduce.var(this, new int[] {dim}, 1, keepdim); }
  /** Variance over dims with the given correction (0: population, 1: unbiased). */
  public Tensor var(int[] dims, int correction, boolean keepdim) { return Reduce.var(this, dims, correction, keepdim); }
  /** Maximum along a dim (gradient flows to the first maximal element). */
  public Tensor max(int dim, boolean keepdim) { return Reduce.extreme(this, dim, keepdim, true); }
  public Tensor min(int dim, boolean keepdim) { return Reduce.extreme(this, dim, keepdim, false); }
  /** Maximum of all elements. */
  public Tensor max() { return reshape(-1).max(0, false); }
  public Tensor min() { return reshape(-1).min(0, false); }
  /** Index of the first maximum along a dim, as int64. */
  public Tensor argmax(int dim, boolean keepdim) { return Reduce.argExtreme(this, dim, keepdim, true); }
  public Tensor argmin(int dim, boolean keepdim) { return Reduce.argExtreme(this, dim, keepdim, false); }
  /** log(sum(exp(x))) along a dim, computed stably. */
  public Tensor logsumexp(int dim, boolean keepdim) { return Reduce.logsumexp(this, dim, keepdim); }
  /** Softmax along a dim. */
  public Tensor softmax(int dim) { return Reduce.softmax(this, dim, false); }
  /** Log-softmax along a dim. */
  public Tensor logSoftmax(int dim) { return Reduce.softmax(this, dim, true); }

  private int[] allDims() {
    int[] d = new int[shape.length];
    for (int i = 0; i < d.length; i++) d[i] = i;
    return d;
  }

  // ---------------------------------------------------------------- shape and views

  /** Same data with a new shape (one dim may be -1); shares storage. */
  public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }
  /** Alias of {@link #reshape} (tensors are always contiguous). */
  public Tensor view(int... newShape) { return Views.reshape(this, newShape); }
  /** Flattens dims startDim..endDim into one. */
  public Tensor flatten(int startDim, int endDim) { return Views.flatten(this, startDim, endDim); }
  public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }
  public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }
  /** Swaps two dims (copies). */
  public Tensor transpose(int dim0, int dim1) { return Views.transpose(this, dim0, dim1); }
  /** Transpose of a 2-D tensor. */
  public Tensor t() {
    if (shape.length != 2) throw new ShapeException("t() expects a 2-D tensor, got shape " + Shape.str(shape));
    return transpose(0, 1);
  }
  /** Reorders dims (copies). */
  public Tensor permute(int... dims) { return Views.permute(this, dims); }
  /** Elements {@code start .. start+length-1} along a dim (copies). */
  public Tensor narrow(int dim, int start, int length) { return Views.narrow(this, dim, start, length); }
  /** Python-style {@code x[..., start:end, ...]} along a dim (copies); negative indices count from the end. */
  public Tensor slice(int dim, int start, int end) {
    int n = size(dim);
    int s = Math.max(0, Math.min(n, start < 0 ? start + n : start));
    int e = Math.max(s, Math.min(n, end < 0 ? end + n : end));
    return narrow(dim, s, e - s);
  }
  /** Broadcasts to a larger shape (copies); -1 keeps a dim. */
  public Tensor expand(int... newShape) { return Views.expand(this, newShape); }
  /** A differentiable copy. */
  public Tensor copy() { return Views.copy(this); }
  /** Concatenates along an existing dim. */
  public static Tensor cat(List<Tensor> tensors, int dim) { return Views.cat(tensors, dim); }
  /** Stacks along a new dim. */
  public static Tensor stack(List<Tensor> tensors, int dim) { return Views.stack(tensors, dim); }
  /** Splits into pieces of {@code size} along a dim (the last may be smaller). */
  public List<Tensor> split(int size, int dim) { return Views.split(this, size, dim); }
  /** Splits into {@code chunks} nearly equal pieces along a dim. */
  public List<Tensor> chunk(int chunks, int dim) {
    return split((size(dim) + chunks - 1) / chunks, dim);
  }

  // ---------------------------------------------------------------- indexing

  /** {@code out[i][j] = this[index[i][j]][j]} for dim 0, etc. (as torch.gather). */
  public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }
  /** Selects entries along a dim by an int index vector. */
  public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
  /** A copy of this with {@code src} added at {@code index} along a dim (as torch.scatter_add). */
  public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Indexing.scatterAdd(this, dim, index, src); }
  /** The elements where {@code mask != 0}, as a 1-D tensor (mask must have this shape). */
  public Tensor maskedSelect(Tensor mask) { return Indexing.maskedSelect(this, mask); }

  // ---------------------------------------------------------------- linear algebra

  /** Matrix product with batch broadcasting (as torch.matmul, including 1-D operands). */
  public Tensor matmul(Tensor o) { return Linalg.matmul(this, o); }

  // ---------------------------------------------------------------- printing

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("tensor(");
    int n = numel();
    int show = Math.min(n, 8);
    sb.append('[');
    for (int i = 0; i < show; i++) {
      if (i > 0) sb.append(", ");
      if (f != null) sb.append(String.format("%.4f", f[i]));
      else sb.append(getLong(i));
    }
    if (n > show) sb.append(", ...");
    sb.append("], shape=").append(Shape.str(shape));
    if (dtype != DType.FLOAT32) sb.append(", dtype=").append(dtype);
    if (gradFn != null) sb.append(", gradFn=").append(gradFn);
    else if (requiresGrad) sb.append(", requiresGrad=true");
    return sb.append(')').toString();
  }
}
