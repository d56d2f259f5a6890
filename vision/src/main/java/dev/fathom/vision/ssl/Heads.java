package dev.fathom.vision.ssl;

import dev.fathom.nn.Activation;
import dev.fathom.nn.BatchNorm1d;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;

/** The MLP heads of SimCLR and BYOL (projector, predictor). */
public final class Heads {
  private Heads() {}

  /**
   * Linear → BatchNorm1d → ReLU → Linear, as {@code torch.nn.Sequential} (keys {@code 0.weight},
   * {@code 1.running_mean}, {@code 3.weight}, ...): SimCLR v2's and BYOL's projector/predictor.
   *
   * @param in input width
   * @param hidden hidden width
   * @param out output width
   */
  public static Sequential mlp(int in, int hidden, int out, Rng rng) {
    return new Sequential(new Linear(in, hidden, rng), new BatchNorm1d(hidden), Activation.relu(), new Linear(hidden, out, rng));
  }
}
