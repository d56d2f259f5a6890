/**
 * Data: readers that turn files into plain arrays, and the dataset and loader types that wrap
 * those arrays as tensors for training. The readers never touch a tensor.
 *
 * <p>Readers, where to start reading:
 *
 * <ul>
 *   <li>{@link dev.fathom.data.IdxReader} and {@link dev.fathom.data.IdxArray}: IDX files (MNIST
 *       format), plain or gzip, validated against hostile headers.
 *   <li>{@link dev.fathom.data.FashionMnist}: finds (or downloads, with a checksum) and loads
 *       Fashion-MNIST as images (N, 784) in [0, 1] plus labels (N).
 *   <li>{@link dev.fathom.data.CsvReader} and {@link dev.fathom.data.ArffReader}: tabular files
 *       into a {@link dev.fathom.data.Table}: a row-major feature matrix (N, F) with categorical
 *       columns one-hot expanded, missing values as NaN, and a class or regression target.
 *   <li>{@link dev.fathom.data.Split}, {@link dev.fathom.data.Table#imputed(int[])} and {@link
 *       dev.fathom.data.Standardizer}: the order of work on a table: split, then impute and
 *       standardize with statistics of the training rows only.
 * </ul>
 *
 * <p>Shape letters: N rows (examples), F feature columns after one-hot expansion.
 *
 * <p>Every malformed input raises {@link dev.fathom.io.FormatException} with the file and, for
 * text formats, the line.
 */
package dev.fathom.data;
