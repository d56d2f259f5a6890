package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.data.FashionMnist;
import dev.fathom.io.Checkpoint;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom explain and fathom attack: reports, JSON, and one-line errors. */
class XaiCliTest {
  private static Path cnn(Path dir) throws Exception {
    var cfg = ClassifierConfig.cnn(new int[] {1, 28, 28}, FashionMnist.CLASS_NAMES, "fashion-mnist");
    Path model = dir.resolve("cnn");
    Checkpoint.save(model, Classifiers.build(cfg, new Rng(1)), cfg, Map.of());
    return model;
  }

  private static Path idx(Path dir, int n, int side) throws Exception {
    byte[] b = new byte[16 + n * side * side];
    b[2] = 0x08;
    b[3] = 3;
    b[7] = (byte) n;
    b[11] = (byte) side;
    b[15] = (byte) side;
    for (int i = 16; i < b.length; i++) b[i] = (byte) ((i * 31) % 256);
    Path p = dir.resolve("images-" + side + "-idx3-ubyte");
    Files.write(p, b);
    return p;
  }

  @Test
  void explainTabularRowsRanksFeaturesAndChecksCompleteness(@TempDir Path dir) throws Exception {
    Path csv = CliTest.blobs(dir, 200, 2);
    Path model = dir.resolve("m");
    assertThat(run("train", "--data", csv.toString(), "--model", "mlp", "--epochs", "3", "--batch", "32", "--out", model.toString()).code()).isZero();
    Path out = dir.resolve("report");
    var r = run("explain", "--model", model.toString(), "--input", csv.toString(), "--method", "ig,saliency,occlusion,shap,lime", "--window", "1",
        "--limit", "3", "--data", csv.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("ig: completeness error").contains("x1 ");
    assertThat(Files.readString(out.resolve("index.html"))).contains("<table>").contains("occlusion").contains("lime");
    // 3 examples × 5 methods × 5 features (x1, x2, x3, color=red, color=blue) + header
    List<String> lines = Files.readAllLines(out.resolve("attributions.csv"));
    assertThat(lines).hasSize(1 + 3 * 5 * 5);
    // x3 is noise and the classes differ in x1 and x2: KernelSHAP ranks x3 below x1 for the first row
    double x1 = value(lines, 0, "shap", "x1"), x3 = value(lines, 0, "shap", "x3");
    assertThat(Math.abs(x1)).isGreaterThan(Math.abs(x3));
    assertOneLineError(run("explain", "--model", model.toString(), "--input", csv.toString(), "--method", "shap", "--out", out.toString()),
        "needs reference rows");
  }

  private static double value(List<String> csvLines, int index, String method, String feature) {
    return csvLines.stream().map(l -> l.split(",")).filter(c -> c[0].equals(Integer.toString(index)) && c[1].equals(method) && c[2].equals(feature))
        .mapToDouble(c -> Double.parseDouble(c[3])).findFirst().orElseThrow();
  }

  @Test
  void explainImagesWritesHeatmaps(@TempDir Path dir) throws Exception {
    Path model = cnn(dir);
    Path out = dir.resolve("report");
    var r = run("explain", "--model", model.toString(), "--input", idx(dir, 2, 28).toString(), "--method", "saliency,gradient,gradxinput", "--target", "Bag",
        "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    for (String f : List.of("example-000-saliency.png", "example-000-gradient.png", "example-001-gradxinput.png", "index.html")) assertThat(out.resolve(f)).exists();
    assertThat(Files.readString(out.resolve("index.html"))).contains("example-001-saliency.png").contains("Bag");
  }

  @Test
  void attackJsonReportsCleanAndAdversarialAccuracy(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist is not installed");
    var r = run("attack", "--model", cnn(dir).toString(), "--method", "pgd", "--eps", "0.05", "--steps", "2", "--limit", "20", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out().strip());
    assertThat(j.has("clean_accuracy")).isTrue();
    assertThat(j.get("adversarial_accuracy").asDouble()).isLessThanOrEqualTo(j.get("clean_accuracy").asDouble());
    assertThat(j.get("examples").asInt()).isEqualTo(20);
  }

  @Test
  void attackTakesPredictFormatsWithLabels(@TempDir Path dir) throws Exception {
    Path model = cnn(dir);
    Path images = idx(dir, 3, 28);
    Path labels = dir.resolve("labels-idx1-ubyte");
    Files.write(labels, new byte[] {0, 0, 0x08, 1, 0, 0, 0, 3, 1, 2, 9});
    var r = run("attack", "--model", model.toString(), "--input", images.toString(), "--labels", labels.toString(), "--eps", "0.05", "--steps", "2",
        "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(new ObjectMapper().readTree(r.out().strip()).get("examples").asInt()).isEqualTo(3);
    Path wrong = dir.resolve("two-idx1-ubyte");
    Files.write(wrong, new byte[] {0, 0, 0x08, 1, 0, 0, 0, 2, 1, 2});
    assertOneLineError(run("attack", "--model", model.toString(), "--input", images.toString(), "--labels", wrong.toString()),
        "expected 3 labels", "got dims [2]");
    assertOneLineError(run("attack", "--model", model.toString(), "--input", images.toString()), "need --labels");
  }

  @Test
  void badInputGivesOneLine(@TempDir Path dir) throws Exception {
    Path model = cnn(dir);
    assertOneLineError(run("explain", "--model", model.toString(), "--input", idx(dir, 1, 10).toString(), "--out", dir.resolve("o").toString()),
        "expected IDX images of 28x28", "[1, 10, 10]");
    assertOneLineError(run("explain", "--model", model.toString(), "--input", idx(dir, 1, 28).toString(), "--method", "lrp", "--out", dir.toString()),
        "unknown method 'lrp'");
    assertOneLineError(run("explain", "--model", model.toString(), "--input", idx(dir, 1, 28).toString(), "--target", "Hat", "--out", dir.toString()),
        "'Hat' is neither a class name");
    assertOneLineError(run("attack", "--model", model.toString(), "--method", "cw"), "fgsm or pgd, got 'cw'");
    assertOneLineError(run("attack", "--model", model.toString(), "--eps", "-1"), "eps must be a finite number >= 0, got -1.0");
    assertOneLineError(run("train", "--data", "fashion-mnist", "--adversarial", "fgsm", "--out", dir.toString()), "--adversarial must be 'pgd'");
  }
}
