package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom fairness: errors, the text and JSON reports, the chart, each mitigation. */
class FairnessCommandTest {
  @TempDir static Path dir;
  static Path csv, model;

  @BeforeAll
  static void trainOnBlobs() throws Exception {
    csv = CliTest.blobs(dir, 300, 3);
    model = dir.resolve("model");
    CliTest.Run t = run("train", "--data", csv.toString(), "--model", "mlp", "--epochs", "3", "--batch", "32", "--seed", "7", "--out",
        model.toString());
    assertThat(t.code()).as(t.err()).isZero();
  }

  static CliTest.Run fairness(String... args) {
    return run(Stream.concat(Stream.of("fairness", "--model", model.toString(), "--data", csv.toString(), "--seed", "7"), Stream.of(args))
        .toArray(String[]::new));
  }

  @Test
  void unknownSensitiveAttributeNamesTheColumnsThatExist() {
    assertOneLineError(fairness("--sensitive", "sex"), "fathom: --sensitive: no column 'sex'; the columns are [x1, x2, color, x3]");
    assertOneLineError(fairness("--sensitive", "label"), "'label' is the target");
  }

  @Test
  void otherBadArgumentsAreOneLineErrors() {
    assertOneLineError(fairness("--sensitive", "x1"), "'x1' is numeric; give a threshold");
    assertOneLineError(fairness("--sensitive", "color", "--privileged", "green"), "--privileged: no group 'green'; the groups are [blue, red]");
    assertOneLineError(fairness("--sensitive", "color", "--favorable", "maybe"), "--favorable: no class 'maybe'; the model's classes are [no, yes]");
    assertOneLineError(fairness("--sensitive", "color", "--mitigate", "magic"), "--mitigate must be none, reweigh, threshold or expgrad");
    assertOneLineError(fairness("--sensitive", "color", "--eps", "0"), "eps must be in (0, 1]");
    assertOneLineError(run("fairness", "--model", model.toString(), "--data", csv.toString(), "--sensitive", "color", "--seed", "8"),
        "--seed 8 does not give the split the model was trained on", "give the --seed (and --fold) that fathom train used");
  }

  @Test
  void jsonReportAddsUpOverTheTestSplit() throws Exception {
    CliTest.Run r = fairness("--sensitive", "x1", "--threshold", "0", "--favorable", "yes", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out().strip());
    assertThat(j.get("groups").toString()).isEqualTo("[\"x1<0\",\"x1>=0\"]");
    assertThat(j.get("test_rows").asInt()).isEqualTo(60);
    JsonNode m = j.get("results").get("model");
    int n = 0;
    double selected = 0, lo = 1, hi = 0;
    for (JsonNode g : m.get("groups")) {
      n += g.get("count").asInt();
      double sr = g.get("selection_rate").asDouble();
      selected += sr * g.get("count").asInt();
      lo = Math.min(lo, sr);
      hi = Math.max(hi, sr);
    }
    assertThat(n).isEqualTo(60);
    assertThat(m.get("selection_rate").asDouble()).isCloseTo(selected / n, within(1e-9));
    assertThat(m.get("demographic_parity_difference").asDouble()).isCloseTo(hi - lo, within(1e-9));
    // x1 carries the class (blobs at -1.5 and +1.5), so the model selects 'yes' far more often for x1 >= 0
    assertThat(hi - lo).isGreaterThan(0.5);
    assertThat(m.get("dp_difference_p_value").asDouble()).isLessThan(0.01);
    assertThat(m.get("calibration")).hasSize(3);
  }

  @Test
  void crossValidationFoldsCoverEveryRowOnce(@TempDir Path folds) throws Exception {
    int rows = 300;
    boolean[] seen = new boolean[rows];
    int total = 0;
    for (int k = 1; k <= 3; k++) {
      Path m = folds.resolve("fold" + k);
      CliTest.Run t = run("train", "--data", csv.toString(), "--model", "mlp", "--epochs", "1", "--batch", "32", "--seed", "7", "--fold",
          k + "/3", "--out", m.toString());
      assertThat(t.code()).as(t.err()).isZero();
      CliTest.Run r = run("fairness", "--model", m.toString(), "--data", csv.toString(), "--seed", "7", "--fold", k + "/3", "--sensitive",
          "color", "--json");
      assertThat(r.code()).as(r.err()).isZero();
      JsonNode j = new ObjectMapper().readTree(r.out().strip());
      assertThat(j.get("fold").asText()).isEqualTo(k + "/3");
      total += j.get("test_rows").asInt();
      assertOneLineError(run("fairness", "--model", m.toString(), "--data", csv.toString(), "--seed", "7", "--fold", (k % 3 + 1) + "/3",
          "--sensitive", "color"), "--seed 7 --fold " + (k % 3 + 1) + "/3 does not give the split the model was trained on");
      for (int i : dev.fathom.data.Split.stratifiedFold(labelsOf(csv), 3, k - 1, 7).test()) {
        assertThat(seen[i]).as("row %d held out twice", i).isFalse();
        seen[i] = true;
      }
    }
    assertThat(total).isEqualTo(rows);
    assertOneLineError(run("train", "--data", csv.toString(), "--model", "mlp", "--fold", "4/3", "--out", folds.resolve("x").toString()),
        "--fold: expected K/N with 1 <= K <= N, got 4/3");
    assertOneLineError(run("train", "--data", csv.toString(), "--model", "mlp", "--fold", "half", "--out", folds.resolve("x").toString()),
        "--fold: expected K/N (e.g. 3/5");
    assertOneLineError(run("train", "--data", "fashion-mnist", "--model", "mlp", "--fold", "1/5", "--out", folds.resolve("x").toString()),
        "--fold: fashion-mnist has its own test set; folds are for tables");
    assertOneLineError(run("train", "--data", csv.toString(), "--model", "mlp", "--fold", "1/1", "--out", folds.resolve("x").toString()),
        "--fold: expected K/N with N >= 2 folds, got 1/1");
  }

