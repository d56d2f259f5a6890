package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom value: values.csv in input order, the flip-detection line, one-line errors. */
class ValueCommandTest {
  @Test
  void knnValuesOneRowPerTrainingExample(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist is not installed");
    Path out = dir.resolve("values.csv");
    var r = run("value", "--train-size", "300", "--valid-size", "50", "--k", "5", "--flip", "0.1", "--no-removal", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("flipped labels: 30; detection ROC AUC");
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).isEqualTo("index,label,value,flipped");
    assertThat(lines).hasSize(301);
    assertThat(lines.stream().skip(1).filter(l -> l.endsWith(",1")).count()).isEqualTo(30);
    assertThat(dir.resolve("values-lowest.png")).isRegularFile();
    assertThat(dir.resolve("values-removal.png")).doesNotExist();
  }

  @Test
  void inRunWritesValuesTraceAndRemovalCurve(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist is not installed");
    Path out = dir.resolve("v.csv");
    var r = run("value", "--method", "inrun", "--train-size", "200", "--valid-size", "40", "--eval-size", "60", "--epochs", "2",
        "--batch-size", "50", "--hidden", "16", "--track", "2", "--no-baseline", "--flip", "0.1", "--removal-epochs", "2", "--removal-repeats", "2",
        "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("In-Run Data Shapley (first order, MLP 784-16-10, 2 epochs)", "tracked steps: Pearson r =",
        "removed  high-first       low-first        random", "mean ± sd of 2 seeds", "step size 0.2,");
    assertThat(r.out()).containsPattern("the retrained MLP fits [0-9.]+% of its training labels, [0-9.]+% of the flipped ones");
    assertThat(Files.readAllLines(out)).hasSize(201);
    assertThat(Files.readAllLines(dir.resolve("v-steps.csv"))).hasSize(1 + 4).first().isEqualTo("step,predicted,predicted_first_order,actual");
    assertThat(dir.resolve("v-removal.png")).isRegularFile();
    assertThat(dir.resolve("v-lowest.png")).isRegularFile();
  }

  @Test
  void inRunTimesTheRequestedAlternatingRounds(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist is not installed");
    var r = run("value", "--method", "inrun", "--train-size", "100", "--valid-size", "20", "--eval-size", "20", "--epochs", "1",
        "--batch-size", "50", "--hidden", "8", "--no-removal", "--timing-rounds", "2", "--out", dir.resolve("v.csv").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("cost \\(fastest of 2 alternating runs after a warm-up\\): plain training [0-9.]+ s wall");
    assertOneLineError(run("value", "--method", "inrun", "--train-size", "100", "--valid-size", "20", "--eval-size", "20",
        "--timing-rounds", "0", "--out", dir.resolve("w.csv").toString()), "--timing-rounds must be >= 1, got 0");
    assertOneLineError(run("value", "--method", "inrun", "--train-size", "100", "--valid-size", "20", "--eval-size", "20",
        "--removal-lr", "0", "--out", dir.resolve("w.csv").toString()), "--removal-lr must be > 0, got 0.0");
  }

  @Test
  void tmcAgreesWithExactEnumerationOnTenExamples(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist is not installed");
    var r = run("value", "--method", "tmc", "--train-size", "10", "--valid-size", "200", "--exact-check", "--no-removal",
        "--out", dir.resolve("t.csv").toString());
    assertThat(r.code()).as(r.err()).isZero();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("Spearman rho = ([0-9.]+)").matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThan(0.9);
  }

  /** Three Gaussian classes in 4 features, one column categorical-free: every method runs on it and finds flips. */
  static Path table(Path dir) throws java.io.IOException {
    java.util.Random rng = new java.util.Random(5);
    StringBuilder csv = new StringBuilder("a,b,c,d,label\n");
    String[] names = {"red", "green", "blue"};
    for (int i = 0; i < 240; i++) {
      int c = i % 3;
      csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%s%n", 10 + 3 * c + rng.nextGaussian(), (c == 1 ? 2 : 0) + rng.nextGaussian(),
          100 * rng.nextGaussian(), c == 2 ? 1.5 : rng.nextGaussian(), names[c]));
    }
    Path p = dir.resolve("t.csv");
    Files.writeString(p, csv);
    return p;
  }

  @Test
  void everyMethodValuesTheRowsOfATable(@TempDir Path dir) throws Exception {
    Path data = table(dir);
    for (String method : ValueMethods.NAMES) {
      Path out = dir.resolve(method + ".csv");
      var r = run("value", "--data", data.toString(), "--method", method, "--flip", "0.1", "--epochs", "10", "--batch-size", "16", "--hidden", "8",
          "--no-baseline", "--removal-epochs", "2", "--removal-repeats", "1", "--permutations", "200", "--out", out.toString());
      assertThat(r.code()).as(method + ": " + r.err()).isZero();
      // 240 rows: 48 validation, 48 evaluation, 144 valued, 14 of them flipped
      assertThat(Files.readAllLines(out)).as(method).hasSize(145);
      assertThat(r.out()).as(method).contains("144 training examples valued on 48 validation examples", "flipped labels: 14;", "index = data row of the table",
          "held-out examples");
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("detection ROC AUC \\(low value = flipped\\): ([0-9.]+)").matcher(r.out());
      assertThat(m.find()).as(r.out()).isTrue();
      if (!method.equals("loo")) assertThat(Double.parseDouble(m.group(1))).as(method).isGreaterThan(0.7);
      List<String> lowest = Files.readAllLines(dir.resolve(method + "-lowest.csv"));
      assertThat(lowest.get(0)).isEqualTo("index,value,label,was,a,b,c,d");
      assertThat(lowest).hasSize(33);
      assertThat(dir.resolve(method + "-lowest.png")).doesNotExist();
    }
    assertThat(run("value", "--data", data.toString(), "--method", "inrun", "--no-baseline", "--no-removal", "--out", dir.resolve("x.csv").toString()).out())
        .contains("MLP 4-128-3");
    assertOneLineError(run("value", "--data", data.toString(), "--valid-size", "200", "--out", dir.resolve("v.csv").toString()),
        "--valid-size and --eval-size must be >= 1 and leave at least 2 of the 240 rows");
  }

  @Test
  void badArgumentsGiveOneLine(@TempDir Path dir) {
    assertOneLineError(run("value", "--flip", "1.5", "--out", dir.resolve("v.csv").toString()), "--flip must be in [0, 1), got 1.5");
    assertOneLineError(run("value", "--method", "shapley", "--out", dir.resolve("v.csv").toString()), "--method must be one of [knn, loo, tmc, inrun, tracin], got 'shapley'");
    assertOneLineError(run("value", "--schedule", "step", "--out", dir.resolve("v.csv").toString()), "--schedule must be cosine or constant, got 'step'");
    assertOneLineError(run("value", "--method", "tmc", "--train-size", "30", "--exact-check", "--no-removal", "--out", dir.resolve("v.csv").toString()),
        "--exact-check needs --train-size <= 20, got 30");
  }
}
