package dev.fathom.train;

import java.io.IOException;

/** Hooks into the {@link Trainer} loop; every method has an empty default. */
public interface Callback {
  default void onTrainStart(Trainer trainer) throws IOException {}

  default void onStep(Trainer trainer, StepInfo step) throws IOException {}

  default void onEpochEnd(Trainer trainer, EpochResult result) throws IOException {}

  default void onTrainEnd(Trainer trainer) throws IOException {}
}
