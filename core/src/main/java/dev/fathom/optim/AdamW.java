package dev.fathom.optim;

import dev.fathom.tensor.Tensor;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay, p = p − lr·weightDecay·p
 * before the Adam update, as torch.optim.AdamW.
 */
public class AdamW extends Adam {
  public AdamW(List<Tensor> params, AdamConfig config) {
    super(params, config, true);
  }
}
