package dev.fathom.data;

import static dev.fathom.data.CsvReaderTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fathom.io.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArffReaderTest {
  /** Weka's examples: Debian's weka package, or WEKA_EXAMPLES pointing at an extracted copy. */
  static final Path WEKA =
      Path.of(System.getenv().getOrDefault("WEKA_EXAMPLES", "/usr/share/doc/weka/examples"));

  @TempDir Path dir;

  private Path arff(String text) throws IOException {
    return Files.writeString(dir.resolve("t.arff"), text, StandardCharsets.UTF_8);
  }

  private static final String HEADER =
      "@relation r\n@attribute x numeric\n@attribute c {a, b}\n@data\n";

  @Test
  void germanCreditExcerpt() throws IOException {
    Table t = ArffReader.read(resource("credit-g-head.arff"), null);
    assertThat(t.rows()).isEqualTo(12);
    assertThat(t.targetName()).isEqualTo("class");
    assertThat(t.classNames()).containsExactly("good", "bad");
    assertThat(t.labels()).startsWith(0, 1, 0, 0, 1);
    assertThat(t.columns()).hasSize(20);
    assertThat(t.numFeatures()).isEqualTo(63);
    assertThat(t.column("purpose").levels()).hasSize(11).startsWith("new car", "used car");
    int f = t.numFeatures();
    float[] x = t.features();
    assertThat(x[t.featureIndex("checking_status=<0")]).isEqualTo(1f);
    assertThat(x[t.featureIndex("purpose=radio/tv")]).isEqualTo(1f);
    assertThat(x[t.featureIndex("credit_amount")]).isEqualTo(1169f);
    assertThat(x[t.featureIndex("age")]).isEqualTo(67f);
    assertThat(x[4 * f + t.featureIndex("purpose=new car")]).isEqualTo(1f);
    float rowSum = 0;
    for (int k = 0; k < t.column("purpose").width(); k++) {
      rowSum += x[4 * f + t.column("purpose").offset() + k];
    }
    assertThat(rowSum).isEqualTo(1f);
    assertThat(t.missingCount()).isZero();
  }

  @Test
  void diabetesExcerpt() throws IOException {
    Table t = ArffReader.read(resource("diabetes-head.arff"), null);
    assertThat(t.rows()).isEqualTo(10);
    assertThat(t.featureNames())
        .containsExactly("preg", "plas", "pres", "skin", "insu", "mass", "pedi", "age");
    assertThat(Arrays.copyOf(t.features(), 8))
        .containsExactly(6f, 148f, 72f, 35f, 0f, 33.6f, 0.627f, 50f);
    assertThat(t.classNames()).containsExactly("tested_negative", "tested_positive");
    assertThat(t.labels()).startsWith(1, 0, 1, 0, 1);
  }

  @Test
  void handMadeFileWithCommentsQuotesEscapesAndMissingValues() throws IOException {
    Table t = ArffReader.read(resource("mixed.arff"), "score");
    assertThat(t.isClassification()).as("a numeric ARFF target is a regression target").isFalse();
    assertThat(t.targets()).containsExactly(3f, 5f, 4f, 5f);
    assertThat(t.featureNames())
        .containsExactly("body mass", "height", "colour=red", "colour=dark blue", "colour=green",
            "note=a, b", "note=it's fine", "note=plain");
    int f = t.numFeatures();
    float[] x = t.features();
    assertThat(x[0]).isEqualTo(70.5f);
    assertThat(x[f]).isNaN();
    assertThat(x[f + t.featureIndex("colour=dark blue")]).isEqualTo(1f);
    assertThat(x[f + t.featureIndex("note=a, b")]).isEqualTo(1f);
    assertThat(x[2 * f + t.featureIndex("height")]).isNaN();
    assertThat(x[2 * f + t.featureIndex("colour=green")]).isNaN();
    assertThat(x[3 * f + t.featureIndex("note=it's fine")]).isEqualTo(1f);
    assertThat(t.missingCount()).isEqualTo(3);
    Table filled = t.imputed();
    assertThat(filled.features()[f]).isCloseTo((70.5f + 82 + 60) / 3, within(1e-4f));
    assertThat(filled.features()[2 * f + t.featureIndex("colour=red")]).isEqualTo(1f);
  }

  @Test
  void targetByNameMustHaveEveryValue() throws IOException {
    Path p = resource("mixed.arff");
    Table t = ArffReader.read(p, "note");
    assertThat(t.classNames()).containsExactly("a, b", "it's fine", "plain");
    assertThat(t.labels()).containsExactly(1, 0, 2, 1);
    assertThatThrownBy(() -> t.column("note")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ArffReader.read(p, "colour"))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":15: the target column 'colour' has no value");
  }

  @Test
  void unknownNominalValue() throws IOException {
    Path p = arff(HEADER + "1, a\n2, c\n");
    assertThatThrownBy(() -> ArffReader.read(p, "x"))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":6: value 'c' of column 'c' is not one of its declared values [a, b]"
            + " (declared on line 3)");
  }

  @Test
  void nonNumberInANumericAttribute() throws IOException {
    Path p = arff(HEADER + "1, a\nabc, b\n");
    assertThatThrownBy(() -> ArffReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":6: column 'x' is numeric (declared on line 2) but has the value 'abc'");
  }

  @Test
  void raggedRow() throws IOException {
    Path p = arff(HEADER + "1, a\n2\n");
    assertThatThrownBy(() -> ArffReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":6: expected 2 values, one per @attribute, got 1");
  }

  @Test
  void missingDataSectionAndRelation() throws IOException {
    Path noData = arff("@relation r\n@attribute x numeric\n");
    assertThatThrownBy(() -> ArffReader.read(noData, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(noData + ": no @data line after the 1 @attribute declarations");
    Path noRelation = arff("% nothing\n@attribute x numeric\n@data\n1\n");
    assertThatThrownBy(() -> ArffReader.read(noRelation, null))
        .hasMessage(noRelation + ":2: expected @relation before the first @attribute");
    Path empty = arff("");
    assertThatThrownBy(() -> ArffReader.read(empty, null))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith(empty + ": no @relation line");
    Path noRows = arff(HEADER);
    assertThatThrownBy(() -> ArffReader.read(noRows, null))
        .hasMessage(noRows + ": @data section has no rows");
  }

  @Test
  void unsupportedConstructs() throws IOException {
    Path sparse = arff(HEADER + "{0 1, 1 b}\n");
    assertThatThrownBy(() -> ArffReader.read(sparse, null))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith(sparse + ":5: sparse ARFF rows");
    Path date = arff("@relation r\n@attribute d date \"yyyy-MM-dd\"\n@data\n");
    assertThatThrownBy(() -> ArffReader.read(date, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(date + ":2: attribute 'd' has type 'date'; supported: numeric, real, integer,"
            + " string, {nominal values}");
    Path keyword = arff("@relation r\n@attrib x numeric\n");
    assertThatThrownBy(() -> ArffReader.read(keyword, null))
        .hasMessage(
            keyword + ":2: expected @relation, @attribute or @data, got '@attrib x numeric'");
  }

  @Test
  void unterminatedQuote() throws IOException {
    Path p = arff(HEADER + "1, 'a\n");
    assertThatThrownBy(() -> ArffReader.read(p, null))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ":5: unterminated quote: the ' at column 4 is never closed");
    Path inHeader = arff("@relation r\n@attribute 'x numeric\n@data\n");
    assertThatThrownBy(() -> ArffReader.read(inHeader, null))
        .hasMessage(inHeader + ":2: unterminated quote: the ' at column 12 is never closed");
  }

  @Test
  void duplicateAttributeAndUnknownTarget() throws IOException {
    Path dup = arff("@relation r\n@attribute x numeric\n@attribute x real\n@data\n1,2\n");
    assertThatThrownBy(() -> ArffReader.read(dup, null))
        .hasMessage(dup + ":3: attribute 'x' is declared twice");
    Path p = arff(HEADER + "1, a\n");
    assertThatThrownBy(() -> ArffReader.read(p, "class"))
        .isInstanceOf(FormatException.class)
        .hasMessage(p + ": target attribute 'class' not found; attributes are [x, c]");
  }

  @Test
  void realWekaFiles() throws IOException {
    Path credit = WEKA.resolve("credit-g.arff");
    Path diabetes = WEKA.resolve("diabetes.arff");
    assumeTrue(Files.isRegularFile(credit) && Files.isRegularFile(diabetes),
        "Weka's examples are not at " + WEKA);
    Table c = ArffReader.read(credit, null);
    assertThat(c.rows()).isEqualTo(1000);
    assertThat(c.numFeatures()).isEqualTo(63);
    assertThat(Arrays.stream(c.labels()).filter(y -> y == 0).count()).isEqualTo(700);
    Table d = ArffReader.read(diabetes, null);
    assertThat(d.rows()).isEqualTo(768);
    assertThat(Arrays.stream(d.labels()).filter(y -> y == 1).count()).isEqualTo(268);
  }
}
