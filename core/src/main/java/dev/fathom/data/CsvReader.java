package dev.fathom.data;

import dev.fathom.data.TableAssembler.Kind;
import dev.fathom.data.TableAssembler.Spec;
import dev.fathom.io.FormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a CSV file (RFC 4180) with a header row into a {@link Table}.
 *
 * <p>Syntax: fields separated by commas; a field may be quoted with {@code "}, inside which
 * commas, line breaks and doubled quotes {@code ""} (one quote) may appear; spaces around a
 * quoted field are ignored; unquoted fields are trimmed. Lines end with LF, CRLF or CR; blank
 * lines are skipped; a UTF-8 byte order mark is dropped. The text must be UTF-8; a gzip-compressed
 * file (recognised by its magic bytes) is read through gunzip.
 *
 * <p>Types: a column is numeric if its first present value is a number, else categorical
 * (one-hot over its sorted distinct values); a later value that is not a number in a numeric
 * column is an error. An empty field ({@code ,,} or {@code ""}) is a missing value (NaN in the
 * table, see {@link Table}).
 *
 * <p>Target: the named column; without a name, the column named {@code label} (any case), else
 * the last column. A categorical target is a class label (classes sorted by name). A numeric
 * target whose values are all integers with at most 20 distinct values is a class label too
 * (classes in numeric order, named like {@code "3"}); any other numeric target is a regression
 * target. A row without a target value is an error.
 */
public final class CsvReader {
  private CsvReader() {}

  /**
   * Reads a CSV file, inferring column types.
   *
   * @param path the file
   * @param targetOrNull the target column's name, or null for the default described above
   * @return the table, rows in file order
   * @throws FormatException with file and line if the file is empty, has no data rows, a row has
   *     a different number of fields than the header, a quote is not closed, a numeric column
   *     holds a non-number, the header repeats or omits a name, or the target is not a column
   * @throws IOException if the file cannot be read
   */
  public static Table read(Path path, String targetOrNull) throws IOException {
    return read(path, targetOrNull, Set.of());
  }

  /**
   * Reads a CSV file, treating the given columns as categorical even if their values are
   * numbers (e.g. numeric codes such as zip codes).
   *
   * @param path the file
   * @param targetOrNull the target column's name, or null for the default
   * @param categoricalColumns names of columns to one-hot encode whatever their values
   * @return the table
   * @throws FormatException as for {@link #read(Path, String)}
   * @throws IllegalArgumentException if a name in {@code categoricalColumns} is not a column
   * @throws IOException if the file cannot be read
   */
  public static Table read(Path path, String targetOrNull, Set<String> categoricalColumns)
      throws IOException {
    return read(path, targetOrNull, categoricalColumns, false);
  }

  /**
   * Reads a CSV file whose columns are all inputs, such as rows to predict, which may lack the
   * target column: every column becomes a feature (a column that happens to be a target is just
   * another feature, for the caller to ignore by name). The table's target is a synthetic
   * constant column named {@link #NO_TARGET}, with one class.
   *
   * @throws FormatException as for {@link #read(Path, String)}
   * @throws IOException if the file cannot be read
   */
  public static Table readFeatures(Path path) throws IOException {
    return read(path, NO_TARGET, Set.of(), true);
  }

  /** Name of the synthetic target column of {@link #readFeatures}. */
  public static final String NO_TARGET = "\u0000no-target";

  private static Table read(Path path, String targetOrNull, Set<String> categoricalColumns,
      boolean syntheticTarget) throws IOException {
    String source = path.toString();
    List<String[]> records = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    parse(source, TableAssembler.readUtf8(path), records, lines);
    if (syntheticTarget) {
      for (int r = 0; r < records.size(); r++) {
        String[] rec = records.get(r);
        String[] longer = java.util.Arrays.copyOf(rec, rec.length + 1);
        longer[rec.length] = r == 0 ? NO_TARGET : "0";
        records.set(r, longer);
      }
    }
    if (records.isEmpty()) {
      throw new FormatException(source + ": empty file, expected a header row of column names");
    }
    String[] header = records.getFirst();
    int headerLine = lines.getFirst();
    Map<String, Integer> columnOf = new HashMap<>();
    for (int c = 0; c < header.length; c++) {
      if (header[c] == null) {
        throw new FormatException(
            source + ":" + headerLine + ": header field " + (c + 1) + " is empty, expected a"
                + " column name");
      }
      Integer previous = columnOf.putIfAbsent(header[c], c);
      if (previous != null) {
        throw new FormatException(
            source + ":" + headerLine + ": column name '" + header[c] + "' appears twice in the"
                + " header (fields " + (previous + 1) + " and " + (c + 1) + ")");
      }
    }
    for (String name : categoricalColumns) {
      if (!columnOf.containsKey(name)) {
        throw new IllegalArgumentException(
            source + ": categorical column '" + name + "' is not in the header "
                + List.of(header));
      }
    }
    if (records.size() == 1) {
      throw new FormatException(
          source + ": has a header on line " + headerLine + " but no data rows");
    }
    int target = targetColumn(source, header, columnOf, targetOrNull);
    List<String[]> rows = records.subList(1, records.size());
    int[] rowLines = new int[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      rowLines[r] = lines.get(r + 1);
      if (rows.get(r).length != header.length) {
        throw new FormatException(
            source + ":" + rowLines[r] + ": expected " + header.length + " fields as in the"
                + " header on line " + headerLine + ", got " + rows.get(r).length);
      }
    }
    List<Spec> specs = new ArrayList<>();
    for (int c = 0; c < header.length; c++) {
      specs.add(infer(header[c], c, rows, rowLines, categoricalColumns.contains(header[c])));
    }
    return TableAssembler.build(source, specs, rows, rowLines, target, true);
  }

  private static int targetColumn(
      String source, String[] header, Map<String, Integer> columnOf, String targetOrNull)
      throws FormatException {
    if (targetOrNull != null) {
      Integer t = columnOf.get(targetOrNull);
      if (t == null) {
        throw new FormatException(
            source + ": target column '" + targetOrNull + "' not found; columns are "
                + List.of(header));
      }
      return t;
    }
    for (int c = 0; c < header.length; c++) {
      if (header[c].equalsIgnoreCase("label")) {
        return c;
      }
    }
    return header.length - 1;
  }

  private static Spec infer(
      String name, int c, List<String[]> rows, int[] lines, boolean forceCategorical) {
    if (forceCategorical) {
      return new Spec(name, Kind.COLLECTED, List.of(), " (declared categorical)");
    }
    for (int r = 0; r < rows.size(); r++) {
      String v = rows.get(r)[c];
      if (v != null) {
        return TableAssembler.isNumber(v.trim())
            ? new Spec(
                name,
                Kind.NUMERIC,
                List.of(),
                " (typed by its first value '" + v + "' on line " + lines[r] + ")")
            : new Spec(name, Kind.COLLECTED, List.of(), "");
      }
    }
    return new Spec(name, Kind.NUMERIC, List.of(), " (all its values are missing)");
  }

  /**
   * Splits text into records of fields; an empty field becomes null. Blank lines are skipped.
   * Records keep their own field counts; the caller checks them against the header.
   */
  static void parse(String source, String text, List<String[]> records, List<Integer> lines)
      throws FormatException {
    int n = text.length();
    int i = 0;
    int line = 1;
    StringBuilder sb = new StringBuilder();
    while (i < n) {
      int recordLine = line;
      List<String> fields = new ArrayList<>();
      boolean blank = true;
      while (true) {
        int j = i;
        while (j < n && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
          j++;
        }
        if (j < n && text.charAt(j) == '"') {
          blank = false;
          int quoteLine = line;
          i = j + 1;
          sb.setLength(0);
          while (true) {
            if (i >= n) {
              throw new FormatException(
                  source + ":" + quoteLine + ": unterminated quote: field " + (fields.size() + 1)
                      + " opens a quote that the file never closes");
            }
            char ch = text.charAt(i);
            if (ch == '"') {
              if (i + 1 < n && text.charAt(i + 1) == '"') {
                sb.append('"');
                i += 2;
                continue;
              }
              i++;
              break;
            }
            if (ch == '\n' || (ch == '\r' && (i + 1 >= n || text.charAt(i + 1) != '\n'))) {
              line++;
            }
            sb.append(ch);
            i++;
          }
          while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
          }
          if (i < n && !isFieldEnd(text.charAt(i))) {
            throw new FormatException(
                source + ":" + line + ": expected ',' or end of line after the closing quote of"
                    + " field " + (fields.size() + 1) + ", got '" + text.charAt(i) + "'");
          }
          fields.add(sb.isEmpty() ? null : sb.toString());
        } else {
          int start = i;
          while (i < n && !isFieldEnd(text.charAt(i))) {
            i++;
          }
          String raw = text.substring(start, i).strip();
          if (!raw.isEmpty() || (i < n && text.charAt(i) == ',')) {
            blank = false;
          }
          fields.add(raw.isEmpty() ? null : raw);
        }
        if (i < n && text.charAt(i) == ',') {
          i++;
          continue;
        }
        if (i < n && text.charAt(i) == '\r') {
          i++;
        }
        if (i < n && text.charAt(i) == '\n') {
          i++;
        }
        line++;
        break;
      }
      if (!blank || fields.size() > 1) {
        records.add(fields.toArray(String[]::new));
        lines.add(recordLine);
      }
    }
  }

  private static boolean isFieldEnd(char ch) {
    return ch == ',' || ch == '\n' || ch == '\r';
  }
}
