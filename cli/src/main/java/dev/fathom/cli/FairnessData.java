package dev.fathom.cli;

import dev.fathom.data.Split;
import dev.fathom.data.Standardizer;
import dev.fathom.data.Table;
import dev.fathom.io.FormatException;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.xai.Predictors;
import dev.fathom.xai.fairness.Groups;
import dev.fathom.xai.fairness.SensitiveAttribute;
import java.io.IOException;
import java.util.Arrays;

/**
 * What {@code fathom fairness} works on: every row of the table prepared as the checkpoint says,
 * the favorable outcome as 0/1, the sensitive group of each row, the checkpoint's scores, and the
 * train/test split of {@code fathom train} with the same seed.
 *
 * @param x (N, F) standardized features, as the checkpoint sees them
 * @param favorable (N) 1 where the true class is the favorable one
 * @param groups the sensitive group of each row
 * @param scores (N) the checkpoint's P(favorable class | x)
 * @param decisions (N) 1 where the checkpoint's predicted class (argmax) is the favorable one
 * @param split the rows the checkpoint was trained on and the held-out test rows
 * @param favorableClass the favorable class's name
 */
record FairnessData(double[][] x, int[] favorable, Groups groups, double[] scores, double[] decisions, Split split,
    String favorableClass) {

  static FairnessData load(ModelLoader m, String data, SensitiveAttribute attribute, String favorableOrNull, long seed, Fold fold)
      throws IOException {
    ClassifierConfig c = m.config();
    if (c.featureNames().isEmpty()) {
      throw new CliException("--model: the model was trained on images; fairness needs a tabular classifier (fathom train --data FILE.arff --model mlp)");
    }
    Table t = DataSources.readTable(data, c.target());
    Groups groups;
    try {
      groups = attribute.groups(t);
    } catch (IllegalArgumentException e) {
      throw new CliException("--sensitive: " + e.getMessage());
    }
    String fav = favorableOrNull != null ? favorableOrNull : c.classNames().getFirst();
    int favIndex = c.classNames().indexOf(fav);
    if (favIndex < 0) throw new CliException("--favorable: no class '" + fav + "'; the model's classes are " + c.classNames());
    int[] labels = DataSources.classIndices(c, t, data);
    float[] flat = DataSources.tabularFeatures(c, t);
    int n = t.rows(), f = c.featureNames().size(), k = c.numClasses();
    double[][] x = new double[n][f];
    int[] yFav = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) x[i][j] = flat[i * f + j];
      yFav[i] = labels[i] == favIndex ? 1 : 0;
    }
    double[][] p = Predictors.probabilities(m.model(), f).predict(x);
    double[] scores = new double[n], decisions = new double[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) if (p[i][j] > p[i][best]) best = j;
      scores[i] = p[i][favIndex];
      decisions[i] = best == favIndex ? 1 : 0;
    }
    Split split = DataSources.split(t, seed, fold);
    checkSplit(c, t, split, data, seed, fold);
    return new FairnessData(x, yFav, groups, scores, decisions, split, fav);
  }

  /**
   * The checkpoint does not store its seed, but its standardizer was fitted on exactly the
   * training rows of its split: fitting again on this seed's training rows must give the same
   * means, or the "test" rows would include rows the model was trained on.
   */
  private static void checkSplit(ClassifierConfig c, Table t, Split split, String data, long seed, Fold fold) throws FormatException {
    if (c.standardizer() == null) return;
    Standardizer saved = Standardizer.fromMap(c.standardizer()), again = Standardizer.fit(t.imputed(split.train()), split.train());
    if (saved.width() != t.numFeatures() || !Arrays.equals(saved.columns(), again.columns())) {
      throw new CliException("--data: " + data + " has " + t.numFeatures() + " feature columns laid out differently from the "
          + saved.width() + " the model was trained on; give the file given to fathom train");
    }
    for (int i = 0; i < saved.columns().length; i++) {
      if (Math.abs(again.mean()[i] - saved.mean()[i]) > 1e-9 * Math.max(1, Math.abs(saved.mean()[i]))) {
        throw new CliException("--seed " + seed + (fold == null ? "" : " --fold " + fold) + " does not give the split the model was trained on (mean of '"
            + t.featureNames().get(saved.columns()[i]) + "' over its training rows: " + again.mean()[i] + ", the model's standardizer has "
            + saved.mean()[i] + "); give the --seed (and --fold) that fathom train used, so the test rows are rows the model has not seen");
      }
    }
  }

  static double[] pick(double[] v, int[] rows) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) out[i] = v[rows[i]];
    return out;
  }

  static int[] pick(int[] v, int[] rows) {
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) out[i] = v[rows[i]];
    return out;
  }

  static double[][] pick(double[][] v, int[] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) out[i] = v[rows[i]];
    return out;
  }
}
