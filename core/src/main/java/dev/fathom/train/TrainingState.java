package dev.fathom.train;

/** Where a run stands, saved beside each checkpoint so training can resume. */
public record TrainingState(int epochsDone, long step) {
  public TrainingState {
    if (epochsDone < 0 || step < 0) throw new IllegalArgumentException("TrainingState: negative epochsDone/step: " + epochsDone + ", " + step);
  }
}
