package dev.fathom.data;

import dev.fathom.io.FormatException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipException;

/**
 * Turns parsed text cells into a {@link Table}: parses numbers, one-hot encodes categories and
 * encodes the target. Shared by {@link CsvReader} and {@link ArffReader}.
 */
final class TableAssembler {
  /** Numeric targets with at most this many distinct integer values are class labels (CSV). */
  static final int MAX_INTEGER_CLASSES = 20;

  /** How a column's cells are read. */
  enum Kind {
    /** Numbers; a cell that is not a number is an error. */
    NUMERIC,
    /** Categories from a declared list; a cell outside it is an error. */
    DECLARED,
    /** Categories collected from the data, sorted. */
    COLLECTED
  }

  /**
   * A column's name and kind.
   *
   * @param name the column name
   * @param kind how its cells are read
   * @param levels the declared categories for {@link Kind#DECLARED}, else empty
   * @param why appended to error messages about this column, e.g. where its type was decided
   */
  record Spec(String name, Kind kind, List<String> levels, String why) {}

  private TableAssembler() {}

  /**
   * Builds the table.
   *
   * @param source the file, for messages
   * @param specs one per column, in file order
   * @param rows the cells, one array per row, null for a missing cell
   * @param lines the line number of each row, for messages
   * @param target the index of the target column
   * @param integerClasses whether a numeric target with few distinct integer values becomes a
   *     class label (else a numeric target is always a regression target)
   */
  static Table build(
      String source,
      List<Spec> specs,
      List<String[]> rows,
      int[] lines,
      int target,
      boolean integerClasses)
      throws FormatException {
    int n = rows.size();
    List<ColumnInfo> columns = new ArrayList<>();
    List<Map<String, Integer>> index = new ArrayList<>();
    List<List<String>> allLevels = new ArrayList<>();
    int width = 0;
    for (int c = 0; c < specs.size(); c++) {
      Spec s = specs.get(c);
      List<String> levels = levels(s, rows, c);
      allLevels.add(levels);
      if (c == target) {
        index.add(indexOf(levels));
        continue;
      }
      columns.add(
          s.kind() == Kind.NUMERIC
              ? ColumnInfo.numeric(s.name(), width)
              : ColumnInfo.categorical(s.name(), levels, width));
      index.add(indexOf(levels));
      width += columns.getLast().width();
    }
    if ((long) n * width > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          source + ": " + n + " rows x " + width + " one-hot features do not fit in one array");
    }
    float[] x = new float[n * width];
    int col = 0;
    for (int c = 0; c < specs.size(); c++) {
      if (c == target) {
        continue;
      }
      Spec s = specs.get(c);
      ColumnInfo info = columns.get(col++);
      Map<String, Integer> levelIndex = index.get(c);
      for (int r = 0; r < n; r++) {
        String cell = rows.get(r)[c];
        int base = r * width + info.offset();
        if (cell == null) {
          for (int k = 0; k < info.width(); k++) {
            x[base + k] = Float.NaN;
          }
        } else if (s.kind() == Kind.NUMERIC) {
          x[base] = number(source, lines[r], s, cell);
        } else {
          x[base + level(source, lines[r], s, levelIndex, cell)] = 1f;
        }
      }
    }
    Spec t = specs.get(target);
    for (int r = 0; r < n; r++) {
      if (rows.get(r)[target] == null) {
        throw new FormatException(
            source + ":" + lines[r] + ": the target column '" + t.name() + "' has no value");
      }
    }
    if (t.kind() != Kind.NUMERIC) {
      int[] labels = new int[n];
      Map<String, Integer> levelIndex = index.get(target);
      for (int r = 0; r < n; r++) {
        labels[r] = level(source, lines[r], t, levelIndex, rows.get(r)[target]);
      }
      return new Table(columns, n, x, t.name(), allLevels.get(target), labels, null);
    }
    float[] values = new float[n];
    boolean integers = integerClasses;
    TreeSet<Long> distinct = new TreeSet<>();
    for (int r = 0; r < n; r++) {
      values[r] = number(source, lines[r], t, rows.get(r)[target]);
      if (integers) {
        double v = Double.parseDouble(rows.get(r)[target].trim());
        if (v != Math.rint(v) || Math.abs(v) > 1e15) {
          integers = false;
        } else {
          distinct.add((long) v);
          integers = distinct.size() <= MAX_INTEGER_CLASSES;
        }
      }
    }
    if (!integers) {
      return new Table(columns, n, x, t.name(), List.of(), null, values);
    }
    Map<Long, Integer> classOf = new TreeMap<>();
    List<String> names = new ArrayList<>();
    for (long v : distinct) {
      classOf.put(v, names.size());
      names.add(Long.toString(v));
    }
    int[] labels = new int[n];
    for (int r = 0; r < n; r++) {
      labels[r] = classOf.get((long) Double.parseDouble(rows.get(r)[target].trim()));
    }
    return new Table(columns, n, x, t.name(), names, labels, null);
  }

  /**
   * Whether a cell is a decimal number: optional sign, digits with an optional point, an
   * optional exponent. Rejects what {@link Double#parseDouble} also takes but a data file should
   * not hold: NaN, Infinity, hex floats, type suffixes.
   */
  static boolean isNumber(String s) {
    int i = 0;
    int n = s.length();
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int expDigits = 0;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
        expDigits++;
      }
      if (expDigits == 0) {
        return false;
      }
    }
    return i == n;
  }

  /**
   * Reads a file as UTF-8 text, gunzipping it first if it starts with the gzip magic 1f 8b;
   * rejects bytes that are not UTF-8 and drops a leading byte order mark.
   */
  static String readUtf8(Path path) throws IOException {
    byte[] raw = Files.readAllBytes(path);
    if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1F && (raw[1] & 0xFF) == 0x8B) {
      try (InputStream in = new StrictGzipInputStream(new ByteArrayInputStream(raw))) {
        raw = in.readAllBytes();
      } catch (ZipException | EOFException e) {
        throw new FormatException(path + ": corrupt or truncated gzip data: " + e.getMessage(), e);
      }
    }
    ByteBuffer bytes = ByteBuffer.wrap(raw);
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    String text;
    try {
      text = decoder.decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new FormatException(
          path + ": not UTF-8 text: invalid byte sequence at byte " + bytes.position(), e);
    }
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static float number(String source, int line, Spec s, String cell)
      throws FormatException {
    String v = cell.trim();
    if (!isNumber(v)) {
      throw new FormatException(
          source + ":" + line + ": column '" + s.name() + "' is numeric" + s.why() + " but has"
              + " the value '" + cell + "'");
    }
    float f = (float) Double.parseDouble(v);
    if (Float.isInfinite(f)) {
      throw new FormatException(
          source + ":" + line + ": value '" + cell + "' of column '" + s.name() + "' is outside"
              + " the float range (+-3.4e38)");
    }
    return f;
  }

  private static int level(
      String source, int line, Spec s, Map<String, Integer> levelIndex, String cell)
      throws FormatException {
    Integer k = levelIndex.get(cell);
    if (k == null) {
      throw new FormatException(
          source + ":" + line + ": value '" + cell + "' of column '" + s.name() + "' is not one"
              + " of its declared values " + s.levels() + s.why());
    }
    return k;
  }

  private static List<String> levels(Spec s, List<String[]> rows, int c) {
    return switch (s.kind()) {
      case NUMERIC -> List.of();
      case DECLARED -> s.levels();
      case COLLECTED -> {
        TreeSet<String> seen = new TreeSet<>();
        for (String[] row : rows) {
          if (row[c] != null) {
            seen.add(row[c]);
          }
        }
        yield List.copyOf(seen);
      }
    };
  }

  private static Map<String, Integer> indexOf(List<String> levels) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < levels.size(); i++) {
      m.putIfAbsent(levels.get(i), i);
    }
    return m;
  }
}
