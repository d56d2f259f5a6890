package dev.fathom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  private static Table small() {
    // columns: x (numeric), c (categorical a/b/c); rows: (1, a) (NaN, b) (3, missing) (5, b)
    float nan = Float.NaN;
    float[] features = {1, 1, 0, 0, nan, 0, 1, 0, 3, nan, nan, nan, 5, 0, 1, 0};
    return new Table(
        List.of(ColumnInfo.numeric("x", 0), ColumnInfo.categorical("c", List.of("a", "b", "c"), 1)),
        4, features, "y", List.of("n", "p"), new int[] {0, 1, 1, 0}, null);
  }

  @Test
  void namesAndIndices() {
    Table t = small();
    assertThat(t.numFeatures()).isEqualTo(4);
    assertThat(t.featureNames()).containsExactly("x", "c=a", "c=b", "c=c");
    assertThat(t.featureIndex("c=b")).isEqualTo(2);
    assertThat(t.featureIndex("nope")).isEqualTo(-1);
    assertThat(t.missingCount()).isEqualTo(2);
    assertThat(t.numClasses()).isEqualTo(2);
  }

  @Test
  void imputeMeanAndModeFromFitRows() {
    Table t = small().imputed(new int[] {0, 1, 3});
    // mean of x over rows 0, 1, 3 ignoring NaN: (1 + 5) / 2; mode of c over those rows: b
    assertThat(t.features()).containsExactly(1, 1, 0, 0, 3, 0, 1, 0, 3, 0, 1, 0, 5, 0, 1, 0);
    Table fromRow0 = small().imputed(new int[] {0});
    assertThat(fromRow0.features()[4]).isEqualTo(1f);
    assertThat(fromRow0.features()[9]).as("mode a").isEqualTo(1f);
  }

  @Test
  void selectCopiesRows() {
    Table s = small().select(new int[] {3, 0});
    assertThat(s.rows()).isEqualTo(2);
    assertThat(s.features()).containsExactly(5, 0, 1, 0, 1, 1, 0, 0);
    assertThat(s.labels()).containsExactly(0, 0);
    assertThatThrownBy(() -> small().select(new int[] {4}))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void validatesShapes() {
    assertThatThrownBy(() -> new Table(List.of(ColumnInfo.numeric("x", 0)), 2, new float[3], "y",
            List.of("a"), new int[] {0, 0}, null))
        .hasMessageContaining("2 rows x 1 features need 2 values, got 3");
    assertThatThrownBy(() -> new Table(List.of(ColumnInfo.numeric("x", 1)), 1, new float[1], "y",
            List.of("a"), new int[] {0}, null))
        .hasMessageContaining("offset 1, expected 0");
    assertThatThrownBy(() -> new Table(List.of(ColumnInfo.numeric("x", 0)), 1, new float[1], "y",
            List.of("a"), new int[] {1}, null))
        .hasMessageContaining("label 1 of row 0 is not in [0, 1)");
    assertThatThrownBy(() -> new Table(List.of(), 1, new float[0], "y", List.of(), null, null))
        .hasMessageContaining("exactly one of labels and targets");
  }
}