  private static int[] labelsOf(Path table) throws Exception {
    return DataSources.readTable(table.toString(), null).labels();
  }

  @Test
  void equalizedOddsThresholdsEqualizeTprAndFprOnTheTrainingRows() throws Exception {
    CliTest.Run r = fairness("--sensitive", "color", "--mitigate", "threshold", "--constraint", "equalized_odds", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out().strip());
    assertThat(j.get("constraint").asText()).isEqualTo("equalized_odds");
    String description = j.get("results").get("threshold").get("description").asText();
    assertThat(description).contains("equalized odds").contains("common training FPR");
    assertThat(j.get("comparison").get("eo_difference_after").isNumber()).isTrue();
    CliTest.Run text = fairness("--sensitive", "color", "--mitigate", "threshold", "--constraint", "equalized_odds");
    assertThat(text.out()).contains("before -> after (threshold): equalized odds difference");
    assertOneLineError(fairness("--sensitive", "color", "--mitigate", "expgrad", "--constraint", "equalized_odds"),
        "--constraint equalized_odds needs --mitigate threshold");
    assertOneLineError(fairness("--sensitive", "color", "--mitigate", "threshold", "--constraint", "parity"),
        "--constraint: unknown fairness constraint 'parity': expected one of demographic_parity, equalized_odds");
  }

  @Test
  void textReportAndChart() throws Exception {
    Path out = dir.resolve("chart");
    CliTest.Run r = fairness("--sensitive", "color", "--mitigate", "threshold", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("| group | n | base rate | selection rate | TPR | FPR | accuracy | ECE |", "| blue |", "| red |",
        "demographic parity difference", "disparate impact", "four-fifths rule", "threshold: the checkpoint with per-group thresholds",
        "before -> after (threshold)");
    BufferedImage img = ImageIO.read(out.resolve("fairness.png").toFile());
    assertThat(img.getWidth()).isEqualTo(720);
  }

  @Test
  void everyMitigationReportsBeforeAndAfter() throws Exception {
    for (String m : new String[] {"reweigh", "threshold", "expgrad"}) {
      CliTest.Run r = fairness("--sensitive", "color", "--mitigate", m, "--rounds", "3", "--json");
      assertThat(r.code()).as(m + ": " + r.err()).isZero();
      JsonNode j = new ObjectMapper().readTree(r.out().strip());
      assertThat(j.get("comparison").get("after").asText()).isEqualTo(m);
      assertThat(j.get("results").has(m)).isTrue();
      assertThat(j.get("comparison").get("accuracy_after").asDouble()).isGreaterThan(0.7); // the blobs are easy with or without mitigation
    }
    CliTest.Run g = fairness("--sensitive", "color", "--mitigate", "expgrad", "--rounds", "2", "--group-feature", "--json");
    assertThat(g.code()).as(g.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(g.out().strip());
    assertThat(j.get("group_feature").asBoolean()).isTrue();
    assertThat(j.get("results").get("expgrad").get("description").asText()).contains("logistic regression (+ group one-hot)", "2 ");
  }

  @Test
  void germanCreditByAge() throws Exception {
    Path credit = Stream.of(System.getenv("WEKA_EXAMPLES"), "/usr/share/doc/weka/examples")
        .filter(d -> d != null && Files.isRegularFile(Path.of(d, "credit-g.arff"))).map(d -> Path.of(d, "credit-g.arff")).findFirst()
        .orElse(null);
    assumeTrue(credit != null, "credit-g.arff is neither in $WEKA_EXAMPLES nor in /usr/share/doc/weka/examples");
    Path m = dir.resolve("credit");
    assertThat(run("train", "--data", credit.toString(), "--model", "mlp", "--epochs", "2", "--seed", "1", "--out", m.toString()).code()).isZero();
    CliTest.Run r = run("fairness", "--model", m.toString(), "--data", credit.toString(), "--sensitive", "age", "--threshold", "25", "--seed",
        "1", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out().strip());
    assertThat(j.get("favorable").asText()).isEqualTo("good");
    assertThat(j.get("groups").toString()).isEqualTo("[\"age<25\",\"age>=25\"]");
    assertThat(j.get("test_rows").asInt()).isEqualTo(200);
    assertOneLineError(run("fairness", "--model", m.toString(), "--data", credit.toString(), "--sensitive", "sex"),
        "no column 'sex'", "personal_status", "foreign_worker");
  }
}
