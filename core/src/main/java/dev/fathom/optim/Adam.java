package dev.fathom.optim;

import dev.fathom.kernel.Optimizers;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) with L2 weight decay added to the gradient, as torch.optim.Adam:
 *
 * <pre>
 * g = grad + weightDecay·p
 * m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
 * p = p − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + eps)
 * </pre>
 *
 * {@link AdamW} decouples the decay instead. The update runs as one fused pass per parameter.
 */
public class Adam extends Optimizer {
  protected final AdamConfig config;
  private final boolean decoupled;
  private final float[][] m, v;
  private final int[] steps;

  public Adam(List<Tensor> params, AdamConfig config) {
    this(params, config, false);
  }

  protected Adam(List<Tensor> params, AdamConfig config, boolean decoupled) {
    super(params, config.lr());
    this.config = config;
    this.decoupled = decoupled;
    int n = this.params.size();
    this.m = new float[n][];
    this.v = new float[n][];
    this.steps = new int[n];
    for (int i = 0; i < n; i++) {
      m[i] = new float[this.params.get(i).numel()];
      v[i] = new float[this.params.get(i).numel()];
    }
  }

  @Override
  public void step() {
    for (int i = 0; i < params.size(); i++) {
      Tensor p = params.get(i);
      if (p.grad() == null) continue;
      steps[i]++;
      Optimizers.adamStep(p.data(), p.grad().data(), m[i], v[i], p.numel(), (float) lr, (float) config.beta1(),
          (float) config.beta2(), (float) config.eps(), (float) config.weightDecay(), decoupled, steps[i]);
    }
  }

  @Override
  protected void saveState(Map<String, Tensor> out) {
    for (int i = 0; i < params.size(); i++) {
      if (steps[i] == 0) continue;
      int[] s = params.get(i).shape();
      out.put("state." + i + ".step", Tensor.ofLongs(new long[] {steps[i]}));
      out.put("state." + i + ".exp_avg", Tensor.of(m[i].clone(), s));
      out.put("state." + i + ".exp_avg_sq", Tensor.of(v[i].clone(), s));
    }
  }

  @Override
  protected void loadState(Map<String, Tensor> in) {
    for (int i = 0; i < params.size(); i++) {
      Tensor step = in.get("state." + i + ".step");
      if (step == null) continue;
      steps[i] = (int) step.getLong(0);
      restore(in, "state." + i + ".exp_avg", m[i]);
      restore(in, "state." + i + ".exp_avg_sq", v[i]);
    }
  }
}
