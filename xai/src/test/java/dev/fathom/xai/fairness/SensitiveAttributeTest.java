package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.data.ColumnInfo;
import dev.fathom.data.Table;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SensitiveAttributeTest {
  /** Four rows: age 19, 25, 40, missing; colour red, blue, red, missing (one-hot over red, blue, green). */
  static Table table() {
    List<ColumnInfo> cols = List.of(ColumnInfo.numeric("age", 0), ColumnInfo.categorical("colour", List.of("red", "blue", "green"), 1));
    float nan = Float.NaN;
    float[] x = {
      19, 1, 0, 0,
      25, 0, 1, 0,
      40, 1, 0, 0,
      nan, nan, nan, nan};
    return new Table(cols, 4, x, "label", List.of("no", "yes"), new int[] {0, 1, 1, 0}, null);
  }

  @Test
  void numericColumnsSplitAtTheThreshold() {
    Groups g = SensitiveAttribute.numeric("age", 25).groups(table());
    assertThat(g.names()).containsExactly("?", "age<25", "age>=25");
    assertThat(g.index()).containsExactly(1, 2, 2, 0);
    assertThat(SensitiveAttribute.numeric("age", 30.5).groups(table()).names()).containsExactly("?", "age<30.5", "age>=30.5");
  }

  @Test
  void categoricalColumnsGiveTheLevelsThatOccur() {
    Groups g = SensitiveAttribute.categorical("colour").groups(table());
    assertThat(g.names()).containsExactly("?", "blue", "red");
    assertThat(g.index()).containsExactly(2, 1, 2, 0);
  }

  @Test
  void badAttributesSayWhatExists() {
    assertThatThrownBy(() -> SensitiveAttribute.categorical("sex").groups(table()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("no column 'sex'; the columns are [age, colour]");
    assertThatThrownBy(() -> SensitiveAttribute.categorical("label").groups(table()))
        .hasMessageContaining("('label' is the target)");
    assertThatThrownBy(() -> SensitiveAttribute.categorical("age").groups(table()))
        .hasMessageContaining("'age' is numeric; give a threshold t");
    assertThatThrownBy(() -> SensitiveAttribute.numeric("colour", 3).groups(table()))
        .hasMessageContaining("categorical with levels [red, blue, green]; a threshold (3.0) applies to numeric columns only");
    assertThatThrownBy(() -> SensitiveAttribute.numeric("age", 100).groups(table().select(new int[] {0, 1, 2})))
        .hasMessageContaining("every one of the 3 rows is in group 'age<100', expected at least 2 groups");
    assertThatThrownBy(() -> SensitiveAttribute.numeric("age", Double.NaN)).hasMessageContaining("finite");
  }

  @Test
  void germanCreditGroupsMatchTheFile() throws Exception {
    Table t = CreditG.table();
    // count straight from the ARFF text: personal_status is the 9th value of a row, age the 13th
    Map<String, Integer> status = new HashMap<>();
    int young = 0;
    boolean data = false;
    for (String line : Files.readAllLines(CreditG.path())) {
      if (line.strip().equalsIgnoreCase("@data")) {
        data = true;
      } else if (data && !line.isBlank() && !line.startsWith("%")) {
        String[] v = line.split(",");
        status.merge(v[8].replace("'", ""), 1, Integer::sum);
        young += Double.parseDouble(v[12]) < 25 ? 1 : 0;
      }
    }
    Groups age = SensitiveAttribute.numeric("age", 25).groups(t);
    assertThat(age.names()).containsExactly("age<25", "age>=25");
    assertThat(age.sizes()).containsExactly(young, t.rows() - young);
    Groups ps = SensitiveAttribute.categorical("personal_status").groups(t);
    assertThat(ps.names()).containsExactlyInAnyOrderElementsOf(status.keySet());
    for (String name : ps.names()) {
      assertThat(ps.sizes()[ps.indexOf(name)]).as(name).isEqualTo(status.get(name));
    }
  }
}
