package dev.fathom.xai.robust;

import dev.fathom.data.Batch;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.Output;
import java.util.function.UnaryOperator;

/**
 * Adversarial training (Madry et al. 2018): minimize the loss on the worst case in the ε-ball,
 * min_θ E max_{‖δ‖≤ε} ℓ(f_θ(x + δ), y), with the inner maximum approximated by PGD. Plugs into
 * {@link dev.fathom.train.Trainer#transformBatches}: each training batch is replaced by its PGD
 * examples, found with the model in eval mode (running batch-norm statistics, no dropout) and
 * frozen weights; the trainer then steps on them in training mode.
 *
 * <p>Each batch gets a different random start (the seed advances per batch), so the attack does not
 * repeat itself across epochs.
 */
public final class AdversarialTraining {
  private AdversarialTraining() {}

  /**
   * @param model the model being trained
   * @param inputShape one example's shape
   * @param attack the inner maximization (e.g. {@code PgdConfig.linf(0.1, 7, 1, seed)})
   */
  public static UnaryOperator<Batch> pgd(Module model, int[] inputShape, PgdConfig attack) {
    GradientModel gm = new GradientModel(model::call, model.parameters(), inputShape, Output.LOG_PROBABILITY, 1 << 16);
    long[] calls = {0};
    return b -> {
      model.eval();
      Pgd pgd = new Pgd(attack.withSeed(attack.seed() + 0x9E3779B97F4A7C15L * ++calls[0]));
      Tensor t = b.targets();
      int[] y = new int[t.numel()];
      for (int i = 0; i < y.length; i++) y[i] = (int) t.getLong(i);
      Tensor adv = pgd.perturb(gm, b.inputs(), y);
      return new Batch(adv, t);
    };
  }
}
