package dev.fathom.data;

import dev.fathom.io.FormatException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Standardizes chosen columns of a row-major feature matrix: {@code z = (x - mean) / std}, with
 * the mean and the population standard deviation (divisor n, as scikit-learn's StandardScaler)
 * fitted on training rows only. A column with standard deviation 0 gets std 1, so it is only
 * centred.
 *
 * <p>A model checkpoint stores it with {@link #toMap()} (plain numbers and lists, ready for
 * JSON) and restores it with {@link #fromMap(Map)}.
 *
 * @param width the number of columns F of the matrices it applies to
 * @param columns the standardized column indices, each in [0, F)
 * @param mean the fitted mean of each of {@code columns}
 * @param std the fitted standard deviation of each of {@code columns}, each finite and &gt; 0
 */
public record Standardizer(int width, int[] columns, double[] mean, double[] std) {
  /**
   * Validates the parameters.
   *
   * @throws IllegalArgumentException if the arrays differ in length, a column is outside
   *     [0, width) or repeated, a mean is not finite, or a std is not finite and positive
   */
  public Standardizer {
    if (columns.length != mean.length || columns.length != std.length) {
      throw new IllegalArgumentException(
          "Standardizer: " + columns.length + " columns, " + mean.length + " means and "
              + std.length + " stds, expected equal counts");
    }
    boolean[] seen = new boolean[Math.max(width, 0)];
    for (int i = 0; i < columns.length; i++) {
      int c = columns[i];
      if (c < 0 || c >= width) {
        throw new IllegalArgumentException(
            "Standardizer: column " + c + " is outside [0, " + width + ")");
      }
      if (seen[c]) {
        throw new IllegalArgumentException("Standardizer: column " + c + " appears twice");
      }
      seen[c] = true;
      if (!Double.isFinite(mean[i]) || !Double.isFinite(std[i]) || std[i] <= 0) {
        throw new IllegalArgumentException(
            "Standardizer: column " + c + " has mean " + mean[i] + " and std " + std[i]
                + ", expected a finite mean and a finite std > 0");
      }
    }
  }

  /**
   * Fits mean and standard deviation of {@code columns} over {@code rows}.
   *
   * @param x (N, F) row-major
   * @param width F
   * @param columns the columns to standardize
   * @param rows the rows to fit on, normally the training rows; at least one
   * @return the fitted standardizer
   * @throws IllegalArgumentException if {@code rows} is empty, a row is outside the matrix, or
   *     a fitted value is NaN (a missing value: impute first, see {@link Table#imputed(int[])})
   */
  public static Standardizer fit(float[] x, int width, int[] columns, int[] rows) {
    if (!fits(x, width)) {
      throw new IllegalArgumentException(
          "Standardizer.fit: " + x.length + " values are not rows of width " + width);
    }
    if (rows.length == 0) {
      throw new IllegalArgumentException("Standardizer.fit: no rows to fit on");
    }
    int n = width == 0 ? 0 : x.length / width;
    double[] mean = new double[columns.length];
    double[] std = new double[columns.length];
    for (int i = 0; i < columns.length; i++) {
      int c = columns[i];
      double sum = 0;
      for (int r : rows) {
        if (r < 0 || r >= n) {
          throw new IllegalArgumentException(
              "Standardizer.fit: row " + r + " is outside [0, " + n + ")");
        }
        float v = x[r * width + c];
        if (Float.isNaN(v)) {
          throw new IllegalArgumentException(
              "Standardizer.fit: row " + r + " column " + c + " is NaN (missing); impute before"
                  + " fitting");
        }
        sum += v;
      }
      double m = sum / rows.length;
      double squares = 0;
      for (int r : rows) {
        double d = x[r * width + c] - m;
        squares += d * d;
      }
      double s = Math.sqrt(squares / rows.length);
      mean[i] = m;
      std[i] = s > 0 && Double.isFinite(s) ? s : 1.0;
    }
    return new Standardizer(width, columns, mean, std);
  }

  /**
   * Fits on the numeric feature columns of a table (one-hot columns are left as they are).
   *
   * @param table the table, without missing values in {@code rows}
   * @param rows the rows to fit on, normally the training rows
   * @return the fitted standardizer
   * @throws IllegalArgumentException as for {@link #fit(float[], int, int[], int[])}
   */
  public static Standardizer fit(Table table, int[] rows) {
    int[] numeric =
        table.columns().stream()
            .filter(c -> !c.categorical())
            .mapToInt(ColumnInfo::offset)
            .toArray();
    return fit(table.features(), table.numFeatures(), numeric, rows);
  }

  /**
   * Standardizes every row of {@code x} in place.
   *
   * @param x (N, F) row-major, F = {@link #width()}
   * @throws IllegalArgumentException if {@code x.length} is not a multiple of F
   */
  public void transform(float[] x) {
    if (!fits(x, width)) {
      throw new IllegalArgumentException(
          "Standardizer.transform: " + x.length + " values are not rows of width " + width);
    }
    for (int i = 0; i < columns.length; i++) {
      int c = columns[i];
      float m = (float) mean[i];
      float inv = (float) (1.0 / std[i]);
      for (int base = 0; base < x.length; base += width) {
        x[base + c] = (x[base + c] - m) * inv;
      }
    }
  }

  /**
   * Standardizes a table's feature matrix in place.
   *
   * @param table a table with {@link #width()} features
   * @throws IllegalArgumentException if the table has another number of features
   */
  public void transform(Table table) {
    if (table.numFeatures() != width) {
      throw new IllegalArgumentException(
          "Standardizer.transform: fitted on " + width + " features, the table has "
              + table.numFeatures());
    }
    transform(table.features());
  }

  /**
   * The parameters as plain JSON-ready values: {@code width} (Integer), {@code columns} (list of
   * Integer), {@code mean} and {@code std} (lists of Double).
   *
   * @return a new map, in that key order
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("width", width);
    m.put("columns", Arrays.stream(columns).boxed().toList());
    m.put("mean", Arrays.stream(mean).boxed().toList());
    m.put("std", Arrays.stream(std).boxed().toList());
    return m;
  }

  /**
   * Restores a standardizer from {@link #toMap()}'s form, as a JSON parser returns it (numbers
   * of any boxed type, lists).
   *
   * @param map the map
   * @return the standardizer
   * @throws FormatException if a key is missing, a value has the wrong type, or the values are
   *     inconsistent
   */
  public static Standardizer fromMap(Map<String, ?> map) throws FormatException {
    Object w = map.get("width");
    if (!(w instanceof Number width)) {
      throw new FormatException("standardizer: key 'width' must be a number, got " + describe(w));
    }
    double[] columns = numbers(map, "columns");
    int[] cols = new int[columns.length];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = (int) columns[i];
      if (cols[i] != columns[i]) {
        throw new FormatException(
            "standardizer: columns[" + i + "] is " + columns[i] + ", expected an integer");
      }
    }
    try {
      return new Standardizer(width.intValue(), cols, numbers(map, "mean"), numbers(map, "std"));
    } catch (IllegalArgumentException e) {
      throw new FormatException("standardizer: " + e.getMessage(), e);
    }
  }

  private static double[] numbers(Map<String, ?> map, String key) throws FormatException {
    Object v = map.get(key);
    if (!(v instanceof List<?> list)) {
      throw new FormatException(
          "standardizer: key '" + key + "' must be a list of numbers, got " + describe(v));
    }
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number num)) {
        throw new FormatException(
            "standardizer: " + key + "[" + i + "] must be a number, got " + describe(list.get(i)));
      }
      out[i] = num.doubleValue();
    }
    return out;
  }

  private static boolean fits(float[] x, int width) {
    return width > 0 ? x.length % width == 0 : width == 0 && x.length == 0;
  }

  private static String describe(Object o) {
    return o == null ? "nothing" : o.getClass().getSimpleName() + " " + o;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardizer s
        && width == s.width
        && Arrays.equals(columns, s.columns)
        && Arrays.equals(mean, s.mean)
        && Arrays.equals(std, s.std);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {width, Arrays.hashCode(columns), Arrays.hashCode(mean),
        Arrays.hashCode(std)});
  }

  @Override
  public String toString() {
    return "Standardizer[width=" + width + ", columns=" + Arrays.toString(columns) + "]";
  }
}
