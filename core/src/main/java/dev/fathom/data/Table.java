package dev.fathom.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A tabular data set as plain arrays: a row-major feature matrix and one target column, read by
 * {@link CsvReader} or {@link ArffReader}.
 *
 * <p>Features: each numeric source column is one feature column; each categorical column is
 * one-hot expanded into one feature column per level, named {@code column=level} (e.g.
 * {@code purpose=new car}); {@link #columns()} keeps the mapping. A missing value is
 * {@link Float#NaN}: in a numeric feature column, or in every one-hot column of a categorical
 * column. The readers leave missing values missing; {@link #imputed(int[])} fills them with the
 * mean (numeric) or mode (categorical) of the rows it is given, which should be the training
 * rows only, so nothing of the test rows leaks into training.
 *
 * <p>Target: for classification {@link #labels()} holds class indices into
 * {@link #classNames()} and {@link #targets()} is null; for regression {@link #targets()}
 * holds the values, {@link #labels()} is null and {@link #classNames()} is empty.
 *
 * <p>The arrays are shared, not copied.
 *
 * @param columns the source feature columns (the target excluded), in file order
 * @param rows the number of rows, N
 * @param features (N, F) row-major, F = {@link #numFeatures()}; NaN marks a missing value
 * @param targetName the name of the target column
 * @param classNames the class names, index = class index; empty for regression
 * @param labels (N) class indices, or null for regression
 * @param targets (N) regression targets, or null for classification
 */
public record Table(
    List<ColumnInfo> columns,
    int rows,
    float[] features,
    String targetName,
    List<String> classNames,
    int[] labels,
    float[] targets) {

  /**
   * Validates the shapes.
   *
   * @throws IllegalArgumentException if the column offsets are not contiguous, the feature
   *     matrix is not rows x features, both or neither target arrays are given, or a label is out
   *     of range
   */
  public Table {
    columns = List.copyOf(columns);
    classNames = List.copyOf(classNames);
    int width = 0;
    for (ColumnInfo c : columns) {
      if (c.offset() != width) {
        throw new IllegalArgumentException(
            "Table: column '" + c.name() + "' has offset " + c.offset() + ", expected " + width);
      }
      width += c.width();
    }
    if (rows < 0 || features.length != (long) rows * width) {
      throw new IllegalArgumentException(
          "Table: " + rows + " rows x " + width + " features need " + (long) rows * width
              + " values, got " + features.length);
    }
    if ((labels == null) == (targets == null)) {
      throw new IllegalArgumentException("Table: exactly one of labels and targets must be given");
    }
    if (labels != null) {
      if (labels.length != rows) {
        throw new IllegalArgumentException(
            "Table: " + rows + " rows but " + labels.length + " labels");
      }
      for (int i = 0; i < rows; i++) {
        if (labels[i] < 0 || labels[i] >= classNames.size()) {
          throw new IllegalArgumentException(
              "Table: label " + labels[i] + " of row " + i + " is not in [0, "
                  + classNames.size() + ")");
        }
      }
    } else {
      if (targets.length != rows) {
        throw new IllegalArgumentException(
            "Table: " + rows + " rows but " + targets.length + " targets");
      }
      if (!classNames.isEmpty()) {
        throw new IllegalArgumentException("Table: a regression table has no class names");
      }
    }
  }

  /**
   * The number of feature columns F, after one-hot expansion.
   *
   * @return F
   */
  public int numFeatures() {
    if (columns.isEmpty()) {
      return 0;
    }
    ColumnInfo last = columns.getLast();
    return last.offset() + last.width();
  }

  /**
   * The names of the F feature columns: a numeric column's name, or {@code column=level}.
   *
   * @return F names in feature order
   */
  public List<String> featureNames() {
    List<String> out = new ArrayList<>(numFeatures());
    for (ColumnInfo c : columns) {
      out.addAll(c.featureNames());
    }
    return out;
  }

  /**
   * The index of a feature column by name, e.g. {@code "age"} or {@code "purpose=new car"}.
   *
   * @param featureName the name
   * @return its index in a row, or -1 if there is no such feature
   */
  public int featureIndex(String featureName) {
    return featureNames().indexOf(featureName);
  }

  /**
   * A source column by name.
   *
   * @param name the column's name in the file
   * @return the column
   * @throws IllegalArgumentException if there is no such feature column, listing those there are
   */
  public ColumnInfo column(String name) {
    for (ColumnInfo c : columns) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "Table: no feature column '" + name + "'; columns are "
            + columns.stream().map(ColumnInfo::name).toList());
  }

  /**
   * Whether the target is a class label (else a regression value).
   *
   * @return true for classification
   */
  public boolean isClassification() {
    return labels != null;
  }

  /**
   * The number of classes; 0 for regression.
   *
   * @return the class count
   */
  public int numClasses() {
    return classNames.size();
  }

  /**
   * The number of missing cells, counting a categorical cell once.
   *
   * @return how many source values are missing
   */
  public int missingCount() {
    int f = numFeatures();
    int missing = 0;
    for (int r = 0; r < rows; r++) {
      for (ColumnInfo c : columns) {
        if (c.width() > 0 && Float.isNaN(features[r * f + c.offset()])) {
          missing++;
        }
      }
    }
    return missing;
  }

  /**
   * The rows at the given indices, in that order, as a new table with copied arrays.
   *
   * @param rowIndices indices into this table, repeats allowed
   * @return the selected rows
   * @throws IndexOutOfBoundsException if an index is outside [0, rows)
   */
  public Table select(int[] rowIndices) {
    int f = numFeatures();
    float[] x = new float[rowIndices.length * f];
    int[] y = labels == null ? null : new int[rowIndices.length];
    float[] t = targets == null ? null : new float[rowIndices.length];
    for (int i = 0; i < rowIndices.length; i++) {
      int r = Objects.checkIndex(rowIndices[i], rows);
      System.arraycopy(features, r * f, x, i * f, f);
      if (y != null) {
        y[i] = labels[r];
      } else {
        t[i] = targets[r];
      }
    }
    return new Table(columns, rowIndices.length, x, targetName, classNames, y, t);
  }

  /**
   * A copy with every missing value filled from the statistics of {@code fitRows}: the mean of a
   * numeric column's present values (0 if none are present), or the most frequent level of a
   * categorical column (the first level on a tie or if none are present), one-hot.
   *
   * @param fitRows the rows whose statistics are used, normally the training rows
   * @return a new table without NaN; this table is unchanged
   * @throws IndexOutOfBoundsException if a row index is outside [0, rows)
   */
  public Table imputed(int[] fitRows) {
    int f = numFeatures();
    float[] x = features.clone();
    for (ColumnInfo c : columns) {
      int o = c.offset();
      if (!c.categorical()) {
        double sum = 0;
        int n = 0;
        for (int r : fitRows) {
          float v = features[Objects.checkIndex(r, rows) * f + o];
          if (!Float.isNaN(v)) {
            sum += v;
            n++;
          }
        }
        float fill = n == 0 ? 0f : (float) (sum / n);
        for (int r = 0; r < rows; r++) {
          if (Float.isNaN(x[r * f + o])) {
            x[r * f + o] = fill;
          }
        }
      } else if (c.width() > 0) {
        long[] counts = new long[c.width()];
        for (int r : fitRows) {
          int base = Objects.checkIndex(r, rows) * f + o;
          for (int k = 0; k < c.width(); k++) {
            if (features[base + k] == 1f) {
              counts[k]++;
            }
          }
        }
        int mode = 0;
        for (int k = 1; k < counts.length; k++) {
          if (counts[k] > counts[mode]) {
            mode = k;
          }
        }
        for (int r = 0; r < rows; r++) {
          int base = r * f + o;
          if (Float.isNaN(x[base])) {
            for (int k = 0; k < c.width(); k++) {
              x[base + k] = k == mode ? 1f : 0f;
            }
          }
        }
      }
    }
    return new Table(columns, rows, x, targetName, classNames, labels, targets);
  }

  /**
   * A copy with missing values filled from the statistics of all rows; see
   * {@link #imputed(int[])}. Use it only when no test rows are among this table's rows.
   *
   * @return a new table without NaN
   */
  public Table imputed() {
    int[] all = new int[rows];
    for (int i = 0; i < rows; i++) {
      all[i] = i;
    }
    return imputed(all);
  }
}
