package dev.fathom.optim;

import dev.fathom.kernel.Optimizers;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, Nesterov and L2 weight decay (torch.optim.SGD):
 *
 * <pre>
 * g = grad + weightDecay·p
 * b = first step ? g : momentum·b + (1 − dampening)·g
 * g = nesterov ? g + momentum·b : b
 * p = p − lr·g
 * </pre>
 */
public class Sgd extends Optimizer {
  private final SgdConfig config;
  private final float[][] momentumBuffers;
  private final boolean[] started;

  public Sgd(List<Tensor> params, SgdConfig config) {
    super(params, config.lr());
    this.config = config;
    this.momentumBuffers = new float[this.params.size()][];
    this.started = new boolean[this.params.size()];
    if (config.momentum() > 0) {
      for (int i = 0; i < momentumBuffers.length; i++) momentumBuffers[i] = new float[this.params.get(i).numel()];
    }
  }

  @Override
  public void step() {
    for (int i = 0; i < params.size(); i++) {
      Tensor p = params.get(i);
      if (p.grad() == null) continue;
      Optimizers.sgdStep(p.data(), p.grad().data(), momentumBuffers[i], p.numel(), (float) lr, (float) config.momentum(),
          (float) config.dampening(), (float) config.weightDecay(), config.nesterov(), !started[i]);
      started[i] = true;
    }
  }

  @Override
  protected void saveState(Map<String, Tensor> out) {
    for (int i = 0; i < params.size(); i++) {
      if (momentumBuffers[i] != null && started[i]) out.put("state." + i + ".momentum_buffer", Tensor.of(momentumBuffers[i].clone(), params.get(i).shape()));
    }
  }

  @Override
  protected void loadState(Map<String, Tensor> in) {
    for (int i = 0; i < params.size(); i++) {
      String key = "state." + i + ".momentum_buffer";
      if (momentumBuffers[i] != null && in.containsKey(key)) {
        restore(in, key, momentumBuffers[i]);
        started[i] = true;
      }
    }
  }
}
