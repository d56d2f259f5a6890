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

/** fathom ssl pretrain | probe on a tiny run: checkpoint files, loss curve, the probe table and results.csv, one-line errors. */
class SslCommandTest {
  private static void assumeData() {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist is not installed");
  }

  @Test
  void pretrainThenProbeATinyEncoder(@TempDir Path dir) throws Exception {
    assumeData();
    Path model = dir.resolve("byol");
    var r = run("ssl", "pretrain", "--method", "byol", "--train-size", "64", "--batch", "32", "--epochs", "1", "--widths", "4,8",
        "--out", model.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("byol: ResNet [4, 8]", "epoch 1/1  step 2/2", "pretrained in");
    assertThat(model.resolve("config.json")).content().contains("\"method\" : \"byol\"", "\"type\" : \"resnet\"");
    assertThat(model.resolve("encoder.safetensors")).isRegularFile();
    assertThat(model.resolve("loss.png")).isRegularFile();
    assertThat(Files.readAllLines(model.resolve("loss.csv"))).hasSize(3).first().isEqualTo("step,loss");

    var p = run("ssl", "probe", "--model", model.toString(), "--labels-per-class", "2,all", "--draws", "2", "--baselines",
        "--train-pool", "300", "--test-size", "50", "--ft-steps", "2");
    assertThat(p.code()).as(p.err()).isZero();
    assertThat(p.out()).contains("model / probe", "byol / linear", "pixels / linear", "random encoder / linear", "supervised / from scratch",
        "2 labels/class", "all labels/class");
    List<String> csv = Files.readAllLines(model.resolve("results.csv"));
    assertThat(csv.get(0)).isEqualTo("model,probe,labels_per_class,draw,accuracy");
    // 4 models x (2 draws of 2 labels + 1 of all)
    assertThat(csv).hasSize(1 + 4 * 3);
    assertThat(csv).anyMatch(l -> l.startsWith("byol,linear,all,0,"));

    var k = run("ssl", "probe", "--model", model.toString(), "--labels-per-class", "3", "--draws", "1", "--probe", "knn",
        "--train-pool", "200", "--test-size", "20", "--out", dir.resolve("k.csv").toString());
    assertThat(k.code()).as(k.err()).isZero();
    assertThat(Files.readAllLines(dir.resolve("k.csv"))).hasSize(2).last().asString().startsWith("byol,knn,3,0,");
  }

  @Test
  void aRunInTwoSittingsEndsWithTheSameEncoderAsOneRun(@TempDir Path dir) throws Exception {
    assumeData();
    String[] common = {"ssl", "pretrain", "--method", "simclr", "--train-size", "64", "--batch", "32", "--epochs", "2", "--widths", "4,8"};
    Path whole = dir.resolve("whole"), parts = dir.resolve("parts");
    var a = run(concat(common, "--out", whole.toString()));
    assertThat(a.code()).as(a.err()).isZero();
    var b1 = run(concat(common, "--stop-after", "1", "--out", parts.toString()));
    assertThat(b1.code()).as(b1.err()).isZero();
    assertThat(b1.out()).contains("stopped after epoch 1 of 2").doesNotContain("epoch 2/2");
    assertThat(parts.resolve("encoder.safetensors")).doesNotExist();
    assertOneLineError(run(concat(common, "--seed", "5", "--resume", "--out", parts.toString())), "expected a simclr run with PretrainConfig[");
    var b2 = run(concat(common, "--resume", "--out", parts.toString()));
    assertThat(b2.code()).as(b2.err()).isZero();
    assertThat(b2.out()).contains("resuming after epoch 1", "epoch 2/2").doesNotContain("epoch 1/2");
    assertThat(Files.readAllBytes(parts.resolve("encoder.safetensors"))).isEqualTo(Files.readAllBytes(whole.resolve("encoder.safetensors")));
    assertThat(Files.readAllLines(parts.resolve("loss.csv"))).isEqualTo(Files.readAllLines(whole.resolve("loss.csv")));
    try (var left = Files.list(parts)) {
      assertThat(left.map(f -> f.getFileName().toString())).noneMatch(f -> f.startsWith("pretrain-"));
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void maePretrainsAViTAndTheProbesLoadIt(@TempDir Path dir) throws Exception {
    assumeData();
    Path model = dir.resolve("mae");
    var r = run("ssl", "pretrain", "--method", "mae", "--train-size", "64", "--batch", "32", "--epochs", "1", "--patch", "7", "--dim", "16",
        "--depth", "1", "--heads", "2", "--decoder-dim", "8", "--decoder-depth", "1", "--decoder-heads", "2", "--out", model.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("mae: ViT patch 7, dim 16, depth 1", "4 of 16 patches visible", "epoch 1/1  step 2/2",
        "held-out reconstruction of hidden patches (10000 test images, MSE in pixels)");
    assertThat(model.resolve("config.json")).content().contains("\"method\" : \"mae\"", "\"type\" : \"vit\"", "\"reconstruction\"");
    for (String f : List.of("encoder.safetensors", "mae.safetensors", "loss.png", "reconstructions.png")) assertThat(model.resolve(f)).isRegularFile();

    var p = run("ssl", "probe", "--model", model.toString(), "--labels-per-class", "2", "--draws", "1", "--probe", "finetune",
        "--train-pool", "200", "--test-size", "20", "--ft-steps", "2");
    assertThat(p.code()).as(p.err()).isZero();
    assertThat(p.out()).contains("mae / finetune");
  }

  @Test
  void badArgumentsGiveOneLine(@TempDir Path dir) throws Exception {
    assertOneLineError(run("ssl", "pretrain", "--method", "dino", "--out", dir.toString()), "--method must be one of [simclr, byol, mae], got 'dino'");
    assertOneLineError(run("ssl", "pretrain", "--temperature", "0", "--epochs", "1", "--out", dir.toString()), "temperature");
    assertOneLineError(run("ssl", "pretrain", "--method", "mae", "--patch", "5", "--out", dir.toString()), "patchSize must divide imageSize");
    assertOneLineError(run("ssl", "pretrain", "--method", "mae", "--mask-ratio", "1", "--out", dir.toString()), "maskRatio must be in [0, 1), got 1.0");
    assertOneLineError(run("ssl", "pretrain", "--method", "mae", "--resume", "--out", dir.toString()), "--resume: expected --method simclr or byol, got mae");
    assertOneLineError(run("ssl", "pretrain", "--epochs", "2", "--stop-after", "3", "--out", dir.toString()),
        "--stop-after: expected an epoch count in [1, --epochs = 2], got 3");
    assertOneLineError(run("ssl", "probe", "--model", dir.resolve("none").toString(), "--labels-per-class", "10"), "is not a directory");
    assertOneLineError(run("ssl", "probe", "--model", dir.toString(), "--labels-per-class", "ten"), "expected positive integers or 'all', got 'ten'");
    assertOneLineError(run("ssl", "probe", "--model", dir.toString(), "--labels-per-class", "10"), "no config.json");
    assertOneLineError(run("ssl", "probe", "--model", dir.toString(), "--labels-per-class", "10", "--probe", "svm"), "--probe must be linear, knn or finetune");
    assertOneLineError(run("ssl", "probe", "--model", dir.toString(), "--labels-per-class", "10", "--probe-steps", "0"), "--probe-steps must be >= 1, got 0");
  }
}
