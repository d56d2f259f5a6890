package dev.fathom.data;

import java.util.ArrayList;
import java.util.List;

/**
 * One source column of a {@link Table} and where it lands in the feature matrix: a numeric
 * column takes one feature column; a categorical column with k levels takes k one-hot columns,
 * named {@code name=level}.
 *
 * @param name the column's name in the file
 * @param categorical whether the column is categorical (one-hot) rather than numeric
 * @param levels the categories in one-hot order; empty for a numeric column
 * @param offset the index of the column's first feature column in a {@link Table} row
 */
public record ColumnInfo(String name, boolean categorical, List<String> levels, int offset) {
  /**
   * Validates and copies the levels.
   *
   * @throws IllegalArgumentException if the name is null, the offset negative, or a numeric
   *     column has levels
   */
  public ColumnInfo {
    if (name == null) {
      throw new IllegalArgumentException("ColumnInfo: name must not be null");
    }
    if (offset < 0) {
      throw new IllegalArgumentException("ColumnInfo '" + name + "': offset " + offset + " < 0");
    }
    levels = List.copyOf(levels);
    if (!categorical && !levels.isEmpty()) {
      throw new IllegalArgumentException(
          "ColumnInfo '" + name + "': a numeric column has no levels, got " + levels);
    }
  }

  /**
   * A numeric column.
   *
   * @param name the column name
   * @param offset its feature index
   * @return the column
   */
  public static ColumnInfo numeric(String name, int offset) {
    return new ColumnInfo(name, false, List.of(), offset);
  }

  /**
   * A categorical column, one-hot encoded over {@code levels}.
   *
   * @param name the column name
   * @param levels its categories, in one-hot order
   * @param offset the feature index of its first level
   * @return the column
   */
  public static ColumnInfo categorical(String name, List<String> levels, int offset) {
    return new ColumnInfo(name, true, levels, offset);
  }

  /**
   * The number of feature columns this column takes: 1 if numeric, else the number of levels.
   *
   * @return the width
   */
  public int width() {
    return categorical ? levels.size() : 1;
  }

  /**
   * The names of this column's feature columns: {@code name} if numeric, else
   * {@code name=level} for each level.
   *
   * @return the names, {@link #width()} of them
   */
  public List<String> featureNames() {
    if (!categorical) {
      return List.of(name);
    }
    List<String> out = new ArrayList<>(levels.size());
    for (String level : levels) {
      out.add(name + "=" + level);
    }
    return out;
  }
}
