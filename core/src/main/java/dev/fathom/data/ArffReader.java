package dev.fathom.data;

import dev.fathom.data.TableAssembler.Kind;
import dev.fathom.data.TableAssembler.Spec;
import dev.fathom.io.FormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Weka ARFF file (dense rows) into a {@link Table}.
 *
 * <p>Header: {@code @relation name}, then one {@code @attribute name type} per column, then
 * {@code @data}; keywords in any case. Types: {@code numeric}, {@code real}, {@code integer}
 * (numeric), {@code {a, b, 'c d'}} (nominal: one-hot over the declared values in declared order,
 * so train and test files encode alike), {@code string} (categorical over the sorted distinct
 * values seen). {@code date} and {@code relational} attributes are rejected.
 *
 * <p>Data: one row per line, values separated by commas, {@code ?} for a missing value (NaN in
 * the table, see {@link Table}). Names and values may be quoted with {@code '} or {@code "},
 * with backslash escapes ({@code \'}, {@code \"}, {@code \\}, {@code \n}, {@code \t},
 * {@code \r}). {@code %} starts a comment outside quotes. Sparse rows ({@code {0 x, 3 y}})
 * and instance weights are rejected. The text must be UTF-8; a gzip-compressed file
 * (recognised by its magic bytes) is read through gunzip.
 *
 * <p>Target: the named attribute, else the last one (Weka's convention). A nominal or string
 * target is a class label; a numeric target is a regression target, as its declaration says.
 */
public final class ArffReader {
  private ArffReader() {}

  /**
   * Reads an ARFF file.
   *
   * @param path the file
   * @param targetOrNull the target attribute's name, or null for the last attribute
   * @return the table, rows in file order
   * @throws FormatException with file and line for: an empty file, a missing {@code @relation}
   *     or {@code @data}, no attributes, a duplicate or unknown attribute type, an unterminated
   *     quote, a row with the wrong number of values, a non-number in a numeric attribute, a
   *     value outside a nominal attribute's declared set, a sparse row, a target name that is
   *     not an attribute (listing the attributes)
   * @throws IOException if the file cannot be read
   */
  public static Table read(Path path, String targetOrNull) throws IOException {
    String source = path.toString();
    String[] lines = TableAssembler.readUtf8(path).split("\r\n|\n|\r", -1);
    List<Spec> specs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    boolean relation = false;
    int i = 0;
    boolean sawData = false;
    for (; i < lines.length && !sawData; i++) {
      int lineNo = i + 1;
      String text = stripComment(lines[i]).strip();
      if (text.isEmpty()) {
        continue;
      }
      Tokens tok = new Tokens(source, lineNo, text);
      String keyword = tok.word().toLowerCase(Locale.ROOT);
      switch (keyword) {
        case "@relation" -> {
          if (relation) {
            throw new FormatException(source + ":" + lineNo + ": a second @relation");
          }
          relation = true;
        }
        case "@attribute" -> {
          if (!relation) {
            throw new FormatException(
                source + ":" + lineNo + ": expected @relation before the first @attribute");
          }
          String name = tok.value();
          if (name.isEmpty()) {
            throw new FormatException(source + ":" + lineNo + ": @attribute without a name");
          }
          if (!names.add(name)) {
            throw new FormatException(
                source + ":" + lineNo + ": attribute '" + name + "' is declared twice");
          }
          specs.add(attribute(source, lineNo, name, tok));
        }
        case "@data" -> {
          if (specs.isEmpty()) {
            throw new FormatException(
                source + ":" + lineNo + ": @data before any @attribute declaration");
          }
          sawData = true;
        }
        default ->
            throw new FormatException(
                source + ":" + lineNo + ": expected @relation, @attribute or @data, got '"
                    + abbreviate(text) + "'");
      }
    }
    if (!relation) {
      throw new FormatException(
          source + ": no @relation line; an ARFF file starts with @relation, @attribute lines"
              + " and @data");
    }
    if (!sawData) {
      throw new FormatException(
          source + ": no @data line after the " + specs.size() + " @attribute declarations");
    }
    List<String[]> rows = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    for (; i < lines.length; i++) {
      int lineNo = i + 1;
      String text = stripComment(lines[i]).strip();
      if (text.isEmpty()) {
        continue;
      }
      if (text.startsWith("{")) {
        throw new FormatException(
            source + ":" + lineNo + ": sparse ARFF rows ({index value, ...}) are not supported;"
                + " convert the file to dense rows");
      }
      String[] row = dataRow(source, lineNo, text);
      if (row.length != specs.size()) {
        throw new FormatException(
            source + ":" + lineNo + ": expected " + specs.size() + " values, one per @attribute,"
                + " got " + row.length);
      }
      rows.add(row);
      rowLines.add(lineNo);
    }
    if (rows.isEmpty()) {
      throw new FormatException(source + ": @data section has no rows");
    }
    int target = specs.size() - 1;
    if (targetOrNull != null) {
      target = -1;
      for (int c = 0; c < specs.size(); c++) {
        if (specs.get(c).name().equals(targetOrNull)) {
          target = c;
        }
      }
      if (target < 0) {
        throw new FormatException(
            source + ": target attribute '" + targetOrNull + "' not found; attributes are "
                + specs.stream().map(Spec::name).toList());
      }
    }
    int[] lineArray = rowLines.stream().mapToInt(Integer::intValue).toArray();
    return TableAssembler.build(source, specs, rows, lineArray, target, false);
  }

  private static Spec attribute(String source, int lineNo, String name, Tokens tok)
      throws FormatException {
    String where = " (declared on line " + lineNo + ")";
    if (tok.peek() == '{') {
      List<String> levels = tok.nominal();
      Map<String, Integer> seen = new HashMap<>();
      for (String level : levels) {
        if (seen.put(level, 0) != null) {
          throw new FormatException(
              source + ":" + lineNo + ": attribute '" + name + "' lists the value '" + level
                  + "' twice");
        }
      }
      return new Spec(name, Kind.DECLARED, levels, where);
    }
    String type = tok.word().toLowerCase(Locale.ROOT);
    Kind kind =
        switch (type) {
          case "numeric", "real", "integer" -> Kind.NUMERIC;
          case "string" -> Kind.COLLECTED;
          case "" ->
              throw new FormatException(
                  source + ":" + lineNo + ": attribute '" + name + "' has no type");
          default ->
              throw new FormatException(
                  source + ":" + lineNo + ": attribute '" + name + "' has type '" + type + "';"
                      + " supported: numeric, real, integer, string, {nominal values}");
        };
    tok.expectEnd();
    return new Spec(name, kind, List.of(), where);
  }

  private static String[] dataRow(String source, int lineNo, String text) throws FormatException {
    Tokens tok = new Tokens(source, lineNo, text);
    List<String> values = new ArrayList<>();
    while (true) {
      values.add(tok.cell());
      if (tok.atEnd()) {
        return values.toArray(String[]::new);
      }
      tok.expect(',');
    }
  }

  /** Removes a {@code %} comment that is outside quotes. */
  private static String stripComment(String line) {
    char quote = 0;
    for (int k = 0; k < line.length(); k++) {
      char ch = line.charAt(k);
      if (quote != 0) {
        if (ch == '\\') {
          k++;
        } else if (ch == quote) {
          quote = 0;
        }
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
      } else if (ch == '%') {
        return line.substring(0, k);
      }
    }
    return line;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** A cursor over one line: words, quoted or bare values, nominal lists. */
  private static final class Tokens {
    private final String source;
    private final int lineNo;
    private final String s;
    private int p;

    Tokens(String source, int lineNo, String s) {
      this.source = source;
      this.lineNo = lineNo;
      this.s = s;
    }

    private void skipSpace() {
      while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
        p++;
      }
    }

    char peek() {
      skipSpace();
      return p < s.length() ? s.charAt(p) : 0;
    }

    boolean atEnd() {
      return peek() == 0;
    }

    void expect(char c) throws FormatException {
      if (peek() != c) {
        throw error("expected '" + c + "'" + got());
      }
      p++;
    }

    void expectEnd() throws FormatException {
      if (!atEnd()) {
        throw error("expected end of line" + got());
      }
    }

    /** A bare word up to whitespace. */
    String word() {
      skipSpace();
      int start = p;
      while (p < s.length() && !Character.isWhitespace(s.charAt(p))) {
        p++;
      }
      return s.substring(start, p);
    }

    /** An attribute name: quoted, or bare up to whitespace. */
    String value() throws FormatException {
      char c = peek();
      return c == '\'' || c == '"' ? quoted() : word();
    }

    /** A data cell: quoted, or bare up to a comma; null for an unquoted {@code ?}. */
    String cell() throws FormatException {
      char c = peek();
      if (c == '\'' || c == '"') {
        String v = quoted();
        char after = peek();
        if (after != 0 && after != ',') {
          throw error("expected ',' or end of line after a quoted value" + got());
        }
        return v;
      }
      int start = p;
      while (p < s.length() && s.charAt(p) != ',') {
        p++;
      }
      String v = s.substring(start, p).strip();
      return v.equals("?") ? null : v;
    }

    /** A {@code {a, b, 'c d'}} list. */
    List<String> nominal() throws FormatException {
      expect('{');
      List<String> out = new ArrayList<>();
      if (peek() == '}') {
        throw error("a nominal attribute needs at least one value, got {}");
      }
      while (true) {
        char c = peek();
        String v;
        if (c == '\'' || c == '"') {
          v = quoted();
        } else {
          int start = p;
          while (p < s.length() && s.charAt(p) != ',' && s.charAt(p) != '}') {
            p++;
          }
          v = s.substring(start, p).strip();
        }
        out.add(v);
        char next = peek();
        if (next == '}') {
          p++;
          expectEnd();
          return out;
        }
        if (next != ',') {
          throw error("expected ',' or '}' in the list of nominal values" + got());
        }
        p++;
      }
    }

    private String quoted() throws FormatException {
      char q = s.charAt(p);
      int open = p;
      p++;
      StringBuilder sb = new StringBuilder();
      while (p < s.length()) {
        char ch = s.charAt(p++);
        if (ch == q) {
          return sb.toString();
        }
        if (ch == '\\' && p < s.length()) {
          char e = s.charAt(p++);
          sb.append(
              switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                default -> e;
              });
        } else {
          sb.append(ch);
        }
      }
      throw error("unterminated quote: the " + q + " at column " + (open + 1) + " is never closed");
    }

    private String got() {
      return p < s.length()
          ? ", got '" + s.charAt(p) + "' at column " + (p + 1)
          : ", got end of line";
    }

    private FormatException error(String message) {
      return new FormatException(source + ":" + lineNo + ": " + message);
    }
  }
}
