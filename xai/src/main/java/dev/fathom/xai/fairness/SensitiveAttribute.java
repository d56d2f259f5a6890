package dev.fathom.xai.fairness;

import dev.fathom.data.ColumnInfo;
import dev.fathom.data.Table;
import java.math.BigDecimal;

/**
 * Which column of a {@link Table} holds the sensitive attribute, and how its values become
 * groups.
 *
 * <ul>
 *   <li>A categorical column: one group per level that occurs, named by the level (e.g.
 *       {@code personal_status}: {@code male single}, {@code female div/dep/mar}, ...).
 *   <li>A numeric column needs a threshold t and gives two groups, {@code column<t} and
 *       {@code column>=t} (e.g. {@code age<25}, {@code age>=25}, the split AIF360 uses for
 *       German credit).
 * </ul>
 *
 * A missing value (NaN in the table) puts the example in a group named {@code ?}, ARFF's mark
 * for a missing value, so it is counted rather than dropped.
 *
 * @param column the source column's name, as in the file (not a one-hot {@code column=level})
 * @param threshold for a numeric column, the threshold t; null for a categorical column
 */
public record SensitiveAttribute(String column, Double threshold) {
  /** The group name of examples whose sensitive value is missing. */
  public static final String MISSING = "?";

  /**
   * Validates the arguments.
   *
   * @throws IllegalArgumentException if the column is null or blank, or the threshold is NaN or
   *     infinite
   */
  public SensitiveAttribute {
    if (column == null || column.isBlank()) {
      throw new IllegalArgumentException("sensitive attribute: expected a column name, got " + (column == null ? "null" : "'" + column + "'"));
    }
    if (threshold != null && !Double.isFinite(threshold)) {
      throw new IllegalArgumentException("sensitive attribute '" + column + "': threshold must be a finite number, got " + threshold);
    }
  }

  /**
   * A categorical attribute.
   *
   * @param column the column name
   * @return the attribute
   */
  public static SensitiveAttribute categorical(String column) {
    return new SensitiveAttribute(column, null);
  }

  /**
   * A numeric attribute split at a threshold.
   *
   * @param column the column name
   * @param threshold t: groups {@code column<t} and {@code column>=t}
   * @return the attribute
   */
  public static SensitiveAttribute numeric(String column, double threshold) {
    return new SensitiveAttribute(column, threshold);
  }

  /**
   * The group of every row of a table (read before standardization, so thresholds are in the
   * file's units).
   *
   * @param table the table
   * @return one group per row
   * @throws IllegalArgumentException if the table has no such column (naming the columns it has),
   *     a numeric column has no threshold, a categorical one has a threshold, or all rows fall
   *     into a single group
   */
  public Groups groups(Table table) {
    ColumnInfo c = findColumn(table);
    int f = table.numFeatures();
    float[] x = table.features();
    String[] labels = new String[table.rows()];
    if (c.categorical()) {
      if (threshold != null) {
        throw new IllegalArgumentException("sensitive attribute '" + column + "' is categorical with levels " + c.levels()
            + "; a threshold (" + threshold + ") applies to numeric columns only");
      }
      for (int r = 0; r < labels.length; r++) {
        labels[r] = MISSING;
        for (int k = 0; k < c.width(); k++) {
          if (x[r * f + c.offset() + k] == 1f) {
            labels[r] = c.levels().get(k);
          }
        }
      }
    } else {
      if (threshold == null) {
        throw new IllegalArgumentException("sensitive attribute '" + column
            + "' is numeric; give a threshold t to split it into groups '" + column + "<t' and '" + column + ">=t'");
      }
      String t = BigDecimal.valueOf(threshold).stripTrailingZeros().toPlainString();
      for (int r = 0; r < labels.length; r++) {
        float v = x[r * f + c.offset()];
        labels[r] = Float.isNaN(v) ? MISSING : v < threshold ? column + "<" + t : column + ">=" + t;
      }
    }
    Groups g = Groups.of(labels);
    if (g.count() < 2) {
      throw new IllegalArgumentException("sensitive attribute '" + column + "': every one of the " + labels.length
          + " rows is in group '" + g.names().getFirst() + "', expected at least 2 groups");
    }
    return g;
  }

  private ColumnInfo findColumn(Table table) {
    for (ColumnInfo c : table.columns()) {
      if (c.name().equals(column)) {
        return c;
      }
    }
    String hint = table.targetName().equals(column) ? " ('" + column + "' is the target)" : "";
    throw new IllegalArgumentException("no column '" + column + "'" + hint + "; the columns are "
        + table.columns().stream().map(ColumnInfo::name).toList());
  }
}
