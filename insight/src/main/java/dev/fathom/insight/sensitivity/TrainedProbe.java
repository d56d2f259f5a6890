package dev.fathom.insight.sensitivity;

/**
 * A model trained by {@link SensitivityProbe#train}, ready for {@link SensitivityProbe#measure}
 * (which may be called again, e.g. with other sharpness settings in {@code config}).
 *
 * @param task the task it was trained on
 * @param scratchpad whether it was trained with the parity scratchpad
 * @param model the trained model (in eval mode)
 * @param config the settings of training and of the measurements
 * @param trainLoss mean training loss over the last {@link ProbeConfig#STOP_WINDOW} steps
 * @param steps optimizer steps taken
 * @param distanceFromInit ‖θ − θ₀‖₂, how far training moved the parameters from their initialization
 * @param trainSeconds wall time of training
 */
public record TrainedProbe(BooleanTask task, boolean scratchpad, BitTransformer model, ProbeConfig config, double trainLoss,
    int steps, double distanceFromInit, double trainSeconds) {
  /** The same model measured under other settings (the training fields of {@code other} are not used). */
  public TrainedProbe withConfig(ProbeConfig other) {
    return new TrainedProbe(task, scratchpad, model, other, trainLoss, steps, distanceFromInit, trainSeconds);
  }
}
