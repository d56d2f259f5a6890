package dev.fathom.cli;

import dev.fathom.data.Batch;
import dev.fathom.data.TensorDataset;
import dev.fathom.tensor.Tensor;

/** The first {@code limit} examples of a dataset as one batch and int labels, for the xai commands. */
record LabeledExamples(Tensor x, int[] labels) {
  static LabeledExamples first(TensorDataset ds, int limit) {
    int n = limit <= 0 ? ds.size() : Math.min(limit, ds.size());
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    Batch b = ds.batch(idx);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) y[i] = (int) b.targets().getLong(i);
    return new LabeledExamples(b.inputs(), y);
  }
}
