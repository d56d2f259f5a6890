package dev.fathom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.io.FormatException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
  @TempDir Path dir;

  static Path resource(String name) {
    try {
      return Path.of(
          Objects.requireNonNull(CsvReaderTest.class.getResource("/data/" + name)).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path csv(String text) throws IOException {
    return Files.writeString(dir.resolve("t.csv"), text, StandardCharsets.UTF_8);
  }

  @Test
  void quotesCategoriesAndMissingValues() throws IOException {
    Table t = CsvReader.read(resource("mixed.csv"), null);
    assertThat(t.rows()).isEqualTo(5);
    assertThat(t.targetName()).isEqualTo("label");
    assertThat(t.classNames()).containsExactly("no", "yes");
    assertThat(t.labels()).containsExactly(1, 0, 1, 0, 1);
    assertThat(t.columns()).extracting(ColumnInfo::name)
        .containsExactly("id", "name", "age", "city", "income");
    assertThat(t.column("name").levels())
        .containsExactly("Ann", "Bob", "Line\nBreak", "O\"Brien", "Smith, John");
    assertThat(t.column("city").levels()).containsExactly("Berlin", "Paris", "Rome");
    assertThat(t.column("age").categorical()).isFalse();
    assertThat(t.numFeatures()).isEqualTo(1 + 5 + 1 + 3 + 1);
    assertThat(t.featureNames())
        .containsExactly("id", "name=Ann", "name=Bob", "name=Line\nBreak", "name=O\"Brien",
            "name=Smith, John", "age", "city=Berlin", "city=Paris", "city=Rome", "income");
    int f = t.numFeatures();
    float[] x = t.features();
    assertThat(x[t.featureIndex("name=Smith, John")]).isEqualTo(1f);
    assertThat(x[t.featureIndex("income")]).isEqualTo(52000.5f);
    assertThat(x[f + t.featureIndex("city=Paris")]).isEqualTo(1f);
    assertThat(x[f + t.featureIndex("age")]).isNaN();
    assertThat(x[2 * f + t.featureIndex("income")]).isNaN();
    for (String level : List.of("city=Berlin", "city=Paris", "city=Rome")) {
      assertThat(x[3 * f + t.featureIndex(level)]).isNaN();
    }
    assertThat(t.missingCount()).isEqualTo(3);
  }

  @Test
  void imputesWithStatisticsOfTheGivenRowsOnly() throws IOException {
    Table t = CsvReader.read(resource("mixed.csv"), null);
    int f = t.numFeatures();
    Table filled = t.imputed(new int[] {0, 2, 3});
    assertThat(filled.missingCount()).isZero();
    assertThat(filled.features()[f + t.featureIndex("age")])
        .isCloseTo((34f + 51 + 29) / 3, within(1e-4f));
    assertThat(filled.features()[2 * f + t.featureIndex("income")])
        .isEqualTo((52000.5f + 61000) / 2);
    assertThat(filled.features()[3 * f + t.featureIndex("city=Berlin")]).isEqualTo(1f);
    assertThat(filled.features()[3 * f + t.featureIndex("city=Rome")]).isEqualTo(0f);
    assertThat(t.features()[f + t.featureIndex("age")]).as("original untouched").isNaN();
  }

  @Test
  void crlfBomBlankLinesAndTrimming() throws IOException {
    Table t = CsvReader.read(csv("\uFEFFa, b ,y\r\n 1 , x ,0\r\n\r\n2,\"  q \",1\r\n"), null);
    assertThat(t.columns()).extracting(ColumnInfo::name).containsExactly("a", "b");
    assertThat(t.targetName()).isEqualTo("y");
    assertThat(t.column("b").levels()).containsExactly("  q ", "x");
    assertThat(t.labels()).containsExactly(0, 1);
  }

  @Test
  void integerTargetWithFewValuesIsAClass() throws IOException {
    Table t = CsvReader.read(csv("x,quality\n0.1,5\n0.2,7\n0.3,5\n0.4,10\n"), null);
    assertThat(t.isClassification()).isTrue();
    assertThat(t.classNames()).containsExactly("5", "7", "10");
    assertThat(t.labels()).containsExactly(0, 1, 0, 2);
  }

  @Test
  void realOrManyValuedTargetIsRegression() throws IOException {
    Table t = CsvReader.read(csv("x,price\n1,2.5\n2,3\n"), "price");
    assertThat(t.isClassification()).isFalse();
    assertThat(t.targets()).containsExactly(2.5f, 3f);
    assertThat(t.classNames()).isEmpty();
    StringBuilder many = new StringBuilder("x,y\n");
    for (int i = 0; i < 21; i++) {
      many.append(i).append(',').append(i).append('\n');
    }
    assertThat(CsvReader.read(csv(many.toString()), null).isClassification()).isFalse();
  }

  @Test
  void namedTargetAndForcedCategorical() throws IOException {
    Table t = CsvReader.read(csv("zip,kind,v\n10115,a,1.5\n80331,b,2\n10115,a,3\n"), "kind",
        Set.of("zip"));
    assertThat(t.targetName()).isEqualTo("kind");
    assertThat(t.featureNames()).containsExactly("zip=10115", "zip=80331", "v");
    assertThat(t.labels()).containsExactly(0, 1, 0);
    assertThatThrownBy(() -> CsvReader.read(dir.resolve("t.csv"), null, Set.of("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope' is not in the header [zip, kind, v]");
  }

  @Test
  void gzipCompressedCsv() throws IOException {
    Path p = dir.resolve("t.csv.gz");
    Files.write(p, IdxReaderTest.gzip("a,label\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(CsvReader.read(p, null).classNames()).containsExactly("x", "y");
  }

  @Test
  void raggedRow() throws IOException {
    Path p = csv("a,b,c\n1,2,3\n\"multi\nline\",2,3\n1,2\n");
    assertThatThrownBy(() -> CsvReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":5: expected 3 fields as in the header on line 1, got 2");
  }

  @Test
  void nonNumberInANumericColumn() throws IOException {
    Path p = csv("age,label\n34,a\n\n41,b\nforty,a\n");
    assertThatThrownBy(() -> CsvReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":5: column 'age' is numeric (typed by its first value '34' on line 2)"
            + " but has the value 'forty'");
    Path nan = csv("age,label\n34,a\nNaN,b\n");
    assertThatThrownBy(() -> CsvReader.read(nan, null)).hasMessageContaining("has the value 'NaN'");
    Path huge = csv("age,label\n34,a\n1e39,b\n");
    assertThatThrownBy(() -> CsvReader.read(huge, null))
        .hasMessageContaining(":3: value '1e39' of column 'age' is outside the float range");
  }

  @Test
  void unterminatedQuote() throws IOException {
    Path p = csv("a,b\n1,2\n3,\"oops\n4,5\n");
    assertThatThrownBy(() -> CsvReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":3: unterminated quote: field 2 opens a quote that the file never closes");
    Path after = csv("a,b\n1,\"x\"y\n");
    assertThatThrownBy(() -> CsvReader.read(after, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(after + ":2: expected ',' or end of line after the closing quote of field 2,"
            + " got 'y'");
  }

  @Test
  void emptyFileHeaderOnlyAndBadHeader() throws IOException {
    Path empty = csv("\n\n");
    assertThatThrownBy(() -> CsvReader.read(empty, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(empty + ": empty file, expected a header row of column names");
    Path header = csv("a,b\n");
    assertThatThrownBy(() -> CsvReader.read(header, null))
        .hasMessage(header + ": has a header on line 1 but no data rows");
    Path dup = csv("a,b,a\n1,2,3\n");
    assertThatThrownBy(() -> CsvReader.read(dup, null))
        .hasMessage(dup + ":1: column name 'a' appears twice in the header (fields 1 and 3)");
    Path blankName = csv("a,,c\n1,2,3\n");
    assertThatThrownBy(() -> CsvReader.read(blankName, null))
        .hasMessage(blankName + ":1: header field 2 is empty, expected a column name");
  }

  @Test
  void targetNotFoundListsTheColumns() throws IOException {
    Path p = csv("a,b\n1,2\n");
    assertThatThrownBy(() -> CsvReader.read(p, "label"))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ": target column 'label' not found; columns are [a, b]");
  }

  @Test
  void missingTargetValue() throws IOException {
    Path p = csv("a,y\n1,x\n2,\n");
    assertThatThrownBy(() -> CsvReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":3: the target column 'y' has no value");
  }

  @Test
  void invalidUtf8() throws IOException {
    Path p = dir.resolve("latin1.csv");
    Files.write(p, new byte[] {'a', ',', 'y', '\n', (byte) 0xE9, ',', '1', '\n'});
    assertThatThrownBy(() -> CsvReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ": not UTF-8 text: invalid byte sequence at byte 4");
  }

  @org.junit.jupiter.api.Test
  void readFeaturesKeepsEveryColumnAsAFeature(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path p = tmp.resolve("x.csv");
    java.nio.file.Files.writeString(p, "a,b,label\n1,x,2\n3,y,4\n");
    Table t = CsvReader.readFeatures(p);
    org.assertj.core.api.Assertions.assertThat(t.featureNames()).containsExactly("a", "b=x", "b=y", "label");
    org.assertj.core.api.Assertions.assertThat(t.rows()).isEqualTo(2);
    java.nio.file.Files.writeString(p, "a,b\n1,2\n3\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CsvReader.readFeatures(p))
        .isInstanceOf(dev.fathom.io.FormatException.class).hasMessageContaining(":3:");
  }
}
