package dev.fathom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.io.FormatException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandardizerTest {
  // (4, 3): column 0 = 1, 2, 3, 4; column 1 constant 5; column 2 = 10, 20, 30, 1000
  static float[] matrix() {
    return new float[] {1, 5, 10, 2, 5, 20, 3, 5, 30, 4, 5, 1000};
  }

  @Test
  void populationStatisticsOfTheFitRowsOnly() {
    float[] x = matrix();
    Standardizer s = Standardizer.fit(x, 3, new int[] {0, 1, 2}, new int[] {0, 1, 2});
    // rows 0..2: column 0 mean 2, var ((1)^2 + 0 + 1^2) / 3 = 2/3; column 1 std 0 -> 1
    assertThat(s.mean()).containsExactly(2.0, 5.0, 20.0);
    assertThat(s.std()[0]).isCloseTo(Math.sqrt(2.0 / 3), within(1e-12));
    assertThat(s.std()[1]).isEqualTo(1.0);
    assertThat(s.std()[2]).isCloseTo(Math.sqrt(200.0 / 3), within(1e-12));
    s.transform(x);
    assertThat(x[0]).isCloseTo((float) (-1 / Math.sqrt(2.0 / 3)), within(1e-6f));
    assertThat(x[3]).isCloseTo(0f, within(1e-6f));
    assertThat(x[1]).isEqualTo(0f);
    assertThat(x[11]).as("a test row is transformed with the training statistics")
        .isCloseTo((float) (980 / Math.sqrt(200.0 / 3)), within(1e-3f));
  }

  @Test
  void fittedColumnsHaveMeanZeroAndStdOne() {
    float[] x = matrix();
    int[] all = {0, 1, 2, 3};
    Standardizer.fit(x, 3, new int[] {0, 2}, all).transform(x);
    for (int c : new int[] {0, 2}) {
      double sum = 0;
      double sq = 0;
      for (int r = 0; r < 4; r++) {
        sum += x[r * 3 + c];
        sq += x[r * 3 + c] * x[r * 3 + c];
      }
      assertThat(sum / 4).isCloseTo(0, within(1e-6));
      assertThat(sq / 4).isCloseTo(1, within(1e-5));
    }
    assertThat(x[1]).as("column 1 not selected").isEqualTo(5f);
  }

  @Test
  void tableFitLeavesOneHotColumnsAlone() throws IOException {
    Table t = CsvReader.read(CsvReaderTest.resource("mixed.csv"), null).imputed();
    Standardizer s = Standardizer.fit(t, new int[] {0, 1, 2, 3, 4});
    assertThat(s.columns()).containsExactly(
        t.featureIndex("id"), t.featureIndex("age"), t.featureIndex("income"));
    s.transform(t);
    assertThat(t.features()[0]).isCloseTo((float) ((1 - 3) / Math.sqrt(2)), within(1e-6f));
    assertThat(t.features()[t.featureIndex("name=Smith, John")]).isEqualTo(1f);
  }

  @Test
  void roundTripThroughJson() throws IOException {
    Standardizer s = Standardizer.fit(matrix(), 3, new int[] {2, 0}, new int[] {0, 1, 3});
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(s.toMap());
    @SuppressWarnings("unchecked")
    Map<String, Object> parsed = json.readValue(text, Map.class);
    assertThat(Standardizer.fromMap(parsed)).isEqualTo(s);
    assertThat(s.toMap().keySet()).containsExactly("width", "columns", "mean", "std");
  }

  @Test
  void rejectsBadInput() {
    float[] withNan = {1, Float.NaN};
    assertThatThrownBy(() -> Standardizer.fit(withNan, 1, new int[] {0}, new int[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row 1 column 0 is NaN (missing); impute before fitting");
    assertThatThrownBy(() -> Standardizer.fit(matrix(), 3, new int[] {0}, new int[0]))
        .hasMessageContaining("no rows");
    assertThatThrownBy(() -> Standardizer.fit(matrix(), 5, new int[] {0}, new int[] {0}))
        .hasMessageContaining("12 values are not rows of width 5");
    Standardizer s = Standardizer.fit(matrix(), 3, new int[] {0}, new int[] {0, 1});
    assertThatThrownBy(() -> s.transform(new float[4]))
        .hasMessageContaining("4 values are not rows of width 3");
    assertThatThrownBy(() -> Standardizer.fromMap(Map.of("width", 3, "columns", List.of(0),
            "mean", List.of(1.0), "std", List.of(0.0))))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("expected a finite mean and a finite std > 0");
    assertThatThrownBy(() -> Standardizer.fromMap(Map.of("width", 3, "columns", List.of(0),
            "mean", "oops", "std", List.of(1.0))))
        .isInstanceOf(FormatException.class)
        .hasMessage("standardizer: key 'mean' must be a list of numbers, got String oops");
    assertThatThrownBy(() -> Standardizer.fromMap(Map.of()))
        .hasMessage("standardizer: key 'width' must be a number, got nothing");
  }
}
