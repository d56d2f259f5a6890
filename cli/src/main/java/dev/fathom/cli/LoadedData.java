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
    List<String> featureNames, Standardizer standardizer) {}
