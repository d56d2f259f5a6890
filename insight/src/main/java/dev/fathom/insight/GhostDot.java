package dev.fathom.insight;

import dev.fathom.autograd.Grad;
import dev.fathom.kernel.Gemm;
import dev.fathom.kernel.VecMath;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-example gradient dot products without per-example gradients: the "ghost dot-product" of
 * In-Run Data Shapley (Wang et al., ICLR 2025, §4.2).
 *
 * <p>For a linear layer y = a·Wᵀ + b and one example, ∇_W ℓ = g aᵀ with a the layer's input and
 * g = ∂ℓ/∂y its output gradient, so for two examples
 *
 * <pre>
 *   ∇_W ℓ_i · ∇_W ℓ_v = (g_i·g_v)(a_i·a_v)        ∇_b ℓ_i · ∇_b ℓ_v = g_i·g_v
 * </pre>
 *
 * and the dot of example i's gradient with the gradient of a whole batch V, Σ_v ∇ℓ_v, is the row
 * sum of (G_B G_Vᵀ) ∘ (A_B A_Vᵀ + 1) over the layers: two B×V products per layer instead of B
 * gradient-sized vectors. Forward hooks capture each Linear layer's input, backward hooks its
 * output gradient; nothing of the autograd graph changes.
 *
 * <p>The model's trainable parameters must all belong to Linear layers (an MLP); other
 * parameters would be missing from the dot, so they are refused. Layer inputs are 2-D
 * (batch, features) or 3-D (batch, time, features), a Linear layer shared over positions.
 */
public final class GhostDot implements AutoCloseable {
  private final List<Linear> layers = new ArrayList<>();
  private final Map<Linear, Tensor> inputs = new IdentityHashMap<>();
  private final Map<Linear, Tensor> gradOutputs = new IdentityHashMap<>();
  private final List<Runnable> handles = new ArrayList<>();

