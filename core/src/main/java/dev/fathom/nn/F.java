package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Grad;
import dev.fathom.kernel.Activations;
import dev.fathom.kernel.BlockSparseLayout;
import dev.fathom.kernel.Gemm;
import dev.fathom.kernel.VecMath;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * The functional API (like {@code torch.nn.functional}): stateless operations that layers call
 * from their {@code forward}. Shapes: N batch, C channels, H/W spatial, T sequence, D features.
 */
public final class F {
  private F() {}

  // ------------------------------------------------------------ linear

  /**
   * y = x·Wᵀ + b.
   *
   * @param x (..., inFeatures)
   * @param weight (outFeatures, inFeatures)
   * @param bias (outFeatures) or null
   * @return (..., outFeatures)
   */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return linear("linear", x, weight, bias, false, 0);
  }

  /**
   * {@link #linear} whose weight and bias gradients sum over the first {@code paramRows} rows of
   * x only (rows of the flattened leading dims); every row still gets its input gradient. Rows
   * below them ride along without training the layer: In-Run Data Shapley stacks validation
   * rows under a training batch this way. The weight and bias gradients are bit for bit those
   * of {@code linear} on the first rows alone.
   *
   * @throws IllegalArgumentException when paramRows is outside [0, rows]
   */
  public static Tensor linearFirstRows(Tensor x, Tensor weight, Tensor bias, int paramRows) {
    return linear("linearFirstRows", x, weight, bias, true, paramRows);
  }

  /** The linear op; with {@code limit}, the parameters' gradients come from the first {@code paramRows} rows only. */
  private static Tensor linear(String op, Tensor x, Tensor weight, Tensor bias, boolean limit, int paramRows) {
    int rows = linearRows(op, x, weight, bias);
    if (limit && (paramRows < 0 || paramRows > rows)) {
      throw new IllegalArgumentException(op + ": paramRows must be in [0, " + rows + "], got " + paramRows);
    }
    int wr = limit ? paramRows : rows;
    int[] ws = weight.shape();
    int in = ws[1], out = ws[0];
    float[] y = linearForward(x, weight, bias, rows);
    Tensor result = Tensor.of(y, linearShape(x, out));
    Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
    return Autograd.record(op, result,
        g -> linearBackward(g.data(), x, weight, bias, rows, wr, in, out), inputs);
  }

  /** Activations that {@link #linearAct} applies to the output of the linear map. */
  public enum Act {
    /** max(z, 0). */
    RELU,
    /** Exact GELU, z·Φ(z). */
    GELU,
    /** GELU, tanh approximation. */
    GELU_TANH,
    /** SiLU (swish), z·σ(z). */
    SILU
  }

  /**
   * y = act(x·Wᵀ + b) as one op: the GEMM writes the pre-activation once, the activation runs in
   * place over it (ReLU) or into the output, and the backward turns the output gradient into
   * the pre-activation gradient in one pass before the two GEMMs of {@link #linear}. Same
   * values and gradients as {@code act(linear(x, weight, bias))}, one graph node and one
   * (B, out) array fewer.
   *
   * @param x (..., inFeatures)
   * @param weight (outFeatures, inFeatures)
   * @param bias (outFeatures) or null
   * @param act the activation
   * @return (..., outFeatures)
   * @throws ShapeException when the shapes do not fit, as in {@link #linear}
   */
  public static Tensor linearAct(Tensor x, Tensor weight, Tensor bias, Act act) {
    java.util.Objects.requireNonNull(act, "linearAct: act is null");
    int rows = linearRows("linearAct", x, weight, bias);
    int[] ws = weight.shape();
    int in = ws[1], out = ws[0], size = rows * out;
    float[] z = linearForward(x, weight, bias, rows);
    float[] y = act == Act.RELU ? z : new float[size];
    switch (act) {
      case RELU -> VecMath.relu(z, 0, y, 0, size);
      case GELU -> Activations.gelu(z, 0, y, 0, size);
      case GELU_TANH -> Activations.geluTanh(z, 0, y, 0, size);
      case SILU -> Activations.silu(z, 0, y, 0, size);
    }
    Tensor result = Tensor.of(y, linearShape(x, out));
    Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
    return Autograd.record("linear" + act.name().charAt(0) + act.name().substring(1).toLowerCase(),
        result, g -> {
          float[] gd = g.data(), dz = new float[size];
          switch (act) {
            case RELU -> VecMath.reluBackward(gd, 0, y, 0, dz, 0, size);  // y > 0 iff z > 0
            case GELU -> Activations.geluBackward(gd, 0, z, 0, dz, 0, size);
            case GELU_TANH -> Activations.geluTanhBackward(gd, 0, z, 0, dz, 0, size);
            case SILU -> Activations.siluBackward(gd, 0, z, 0, dz, 0, size);
          }
          return linearBackward(dz, x, weight, bias, rows, rows, in, out);
        }, inputs);
  }

  /** Checks the shapes of a linear map and returns the number of rows of x. */
  private static int linearRows(String op, Tensor x, Tensor weight, Tensor bias) {
    int[] xs = x.shape(), ws = weight.shape();
    if (ws.length != 2 || xs.length == 0 || xs[xs.length - 1] != ws[1]) {
      throw new ShapeException(op + ": input " + Shape.str(xs) + " does not fit weight " + Shape.str(ws)
          + " (expected input (..., " + (ws.length == 2 ? ws[1] : "in") + "))");
    }
    int in = ws[1], out = ws[0];
    if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
      throw new ShapeException(op + ": bias must have shape [" + out + "], got " + Shape.str(bias.shape()));
    }
    if (in == 0) return Shape.numel(java.util.Arrays.copyOf(xs, xs.length - 1));
    return x.numel() / in;
  }

  private static int[] linearShape(Tensor x, int out) {
    int[] ys = x.shape().clone();
    ys[ys.length - 1] = out;
    return ys;
  }

  /** x·Wᵀ + b as a fresh (rows, out) array: bias rows first, then the GEMM with beta = 1. */
  private static float[] linearForward(Tensor x, Tensor weight, Tensor bias, int rows) {
    int in = weight.size(1), out = weight.size(0);
    float[] y = new float[rows * out];
    if (bias != null) {
      float[] bd = bias.data();
      for (int r = 0; r < rows; r++) System.arraycopy(bd, 0, y, r * out, out);
    }
    Gemm.sgemm(false, true, rows, out, in, 1f, x.data(), 0, in, weight.data(), 0, in,
        bias != null ? 1f : 0f, y, 0, out);
    return y;
  }

  /**
   * Gradients of x (all r rows), weight and bias (the first wr rows) from the output gradient gd;
   * null where not required.
   */
  private static Tensor[] linearBackward(float[] gd, Tensor x, Tensor weight, Tensor bias,
      int r, int wr, int in, int out) {
    Tensor gx = null, gw = null, gb = null;
    if (x.requiresGrad()) {
      float[] d = new float[r * in];
      Gemm.sgemm(false, false, r, in, out, 1f, gd, 0, out, weight.data(), 0, in, 0f, d, 0, in);
      gx = Tensor.of(d, x.shape());
    }
    if (weight.requiresGrad()) {
      float[] d = new float[out * in];
      Gemm.sgemm(true, false, out, in, wr, 1f, gd, 0, out, x.data(), 0, in, 0f, d, 0, in);
      gw = Tensor.of(d, weight.shape());
    }
    if (bias != null && bias.requiresGrad()) gb = columnSums(gd, wr, out);
    return bias == null ? new Tensor[] {gx, gw} : new Tensor[] {gx, gw, gb};
  }

  private static Tensor columnSums(float[] g, int rows, int cols) {
    double[] acc = new double[cols];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int c = 0; c < cols; c++) acc[c] += g[base + c];
    }
    float[] o = new float[cols];
    for (int c = 0; c < cols; c++) o[c] = (float) acc[c];
    return Tensor.of(o, cols);
  }

  // ------------------------------------------------------------ convolution and pooling

  /**
   * 2-D convolution (cross-correlation, as PyTorch).
   *
   * @param x (N, C, H, W)
   * @param weight (O, C/groups, kH, kW)
   * @param bias (O) or null
   * @return (N, O, oH, oW) with oH = (H + 2·padH − dilH·(kH−1) − 1)/strideH + 1
   */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    return ConvOps.conv2d(x, weight, bias, stride, padding, dilation, groups);
  }

  /**
   * Depthwise causal convolution over time (Primer's multi-dconv-head attention, So et al. 2021):
   * {@code y[b,t,c] = bias[c] + Σ_{j<K} weight[c,0,j]·x[b, t−(K−1)+j, c]}, x at negative t = 0. The
   * same as {@code torch.nn.Conv1d(C, C, K, groups=C, padding=K−1)} on {@code x.transpose(1, 2)}
   * cut to the first T steps; see {@link CausalDepthwiseConv1d#step} for one step of a decoder.
   *
   * @param x (B, T, C)
   * @param weight (C, 1, K), K at least 1
   * @param bias (C) or null
   * @return (B, T, C)
   * @throws ShapeException when the shapes do not fit
   */
  public static Tensor causalDepthwiseConv1d(Tensor x, Tensor weight, Tensor bias) {
    return CausalConv1dOps.causalDepthwiseConv1d(x, weight, bias);
  }

  /** Max pooling over (N, C, H, W); padding counts as −∞. */
  public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    return ConvOps.maxPool2d(x, kernel, stride, padding);
  }

  /** Average pooling over (N, C, H, W) with count_include_pad = true. */
  public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    return ConvOps.avgPool2d(x, kernel, stride, padding);
  }

  // ------------------------------------------------------------ normalization

  /**
   * Batch normalization over all dims but 1 (channels).
   *
   * <p>Training: normalizes with the batch mean and biased variance and updates the running
   * statistics in place with {@code running = (1−momentum)·running + momentum·batch} (unbiased
   * variance), as PyTorch. Eval: normalizes with the running statistics.
   *
   * @param x (N, C) or (N, C, H, W)
   */
  public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
      boolean training, double momentum, double eps) {
    return NormOps.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
  }

  /** Layer normalization over the last {@code normalizedDims} dims, with optional affine weight and bias. */
  public static Tensor layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
    return NormOps.layerNorm(x, normalizedDims, weight, bias, eps);
  }

  /** RMS normalization over the last dim: x / sqrt(mean(x²) + eps) · weight (Zhang and Sennrich 2019). */
  public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
    return NormOps.rmsNorm(x, weight, eps);
  }

  // ------------------------------------------------------------ dropout, embedding

  /** Zeroes each element with probability p and scales the rest by 1/(1−p) when training. */
  public static Tensor dropout(Tensor x, double p, boolean training, Rng rng) {
    if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
    if (!training || p == 0) return x;
    float[] mask = new float[x.numel()];
    float scale = (float) (1 / (1 - p));
    for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < p ? 0f : scale;
    return x.mul(Tensor.of(mask, x.shape()));
  }

  /**
   * Looks up rows of {@code weight}.
   *
   * @param ids integer tensor of any shape (...)
   * @param weight (numEmbeddings, D)
   * @return (..., D)
   */
  public static Tensor embedding(Tensor ids, Tensor weight) {
    if (!ids.dtype().isInteger()) throw new IllegalArgumentException("embedding: ids must be INT64 or INT32, got " + ids.dtype());
    int[] is = ids.shape();
    int[] os = java.util.Arrays.copyOf(is, is.length + 1);
    os[is.length] = weight.size(1);
    return weight.indexSelect(0, ids.reshape(-1)).reshape(os);
  }

  // ------------------------------------------------------------ activations

  public static Tensor relu(Tensor x) { return x.relu(); }
  public static Tensor gelu(Tensor x) { return x.gelu(); }
  public static Tensor silu(Tensor x) { return x.silu(); }

  /**
   * SwiGLU gating of a Llama MLP: silu(gate) · up, elementwise, as one fused op: one output
   * written in one pass, and a backward that makes both input gradients in one pass
   * ({@code dGate = g·up·σ(gate)·(1 + gate·(1 − σ(gate)))}, {@code dUp = g·silu(gate)}).
   *
   * @param gate (...)
   * @param up same shape as gate
   * @return same shape as gate
   * @throws ShapeException when the shapes differ
   */
  public static Tensor swiglu(Tensor gate, Tensor up) {
    if (!java.util.Arrays.equals(gate.shape(), up.shape())) {
      throw new ShapeException("swiglu: gate " + Shape.str(gate.shape()) + " and up "
          + Shape.str(up.shape()) + " must have the same shape");
    }
    float[] gd = gate.data(), ud = up.data();
    int n = gd.length;
    float[] o = new float[n];
    Activations.swiglu(gd, 0, ud, 0, o, 0, n);
    return Autograd.record("swiglu", Tensor.of(o, gate.shape()), g -> {
      float[] dg = new float[n], du = new float[n];
      Activations.swigluBackward(g.data(), 0, gd, 0, ud, 0, dg, 0, du, 0, n);
      return new Tensor[] {gate.requiresGrad() ? Tensor.of(dg, gate.shape()) : null,
          up.requiresGrad() ? Tensor.of(du, up.shape()) : null};
    }, gate, up);
  }
  public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }
  public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

  // ------------------------------------------------------------ losses

  /**
   * Cross-entropy from logits, averaged over the targets that are not {@code ignoreIndex}
   * (PyTorch's reduction 'mean'), with label smoothing ε: the target distribution is
   * (1−ε)·onehot + ε/C. One fused op: log-softmax and NLL in a single pass, gradient
   * (softmax − target)/count.
   *
   * @param logits (N, C)
   * @param targets (N) class indices, INT64 or INT32
   */
  public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, double labelSmoothing) {
    int[] ls = logits.shape();
    if (ls.length != 2) throw new ShapeException("crossEntropy: logits must be (N, C), got " + Shape.str(ls) + " (flatten extra dims first)");
    if (!targets.dtype().isInteger() || targets.numel() != ls[0] || targets.dim() != 1) {
      throw new ShapeException("crossEntropy: targets must be integer (N) = [" + ls[0] + "], got " + targets.dtype() + " " + Shape.str(targets.shape()));
    }
    if (labelSmoothing < 0 || labelSmoothing > 1) throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
    int n = ls[0], c = ls[1];
    int[] t = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      long v = targets.getLong(i);
      t[i] = (int) v;
      if (v != ignoreIndex) count++;
    }
    float[] lossRows = new float[n];
    boolean needGrad = logits.requiresGrad() && Grad.isEnabled();
    float[] grad = needGrad ? new float[n * c] : null;
    VecMath.crossEntropyRows(logits.data(), n, c, t, ignoreIndex, (float) labelSmoothing, lossRows, grad);
    double total = 0;
    for (float v : lossRows) total += v;
    final int cnt = Math.max(count, 1);
    Tensor out = Tensor.scalar(count == 0 ? Float.NaN : (float) (total / cnt));
    return Autograd.record("crossEntropy", out, g -> {
      float scale = g.item() / cnt;
      float[] d = new float[grad.length];
      for (int i = 0; i < d.length; i++) d[i] = grad[i] * scale;
      return new Tensor[] {Tensor.of(d, ls), null};
    }, logits, targets);
  }

  /** Cross-entropy with PyTorch's defaults (ignoreIndex −100, no smoothing). */
  public static Tensor crossEntropy(Tensor logits, Tensor targets) {
    return crossEntropy(logits, targets, -100, 0);
  }

  /** Negative log-likelihood of log-probabilities (N, C) at integer targets (N), mean over non-ignored. */
  public static Tensor nllLoss(Tensor logProbs, Tensor targets, int ignoreIndex) {
    if (logProbs.dim() != 2 || targets.numel() != logProbs.size(0)) {
      throw new ShapeException("nllLoss: expected log-probabilities (N, C) and targets (N), got " + Shape.str(logProbs.shape())
          + " and " + Shape.str(targets.shape()));
    }
    int n = targets.numel();
    long[] idx = new long[n];
    float[] keep = new float[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      long v = targets.getLong(i);
      if (v == ignoreIndex) continue;
      if (v < 0 || v >= logProbs.size(1)) {
        throw new IndexOutOfBoundsException("nllLoss: target " + v + " at row " + i + " is outside [0, " + logProbs.size(1) + ")");
      }
      idx[i] = v;
      keep[i] = 1f;
      count++;
    }
    Tensor picked = logProbs.gather(1, Tensor.ofLongs(idx, n, 1)).reshape(n);
    return picked.mul(Tensor.of(keep, n)).sum().div(-Math.max(count, 1));
  }

  /** Mean squared error. */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    Tensor d = input.sub(target);
    return d.mul(d).mean();
  }

  /**
   * Binary cross-entropy on logits, mean over elements, in the stable form
   * max(x,0) − x·y + log(1 + e^−|x|). One fused op with gradient (sigmoid(x) − y)/n for the
   * logits and −x/n for the target (a composite of relu and abs would give the wrong gradient
   * at x = 0, where both kinks sit).
   */
  public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
    if (!java.util.Arrays.equals(logits.shape(), target.shape())) {
      throw new ShapeException("binaryCrossEntropyWithLogits: logits " + Shape.str(logits.shape()) + " and target "
          + Shape.str(target.shape()) + " must have the same shape");
    }
    float[] x = logits.data(), y = target.toFloat().data();
    int n = x.length;
    double total = 0;
    for (int i = 0; i < n; i++) total += Math.max(x[i], 0) - (double) x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
    Tensor out = Tensor.scalar((float) (total / n));
    return Autograd.record("binaryCrossEntropyWithLogits", out, g -> {
      double scale = g.item() / (double) n;
      float[] gx = logits.requiresGrad() ? new float[n] : null;
      float[] gy = target.requiresGrad() ? new float[n] : null;
      for (int i = 0; i < n; i++) {
        double v = x[i];
        double sig = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        if (gx != null) gx[i] = (float) ((sig - y[i]) * scale);
        if (gy != null) gy[i] = (float) (-v * scale);
      }
      return new Tensor[] {gx == null ? null : Tensor.of(gx, logits.shape()), gy == null ? null : Tensor.of(gy, target.shape())};
    }, logits, target);
  }

  /**
   * KL divergence as {@code torch.nn.functional.kl_div(input, target, reduction='batchmean')}:
   * sum(target·(log target − input)) / N, where input holds log-probabilities. With
   * {@code logTarget}, target holds log-probabilities too.
   */
  public static Tensor klDiv(Tensor input, Tensor target, boolean logTarget) {
    if (!java.util.Arrays.equals(input.shape(), target.shape())) {
      throw new ShapeException("klDiv: input " + Shape.str(input.shape()) + " and target " + Shape.str(target.shape()) + " must have the same shape");
    }
    Tensor pointwise;
    if (logTarget) {
      pointwise = target.exp().mul(target.sub(input));
    } else {
      Tensor logT = target.clamp(Float.MIN_NORMAL, Float.POSITIVE_INFINITY).log();
      pointwise = target.mul(logT.sub(input));
    }
    return pointwise.sum().div(input.dim() == 0 ? 1 : input.size(0));
  }

  // ------------------------------------------------------------ attention

  /**
   * softmax(q·kᵀ/√D + mask)·v, with grouped-query heads: key/value heads are shared by
   * H/Hkv query heads. Without an additive mask this runs the exact tiled kernel
   * ({@link AttentionOps}, FlashAttention-2 style: memory linear in T); with one, the
   * composition of matmul, mask and softmax (which materializes the (B, H, T, S) scores).
   *
   * @param q (B, H, T, D)
   * @param k (B, Hkv, S, D)
   * @param v (B, Hkv, S, Dv)
   * @param causal mask positions s &gt; t + (S − T) (queries at the end of the keys)
   * @param mask optional additive mask broadcastable to (B, H, T, S), or null
   * @return (B, H, T, Dv)
   */
  public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, boolean causal, Tensor mask) {
    checkAttentionShapes(q, k, v);
    if (mask == null) return AttentionOps.attention(q, k, v, causal);  // tiled, memory linear in T
    return scaledDotProductAttentionComposed(q, k, v, causal, mask);
  }

  /**
   * Causal attention over a sliding window (Mistral's sliding_window): query i sees the
   * {@code window} keys ending at its own position ({@code i + S − T}), on the tiled kernel, so
   * time and memory grow with T·window instead of T². Grouped-query heads as
   * {@link #scaledDotProductAttention}.
   *
   * @param window keys each query sees at most, at least 1
   * @return (B, H, T, Dv)
   */
  public static Tensor slidingWindowAttention(Tensor q, Tensor k, Tensor v, int window) {
    checkAttentionShapes(q, k, v);
    if (window < 1) throw new IllegalArgumentException("slidingWindowAttention: expected window >= 1, got " + window);
    return AttentionOps.attention(q, k, v, true, window);
  }

  /**
   * Causal block-sparse attention with global tokens (BigBird, Zaheer et al. 2020; Longformer,
   * Beltagy et al. 2020): query i at position p = i + S − T sees key j iff {@code j ≤ p} and its
   * block {@code p / blockSize} sees j's block under {@code layout} (local window, leading global
   * blocks, seeded random blocks); on the tiled kernel, so time grows with
   * T·(local + global + random)·blockSize instead of T². Grouped-query heads as
   * {@link #scaledDotProductAttention}.
   *
   * @param layout the block pattern
   * @return (B, H, T, Dv)
   */
  public static Tensor blockSparseAttention(Tensor q, Tensor k, Tensor v, BlockSparseLayout layout) {
    checkAttentionShapes(q, k, v);
    return AttentionOps.attention(q, k, v, layout);
  }

  /**
   * Causal linear attention with the feature map elu + 1 (Katharopoulos et al. 2020): time and
   * memory linear in T; see {@link LinearAttentionOps}, and {@link LinearAttentionState} for its
   * recurrent, constant-memory decoding form.
   *
   * @return (B, H, T, Dv)
   */
  public static Tensor linearAttention(Tensor q, Tensor k, Tensor v) {
    return LinearAttentionOps.causal(q, k, v);
  }

  /**
   * The same attention as {@link #scaledDotProductAttention} composed from matmul, masking and
   * softmax, materializing the (B, H, T, S) scores: the path for an additive mask, and the
   * reference the tiled kernel is tested and benchmarked against.
   */
  public static Tensor scaledDotProductAttentionComposed(Tensor q, Tensor k, Tensor v, boolean causal, Tensor mask) {
    checkAttentionShapes(q, k, v);
    int h = q.size(1), t = q.size(2), d = q.size(3), hkv = k.size(1), s = k.size(2);
    if (hkv != h) {
      k = repeatKv(k, h / hkv);
      v = repeatKv(v, h / hkv);
    }
    Tensor scores = q.matmul(k.transpose(2, 3)).mul((float) (1 / Math.sqrt(d)));  // (B, H, T, S)
    if (causal) {
      float[] m = new float[t * s];
      for (int i = 0; i < t; i++) for (int j = 0; j < s; j++) m[i * s + j] = j > i + (s - t) ? 1f : 0f;
      scores = scores.maskedFill(Tensor.of(m, t, s), Float.NEGATIVE_INFINITY);
    }
    if (mask != null) scores = scores.add(mask);
    return scores.softmax(-1).matmul(v);
  }

  private static void checkAttentionShapes(Tensor q, Tensor k, Tensor v) {
    if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
      throw new ShapeException("attention: q, k, v must be (B, H, T, D), got " + Shape.str(q.shape()) + ", "
          + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
    }
    int b = q.size(0), h = q.size(1), d = q.size(3), hkv = k.size(1), s = k.size(2);
    if (h % hkv != 0 || v.size(1) != hkv || k.size(3) != d || v.size(2) != s || k.size(0) != b || v.size(0) != b) {
      throw new ShapeException("attention: incompatible q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape())
          + ", v " + Shape.str(v.shape()) + " (expected k (B, Hkv, S, D), v (B, Hkv, S, Dv), H divisible by Hkv)");
    }
  }

  /** (B, Hkv, S, D) → (B, Hkv·rep, S, D), each kv head repeated rep times consecutively. */
  static Tensor repeatKv(Tensor x, int rep) {
    int[] s = x.shape();
    return x.unsqueeze(2).expand(s[0], s[1], rep, s[2], s[3]).reshape(s[0], s[1] * rep, s[2], s[3]);
  }

  static int[] pair(int v) {
    return new int[] {v, v};
  }

}
