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
        "--batch-size", "50", "--hidden", "16", "--track", "2", "--no-baseline", "--flip", "0.1", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("In-Run Data Shapley (first order, MLP 784-16-10, 2 epochs)", "tracked steps: Pearson r =",
        "removed  high-first  low-first  random");
    assertThat(Files.readAllLines(out)).hasSize(201);
    assertThat(Files.readAllLines(dir.resolve("v-steps.csv"))).hasSize(1 + 4).first().isEqualTo("step,predicted,predicted_first_order,actual");
    assertThat(dir.resolve("v-removal.png")).isRegularFile();
    assertThat(dir.resolve("v-lowest.png")).isRegularFile();
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

  @Test
  void badArgumentsGiveOneLine(@TempDir Path dir) {
    assertOneLineError(run("value", "--flip", "1.5", "--out", dir.resolve("v.csv").toString()), "--flip must be in [0, 1), got 1.5");
    assertOneLineError(run("value", "--method", "shapley", "--out", dir.resolve("v.csv").toString()), "--method must be one of [knn, loo, tmc, inrun, tracin], got 'shapley'");
    assertOneLineError(run("value", "--schedule", "step", "--out", dir.resolve("v.csv").toString()), "--schedule must be cosine or constant, got 'step'");
    assertOneLineError(run("value", "--method", "tmc", "--train-size", "30", "--exact-check", "--no-removal", "--out", dir.resolve("v.csv").toString()),
        "--exact-check needs --train-size <= 20, got 30");
  }
}
