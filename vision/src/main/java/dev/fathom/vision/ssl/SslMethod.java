package dev.fathom.vision.ssl;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.Encoder;
import java.util.List;
import java.util.Map;

/**
 * A self-supervised pretraining method, as the {@link Pretrainer} drives it: a loss on a batch of
 * augmented views, the parameters it trains, and a hook after every optimizer step (BYOL's EMA).
 * The encoder is what the method leaves behind for the probes.
 */
public interface SslMethod {
  /** The method's name as the CLI and config.json spell it (simclr, byol, mae, ...). */
  String name();

  /** The encoder being trained. */
  Encoder encoder();

  /** Every module the method trains (the encoder and its heads); train/eval mode is set on it. */
  Module model();

  /** The parameters the optimizer updates. */
  List<Tensor> parameters();

  /**
   * The loss of one batch.
   *
   * @param views the batch's inputs, (V·N, C, H, W) view-major as {@code AugmentedDataset} makes them
   * @param viewCount the number of views V per example
   */
  Tensor loss(Tensor views, int viewCount);

  /** Views per example the method wants from the data pipeline (two for SimCLR and BYOL). */
  default int viewCount() {
    return 2;
  }

  /** Called after optimizer step {@code step} (0-based) of {@code totalSteps}. */
  default void afterStep(long step, long totalSteps) {}

  /**
   * Everything a resumed run needs besides {@link #model()}'s state dict and the optimizer's (BYOL:
   * the target network, which is not a registered child). Restored by {@link #loadExtraState}.
   */
  default Map<String, Tensor> extraState() {
    return Map.of();
  }

  /**
   * Restores what {@link #extraState} wrote.
   *
   * @throws IllegalArgumentException if an entry is missing or has the wrong shape
   */
  default void loadExtraState(Map<String, Tensor> state) {}
}
