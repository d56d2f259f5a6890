package dev.fathom.insight;

import dev.fathom.autograd.Grad;
import dev.fathom.kernel.Gemm;
import dev.fathom.nn.F;
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
 * parameters would be missing from the dot, so they are refused. Layer inputs must be 2-D
 * (batch, features).
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
          if (in.dim() != 2) {
            throw new IllegalArgumentException("ghost dot-product: Linear inputs must be (batch, features), got " + java.util.Arrays.toString(in.shape()));
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
   * One batch's layer inputs A_l (B, in_l) and output gradients G_l (B, out_l).
   *
   * @param hasBias per layer, whether its bias is a parameter
   */
  public record Capture(Tensor[] inputs, Tensor[] gradOutputs, boolean[] hasBias) {
    /** Rows of the batch. */
    public int batch() {
      return inputs[0].size(0);
    }

    /**
     * For each row i of this batch, ∇θ ℓ_i · Σ_v ∇θ ℓ_v over the rows v of {@code other}, with ℓ
     * whatever loss the captured gradients came from (a mean loss scales its rows by 1/B). Each
     * layer takes the cheaper of two associations of the same sum: the ghost form, (G_B G_Vᵀ) ∘
     * (A_B A_Vᵀ + 1) row sums, B·V·(in + out) multiply-adds; or the direct form, which forms the
     * validation gradient G_Vᵀ A_V once (V·out·in) and then g_iᵀ (G_Vᵀ A_V) a_i for every row
     * (B·out·in), cheaper for narrow layers such as a 10-class head.
     *
     * @return B dot products
     */
    public double[] dotsWith(Capture other) {
      int b = batch(), v = other.batch();
      double[] dot = new double[b];
      try (var g = Grad.disabled()) {
        for (int l = 0; l < inputs.length; l++) {
          int in = inputs[l].size(1), out = gradOutputs[l].size(1);
          boolean bias = hasBias[l];
          // ghost form B·V·(in + out) multiply-adds vs direct form (V + B)·in·out: same sum
          long ghost = (long) b * v * (in + out), direct = (long) (v + b) * in * out;
          if (ghost <= direct) ghostLayer(l, other, bias, dot);
          else directLayer(l, other, bias, dot);
        }
      }
      return dot;
    }

    /** dot_i += Σ_v (g_i·g_v)(a_i·a_v + 1[bias]): two (B, V) products. */
    private void ghostLayer(int l, Capture other, boolean bias, double[] dot) {
      int b = batch(), v = other.batch();
      float[] gg = F.linear(gradOutputs[l], other.gradOutputs[l], null).data(); // G_B G_Vᵀ (B, V), no transposed copy
      float[] aa = F.linear(inputs[l], other.inputs[l], null).data(); // A_B A_Vᵀ (B, V)
      for (int i = 0; i < b; i++) {
        double s = 0;
        for (int j = 0; j < v; j++) s += (double) gg[i * v + j] * (aa[i * v + j] + (bias ? 1 : 0));
        dot[i] += s;
      }
    }

    /** dot_i += g_iᵀ (G_Vᵀ A_V) a_i + g_i·Σ_v g_v: the validation gradient formed once. */
    private void directLayer(int l, Capture other, boolean bias, double[] dot) {
      int b = batch(), in = inputs[l].size(1), out = gradOutputs[l].size(1);
      int v = other.batch();
      float[] a = inputs[l].data(), gb = gradOutputs[l].data(), gv = other.gradOutputs[l].data();
      float[] wv = new float[out * in], ga = new float[b * in];
      Gemm.sgemm(true, false, out, in, v, 1f, gv, 0, out, other.inputs[l].data(), 0, in, 0f, wv, 0, in); // G_Vᵀ A_V (out, in)
      Gemm.sgemm(false, false, b, in, out, 1f, gb, 0, out, wv, 0, in, 0f, ga, 0, in); // G_B (G_Vᵀ A_V) (B, in)
      double[] bv = new double[out];
      if (bias) for (int j = 0; j < v; j++) for (int o = 0; o < out; o++) bv[o] += gv[j * out + o];
      for (int i = 0; i < b; i++) {
        double s = 0;
        for (int k = 0; k < in; k++) s += (double) ga[i * in + k] * a[i * in + k];
        if (bias) for (int o = 0; o < out; o++) s += gb[i * out + o] * bv[o];
        dot[i] += s;
      }
    }

    /** ‖∇θ ℓ_i‖² per row: Σ_l ‖g_i‖²(‖a_i‖² + 1[bias]). */
    public double[] squaredNorms() {
      int b = batch();
      double[] sq = new double[b];
      for (int l = 0; l < inputs.length; l++) {
        float[] a = inputs[l].data(), g = gradOutputs[l].data();
        int in = inputs[l].size(1), out = gradOutputs[l].size(1);
        for (int i = 0; i < b; i++) {
          double na = hasBias[l] ? 1 : 0, ng = 0;
          for (int k = 0; k < in; k++) na += (double) a[i * in + k] * a[i * in + k];
          for (int k = 0; k < out; k++) ng += (double) g[i * out + k] * g[i * out + k];
          sq[i] += na * ng;
        }
      }
      return sq;
    }

    /**
     * g_iᵀ M_l a_i + g_i·m_l summed over layers, for per-layer matrices M_l (out, in) and vectors
     * m_l (out): the dot of each row's gradient with a full gradient-shaped direction (used for
     * the second-order term, where the direction is a Hessian-vector product).
     */
    public double[] dotsWithDirection(Tensor[] weightDir, Tensor[] biasDir) {
      int b = batch();
      double[] dot = new double[b];
      try (var g = Grad.disabled()) {
        for (int l = 0; l < inputs.length; l++) {
          float[] ga = gradOutputs[l].matmul(weightDir[l]).data(); // (B, in) = G M
          float[] a = inputs[l].data();
          int in = inputs[l].size(1), out = gradOutputs[l].size(1);
          float[] gl = gradOutputs[l].data();
          float[] bd = biasDir[l] == null ? null : biasDir[l].data();
          for (int i = 0; i < b; i++) {
            double s = 0;
            for (int k = 0; k < in; k++) s += (double) ga[i * in + k] * a[i * in + k];
            if (bd != null) for (int k = 0; k < out; k++) s += (double) gl[i * out + k] * bd[k];
            dot[i] += s;
          }
        }
      }
      return dot;
    }
  }
}