  /**
   * Hooks every Linear layer of {@code model}.
   *
   * @throws IllegalArgumentException when a trainable parameter is outside a Linear layer, or
   *     there is no Linear layer
   */
  public GhostDot(Module model) {
    IdentityHashMap<Tensor, Boolean> covered = new IdentityHashMap<>();
    for (Module m : model.namedModules().values()) {
      if (m instanceof Linear l) {
        layers.add(l);
        covered.put(l.weight, true);
        if (l.bias != null) covered.put(l.bias, true);
        handles.add(l.registerForwardHook((mod, in, out) -> {
          if (in.dim() != 2 && in.dim() != 3) {
            throw new IllegalArgumentException("ghost dot-product: Linear inputs must be (batch, features) or (batch, time, features), got "
                + java.util.Arrays.toString(in.shape()));
          }
          if (Grad.isEnabled()) inputs.put(l, in.detach());
          return null;
        }));
        handles.add(l.registerBackwardHook((mod, gIn, gOut) -> gradOutputs.put(l, gOut)));
      }
    }
    if (layers.isEmpty()) throw new IllegalArgumentException("ghost dot-product: the model has no Linear layer");
    for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
      if (e.getValue().requiresGrad() && !covered.containsKey(e.getValue())) {
        throw new IllegalArgumentException("ghost dot-product: parameter '" + e.getKey()
            + "' is not in a Linear layer; only MLPs of Linear layers are covered");
      }
    }
  }

  /** The Linear layers hooked, in module order. */
  public List<Linear> layers() {
    return List.copyOf(layers);
  }

  /**
   * Takes the inputs and output gradients captured since the last take (one forward and one
   * backward of the same batch) and clears them.
   *
   * @throws IllegalStateException when a layer saw no forward or no backward
   */
  public Capture take() {
    Tensor[] a = new Tensor[layers.size()], g = new Tensor[layers.size()];
    for (int l = 0; l < layers.size(); l++) {
      Linear layer = layers.get(l);
      a[l] = inputs.get(layer);
      g[l] = gradOutputs.get(layer);
      if (a[l] == null || g[l] == null) {
        throw new IllegalStateException("ghost dot-product: layer " + l + " has " + (a[l] == null ? "no captured input" : "no output gradient")
            + "; run one forward and one backward between takes");
      }
    }
    inputs.clear();
    gradOutputs.clear();
    boolean[] bias = new boolean[layers.size()];
    for (int l = 0; l < bias.length; l++) bias[l] = layers.get(l).bias != null;
    return new Capture(a, g, bias);
  }

  @Override
  public void close() {
    handles.forEach(Runnable::run);
    handles.clear();
  }

  /**
   * One batch's layer inputs A_l (B, in_l) or (B, T, in_l) and output gradients G_l (B, out_l)
   * or (B, T, out_l): the examples {@code [first, first + batch)} along the first dimension of
   * those tensors (all of them for a capture of one batch; a window when a training batch and
   * a validation batch went through the model stacked in one tensor, {@link StackedPass}).
   *
   * <p>A Linear layer shared over T positions (a sequence model) has the per-example gradient
   * Σ_t g_t a_tᵀ, so for two examples ∇ℓ_i·∇ℓ_v = Σ_{t,t'} (a_it·a_vt')(g_it·g_vt'): the sum of
   * the elementwise product of two T×T' Gram matrices (plus Σ g_it·g_vt' for the bias). Every
   * method below therefore works on the flattened rows (B·T of them) and adds each example's T
   * row results; for 2-D inputs T = 1 and nothing changes.
   *
   * @param hasBias per layer, whether its bias is a parameter
   * @param first the capture's first example along the tensors' first dimension
   * @param batch the capture's examples
   */
  public record Capture(Tensor[] inputs, Tensor[] gradOutputs, boolean[] hasBias, int first, int batch) {
    public Capture {
      if (inputs.length != gradOutputs.length || inputs.length != hasBias.length || inputs.length == 0) {
        throw new IllegalArgumentException("ghost capture: expected one input, output gradient and bias flag per layer, got "
            + inputs.length + ", " + gradOutputs.length + " and " + hasBias.length);
      }
      for (int l = 0; l < inputs.length; l++) {
        int size = inputs[l].size(0);
        if (gradOutputs[l].size(0) != size || first < 0 || batch < 0 || first + batch > size) {
          throw new IllegalArgumentException("ghost capture: layer " + l + " holds " + size + " inputs and " + gradOutputs[l].size(0)
              + " output gradients; expected both to cover examples [" + first + ", " + (first + batch) + ")");
        }
      }
    }

    /** A capture of every example of the tensors. */
    public Capture(Tensor[] inputs, Tensor[] gradOutputs, boolean[] hasBias) {
      this(inputs, gradOutputs, hasBias, 0, inputs.length == 0 ? 0 : inputs[0].size(0));
    }

    /** Positions T per example at layer l (1 for 2-D inputs). */
    private int steps(int l) {
      return inputs[l].numel() / (inputs[l].size(0) * features(inputs[l]));
    }

    /** Flattened rows of this capture at layer l. */
    private int rows(int l) {
      return batch * steps(l);
    }

    /** The first flattened row of this capture at layer l. */
    private int row0(int l) {
      return first * steps(l);
    }

    private static int features(Tensor t) {
      return t.size(t.dim() - 1);
    }

    /**
     * For each example i of this capture, ∇θ ℓ_i · Σ_v ∇θ ℓ_v over the examples v of {@code other},
     * with ℓ whatever loss the captured gradients came from (a mean loss scales its rows by 1/B).
     * Each layer takes the cheaper of two associations of the same sum: the ghost form, (G_B G_Vᵀ)
     * ∘ (A_B A_Vᵀ + 1) row sums, B·V·(in + out) multiply-adds; or the direct form, which forms the
     * validation gradient G_Vᵀ A_V once (V·out·in) and then g_iᵀ (G_Vᵀ A_V) a_i for every row
     * (B·out·in), cheaper for narrow layers such as a 10-class head. With T positions, B and V
     * count flattened rows (B·T and V·T').
     *
     * @return B dot products
     */
    public double[] dotsWith(Capture other) {
      double[] dot = new double[batch];
      for (int l = 0; l < inputs.length; l++) {
        long rb = rows(l), rv = other.rows(l);
        int in = features(inputs[l]), out = features(gradOutputs[l]);
        // ghost form rb·rv·(in + out) multiply-adds vs direct form (rv + rb)·in·out: same sum
        double[] rows = rb * rv * (in + out) <= (rv + rb) * in * out ? ghostLayer(l, other) : directLayer(l, other);
        addPerExample(rows, steps(l), dot);
      }
      return dot;
    }

    /** Per flattened row r: Σ_c (g_r·g_c)(a_r·a_c + 1[bias]) over the rows c of the other batch. */
    private double[] ghostLayer(int l, Capture other) {
      int in = features(inputs[l]), out = features(gradOutputs[l]);
      int rb = rows(l), rv = other.rows(l), b0 = row0(l), v0 = other.row0(l);
      float[] gg = new float[rb * rv], aa = new float[rb * rv];
      Gemm.sgemm(false, true, rb, rv, out, 1f, gradOutputs[l].data(), b0 * out, out, other.gradOutputs[l].data(), v0 * out, out, 0f, gg, 0, rv); // G_B G_Vᵀ
      Gemm.sgemm(false, true, rb, rv, in, 1f, inputs[l].data(), b0 * in, in, other.inputs[l].data(), v0 * in, in, 0f, aa, 0, rv); // A_B A_Vᵀ
      double[] rows = new double[rb];
      for (int r = 0; r < rb; r++) {
        rows[r] = VecMath.dot(gg, r * rv, aa, r * rv, rv) + (hasBias[l] ? VecMath.sum(gg, r * rv, rv) : 0);
      }
      return rows;
    }

    /** Per flattened row r: g_rᵀ (G_Vᵀ A_V) a_r + g_r·Σ_c g_c, the validation gradient formed once. */
    private double[] directLayer(int l, Capture other) {
      int in = features(inputs[l]), out = features(gradOutputs[l]);
      int rv = other.rows(l), v0 = other.row0(l);
      float[] gv = other.gradOutputs[l].data(), wv = new float[out * in];
      Gemm.sgemm(true, false, out, in, rv, 1f, gv, v0 * out, out, other.inputs[l].data(), v0 * in, in, 0f, wv, 0, in); // G_Vᵀ A_V (out, in)
      float[] bv = null;
      if (hasBias[l]) {
        double[] acc = new double[out];
        for (int c = 0; c < rv; c++) for (int o = 0; o < out; o++) acc[o] += gv[(v0 + c) * out + o];
        bv = new float[out];
        for (int o = 0; o < out; o++) bv[o] = (float) acc[o];
      }
      return weightedRows(l, wv, bv);
    }

    /** Per flattened row r: g_rᵀ M a_r + g_r·m, for M (out, in) and m (out) or null. */
    private double[] weightedRows(int l, float[] m, float[] mBias) {
      int in = features(inputs[l]), out = features(gradOutputs[l]), rb = rows(l), b0 = row0(l);
      float[] a = inputs[l].data(), g = gradOutputs[l].data(), ga = new float[rb * in];
      Gemm.sgemm(false, false, rb, in, out, 1f, g, b0 * out, out, m, 0, in, 0f, ga, 0, in); // G M (rows, in)
      double[] rows = new double[rb];
      for (int r = 0; r < rb; r++) {
        rows[r] = VecMath.dot(ga, r * in, a, (b0 + r) * in, in) + (mBias != null ? VecMath.dot(g, (b0 + r) * out, mBias, 0, out) : 0);
      }
      return rows;
    }

    private static void addPerExample(double[] rows, int steps, double[] dot) {
      for (int r = 0; r < rows.length; r++) dot[r / steps] += rows[r];
    }

    /** ‖∇θ ℓ_i‖² per example: Σ_l Σ_{t,t'} (g_it·g_it')(a_it·a_it' + 1[bias]) (T = 1: ‖g_i‖²(‖a_i‖² + 1[bias])). */
    public double[] squaredNorms() {
      double[] sq = new double[batch];
      for (int l = 0; l < inputs.length; l++) {
        float[] a = inputs[l].data(), g = gradOutputs[l].data();
        int in = features(inputs[l]), out = features(gradOutputs[l]), t = steps(l), r0 = row0(l);
        for (int i = 0; i < batch; i++) {
          for (int p = 0; p < t; p++) {
            for (int q = 0; q < t; q++) {
              int rp = r0 + i * t + p, rq = r0 + i * t + q;
              double na = hasBias[l] ? 1 : 0, ng = 0;
              for (int k = 0; k < in; k++) na += (double) a[rp * in + k] * a[rq * in + k];
              for (int k = 0; k < out; k++) ng += (double) g[rp * out + k] * g[rq * out + k];
              sq[i] += na * ng;
            }
          }
        }
      }
      return sq;
    }

    /**
     * Σ_t g_itᵀ M_l a_it + g_it·m_l summed over layers, for per-layer matrices M_l (out, in) and
     * vectors m_l (out): the dot of each example's gradient with a full gradient-shaped direction
     * (used for the second-order term, where the direction is a Hessian-vector product).
     */
    public double[] dotsWithDirection(Tensor[] weightDir, Tensor[] biasDir) {
      double[] dot = new double[batch];
      for (int l = 0; l < inputs.length; l++) {
        addPerExample(weightedRows(l, weightDir[l].data(), biasDir[l] == null ? null : biasDir[l].data()), steps(l), dot);
      }
      return dot;
    }
  }
}
