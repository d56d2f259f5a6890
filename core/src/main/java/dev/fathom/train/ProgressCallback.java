package dev.fathom.train;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: a progress bar with loss and throughput on a terminal, or a plain
 * line every {@code logEvery} batches when output is not a terminal (CI logs), and a summary line
 * per epoch.
 */
public final class ProgressCallback implements Callback {
  private final PrintStream out;
  private final boolean terminal;
  private final int logEvery;
  private ProgressBar bar;
  private double smoothLoss = Double.NaN;

  public ProgressCallback(PrintStream out) {
    this(out, System.console() != null && System.console().isTerminal(), 100);
  }

  public ProgressCallback(PrintStream out, boolean terminal, int logEvery) {
    this.out = out;
    this.terminal = terminal;
    this.logEvery = logEvery;
  }

  @Override
  public void onStep(Trainer trainer, StepInfo s) {
    smoothLoss = Double.isNaN(smoothLoss) ? s.loss() : 0.95 * smoothLoss + 0.05 * s.loss();
    if (terminal) {
      if (bar == null) {
        bar = new ProgressBarBuilder().setTaskName("epoch " + (s.epoch() + 1) + "/" + trainer.config().epochs())
            .setInitialMax(s.batches()).setStyle(ProgressBarStyle.ASCII).setConsumer(
                new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250).build();
      }
      bar.stepTo(s.batch() + 1);
      bar.setExtraMessage(String.format(" loss %.4f  %.0f ex/s", smoothLoss, s.examplesPerSecond()));
    } else if ((s.batch() + 1) % logEvery == 0) {
      out.printf("epoch %d/%d  batch %d/%d  loss %.4f  %.0f ex/s%n", s.epoch() + 1, trainer.config().epochs(), s.batch() + 1,
          s.batches(), smoothLoss, s.examplesPerSecond());
    }
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) {
    if (bar != null) {
      bar.close();
      bar = null;
    }
    String val = Double.isNaN(r.valAccuracy()) ? "" : String.format("  test loss %.4f  test acc %.2f%%", r.valLoss(), 100 * r.valAccuracy());
    out.printf("epoch %d/%d  train loss %.4f  train acc %.2f%%%s  (%.1f s, %.0f ex/s, gc %.1f%%)%n", r.epoch(),
        trainer.config().epochs(), r.trainLoss(), 100 * r.trainAccuracy(), val, r.seconds(), r.examplesPerSecond(),
        100 * r.gcSeconds() / Math.max(r.seconds(), 1e-9));
  }
}
