package dev.fathom.insight.sensitivity;

import java.util.Locale;

/**
 * What one probe run measured, one row of {@code results.csv}.
 *
 * @param task the task's name
 * @param length input length n
 * @param variant {@code direct} or {@code scratchpad}
 * @param sensitivity exact average sensitivity of what the model computes per output: as_n(f) for
 *     direct tasks, the mean per-step value for the scratchpad
 * @param accuracy test accuracy of the answer (for the scratchpad: the last running parity after
 *     greedy decoding, the model reading its own earlier outputs)
 * @param testLoss cross-entropy on the test inputs (teacher-forced for the scratchpad)
 * @param trainLoss mean training loss over the last {@link ProbeConfig#STOP_WINDOW} steps
 * @param sharpness {@link Sharpness} on the test inputs
 * @param paramNorm ‖θ‖₂ over all parameters
 * @param paramDistance ‖θ − θ₀‖₂, the distance training moved the parameters from initialization
 * @param lnBlowup {@link LayerNormBlowup#meanBlowup} on the test inputs, all positions
 * @param lnBlowupMax {@link LayerNormBlowup#maxBlowup} on the test inputs, all positions
 * @param lnBlowupAnswer {@link LayerNormBlowup#meanBlowup} at the position the answer is read from
 * @param steps optimizer steps taken (fewer than configured after an early stop)
 * @param seconds wall time of training and measuring
 */
public record ProbeResult(String task, int length, String variant, double sensitivity, double accuracy, double testLoss,
    double trainLoss, double sharpness, double paramNorm, double paramDistance, double lnBlowup, double lnBlowupMax,
    double lnBlowupAnswer, int steps, double seconds) {

  /** The CSV header matching {@link #csvRow}. */
  public static String csvHeader() {
    return "task,length,variant,sensitivity,accuracy,test_loss,train_loss,sharpness,param_norm,param_distance,ln_blowup,ln_blowup_max,"
        + "ln_blowup_answer,steps,seconds";
  }

  /** This result as one CSV line (no newline), numbers in the root locale. */
  public String csvRow() {
    return String.format(Locale.ROOT, "%s,%d,%s,%.6f,%.6f,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%.1f", task, length, variant,
        sensitivity, accuracy, testLoss, trainLoss, sharpness, paramNorm, paramDistance, lnBlowup, lnBlowupMax, lnBlowupAnswer, steps,
        seconds);
  }

  /** The label of the series this row belongs to: the task, or {@code parity+scratchpad}. */
  public String series() {
    return "scratchpad".equals(variant) ? task + "+scratchpad" : task;
  }
}
