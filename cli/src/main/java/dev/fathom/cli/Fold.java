package dev.fathom.cli;

import dev.fathom.data.Split;

/**
 * {@code --fold K/N}: hold out fold K (1-based, as people count folds) of a stratified N-fold
 * partition instead of the default 80/20 split. {@code fathom train} and {@code fathom fairness}
 * given the same seed and fold see the same rows; over K = 1..N the held-out parts cover every
 * row once (cross-validation).
 *
 * @param index the held-out fold, 1-based
 * @param count N, the number of folds
 */
record Fold(int index, int count) {
  Fold {
    if (count < 2) throw new CliException("--fold: expected K/N with N >= 2 folds, got " + index + "/" + count);
    if (index < 1 || index > count) throw new CliException("--fold: expected K/N with 1 <= K <= N, got " + index + "/" + count);
  }

  /** Parses "K/N"; null stays null (the 80/20 split). */
  static Fold parse(String spec) {
    if (spec == null) return null;
    String[] parts = spec.split("/", -1);
    try {
      if (parts.length == 2) return new Fold(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new CliException("--fold: expected K/N (e.g. 3/5: hold out the third of five folds), got '" + spec + "'");
  }

  /** The split of rows with these labels: fold {@code index} held out. */
  Split split(int[] labels, long seed) {
    if (count > labels.length) throw new CliException("--fold: " + count + " folds need at least " + count + " rows, the data has " + labels.length);
    return Split.stratifiedFold(labels, count, index - 1, seed);
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
