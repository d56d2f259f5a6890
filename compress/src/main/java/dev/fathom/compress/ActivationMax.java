package dev.fathom.compress;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * max_n |X_nj| per input channel j of every linear projection of a layer over calibration inputs:
 * SmoothQuant's activation range and LLM.int8's outlier test both read it.
 */
final class ActivationMax {
  private ActivationMax() {}

  /** Runs {@code layer} on each of {@code inputs} and returns, per projection name (self_attn.q_proj, ...), max|X_j| (in). */
  static Map<String, float[]> collect(Module layer, List<Tensor> inputs) {
    Map<String, float[]> out = new LinkedHashMap<>();
    List<Runnable> handles = new ArrayList<>();
    for (Map.Entry<String, Linear> e : LayerwiseCalibration.linears(layer).entrySet()) {
      float[] m = new float[e.getValue().inFeatures];
      out.put(e.getKey(), m);
      handles.add(e.getValue().registerForwardPreHook((mod, x) -> {
        accumulate(m, x.toFloatArray());
        return null;
      }));
    }
    try (var g = Grad.disabled()) {
      inputs.forEach(layer::call);
    } finally {
      handles.forEach(Runnable::run);
    }
    return out;
  }

  /** m_j = max(m_j, |x_nj|) over the rows of x (rows, m.length) row-major. */
  static void accumulate(float[] m, float[] x) {
    int in = m.length;
    for (int r = 0; r < x.length / in; r++) for (int j = 0; j < in; j++) m[j] = Math.max(m[j], Math.abs(x[r * in + j]));
  }

  /** max_o |W_oj| per column j over all the given weights (each (out, in)), as SmoothQuant's weight range. */
  static float[] columnMax(List<Linear> ls) {
    float[] m = new float[ls.get(0).inFeatures];
    for (Linear l : ls) accumulate(m, l.weight.data());
    return m;
  }
}
