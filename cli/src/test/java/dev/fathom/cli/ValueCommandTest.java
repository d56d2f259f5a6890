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
    var r = run("value", "--train-size", "300", "--valid-size", "50", "--k", "5", "--flip", "0.1", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("flipped labels: 30; detection ROC AUC");
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).isEqualTo("index,label,value,flipped");
    assertThat(lines).hasSize(301);
    assertThat(lines.stream().skip(1).filter(l -> l.endsWith(",1")).count()).isEqualTo(30);
  }

  @Test
  void badArgumentsGiveOneLine(@TempDir Path dir) {
    assertOneLineError(run("value", "--flip", "1.5", "--out", dir.resolve("v.csv").toString()), "--flip must be in [0, 1), got 1.5");
    assertOneLineError(run("value", "--method", "tmc", "--out", dir.resolve("v.csv").toString()), "only 'knn' is available so far");
  }
}
