package dev.fathom.cli;

import dev.fathom.data.Standardizer;
import dev.fathom.data.TensorDataset;
import java.util.List;

/**
 * Training and test examples ready for a model, with what a checkpoint must remember to prepare
 * new inputs the same way.
 *
 * @param featureNames tabular only (empty for images)
 * @param standardizer tabular only (null for images)
 */
record LoadedData(String source, String target, TensorDataset train, TensorDataset test, int[] inputShape, List<String> classNames,
    List<String> featureNames, Standardizer standardizer) {
  /** The first n training and n test examples (all of a split that has fewer). */
  LoadedData limit(int n) {
    return new LoadedData(source, target, first(train, n), first(test, n), inputShape, classNames, featureNames, standardizer);
  }

  private static TensorDataset first(TensorDataset d, int n) {
    return d.size() <= n ? d : d.subset(java.util.stream.IntStream.range(0, n).toArray());
  }
}
