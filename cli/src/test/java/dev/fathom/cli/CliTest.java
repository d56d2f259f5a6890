package dev.fathom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.io.Checkpoint;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.tensor.Rng;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract: exit codes, one-line errors, eval --json, predict formats. */
class CliTest {
  record Run(int code, String out, String err) {}

  /** Runs the CLI in-process; out and err hold what went to picocli's writers and to System.out / System.err. */
  static Run run(String... args) {
    PrintStream old = System.out, oldErr = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream(), errBuf = new ByteArrayOutputStream();
    StringWriter out = new StringWriter(), err = new StringWriter();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
      return new Run(code, buf.toString(StandardCharsets.UTF_8) + out, errBuf.toString(StandardCharsets.UTF_8) + err);
    } finally {
      System.setOut(old);
      System.setErr(oldErr);
    }
  }

  static void assertOneLineError(Run r, String... fragments) {
    assertThat(r.code()).isNotZero();
    assertThat(r.err().strip().lines().count()).as("stderr: %s", r.err()).isEqualTo(1);
    assertThat(r.err()).startsWith("fathom: ");
    for (String f : fragments) assertThat(r.err()).contains(f);
  }

  /** Two Gaussian blobs in 3 numeric features plus a categorical one; class name in "label". */
  static Path blobs(Path dir, int n, long seed) throws Exception {
    Rng rng = new Rng(seed);
    StringBuilder sb = new StringBuilder("x1,x2,color,x3,label\n");
    for (int i = 0; i < n; i++) {
      int c = i % 2;
      double m = c == 0 ? -1.5 : 1.5;
      sb.append(String.format("%.4f,%.4f,%s,%.4f,%s%n", m + rng.nextGaussian(), -m + rng.nextGaussian(),
          rng.nextInt(2) == 0 ? "red" : "blue", rng.nextGaussian() * 10, c == 0 ? "no" : "yes"));
    }
    Path p = dir.resolve("blobs.csv");
    Files.writeString(p, sb);
    return p;
  }

  @Test
  void benchGemmRejectsBadTimingArguments() {
    assertOneLineError(run("bench", "gemm", "--reps", "0"), "--reps must be >= 1, got 0");
    assertOneLineError(run("bench", "gemm", "--seconds", "-1"), "--seconds must be in [0, 600], got -1.0");
  }

  @Test
  void badThreadSettingsInTheEnvironmentAreOneLineErrors() throws Exception {
    for (String[] env : new String[][] {{"FATHOM_THREADS", "abc", "FATHOM_THREADS: expected a positive integer, got 'abc'"},
        {"FATHOM_SPIN_MICROS", "-5", "FATHOM_SPIN_MICROS: expected an integer in [0, 1000000], got '-5'"}}) {
      // a fresh JVM: the pool reads its settings once, when its class initializes
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
          "-cp", System.getProperty("java.class.path"), "dev.fathom.cli.Main", "info");
      pb.environment().put(env[0], env[1]);
      Process p = pb.start();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      p.getInputStream().readAllBytes();
      assertThat(p.waitFor()).as(err).isEqualTo(2);
      List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING")).toList();
      assertThat(lines).containsExactly("fathom: " + env[2]);
    }
    assertThat(Main.initFailure(new ExceptionInInitializerError(new IllegalStateException("a\nb")))).isEqualTo("a; b");
  }

  @Test
  void outOfMemoryIsOneLineThatSaysHowToRaiseTheLimit() {
    String m = Main.outOfMemory(new OutOfMemoryError("Java heap space"), 6L << 30);
    assertThat(m).doesNotContain("\n").contains("Java heap space", "6,144 MiB", "FATHOM_JAVA_OPTS=-Xmx", "-Xmx12g");
    assertThat(Main.outOfMemory(new OutOfMemoryError(), 512L << 20)).contains("Java heap space", "512 MiB", "-Xmx2g");
  }

  @Test
  void trainEvalPredictOnCsv(@TempDir Path dir) throws Exception {
    Path csv = blobs(dir, 300, 1);
    Path out = dir.resolve("model");
    Run t = run("train", "--data", csv.toString(), "--model", "mlp", "--epochs", "4", "--batch", "32", "--out", out.toString());
    assertThat(t.code()).as(t.err()).isZero();
    assertThat(t.out()).contains("test accuracy:");
    for (String f : List.of("config.json", "model.safetensors", "metrics.jsonl", "curves.png")) assertThat(out.resolve(f)).exists();

    Run e = run("eval", "--model", out.toString(), "--data", csv.toString(), "--json");
    assertThat(e.code()).as(e.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(e.out().strip());
    assertThat(j.fieldNames()).toIterable().containsExactly("accuracy", "loss", "examples");
    assertThat(j.get("accuracy").asDouble()).isGreaterThan(0.9);
    assertThat(j.get("examples").asInt()).isEqualTo(300);

    Run p = run("predict", "--model", out.toString(), "--input", csv.toString(), "--json");
    assertThat(p.code()).as(p.err()).isZero();
    JsonNode rows = new ObjectMapper().readTree(p.out().strip());
    assertThat(rows).hasSize(300);
    double sum = 0;
    for (var it = rows.get(0).get("probabilities").elements(); it.hasNext(); ) sum += it.next().asDouble();
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));

    Path featuresOnly = dir.resolve("new.csv");
    Files.writeString(featuresOnly, "x3,color,x1,x2\n0.5,red,-2.0,2.0\n-1.0,blue,2.0,-2.0\n");
    Run q = run("predict", "--model", out.toString(), "--input", featuresOnly.toString(), "--json");
    assertThat(q.code()).as(q.err()).isZero();
    JsonNode two = new ObjectMapper().readTree(q.out().strip());
    assertThat(two).hasSize(2);
    assertThat(two.get(0).get("prediction").asText()).isEqualTo("no");
    assertThat(two.get(1).get("prediction").asText()).isEqualTo("yes");
  }

  @Test
  void predictImagesFromIdxAndPng(@TempDir Path dir) throws Exception {
    var cfg = ClassifierConfig.cnn(new int[] {1, 28, 28}, List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), "fashion-mnist");
    Path model = dir.resolve("m");
    Checkpoint.save(model, Classifiers.build(cfg, new Rng(1)), cfg, Map.of());
    byte[] idx = new byte[4 + 12 + 3 * 784];
    idx[2] = 0x08;
    idx[3] = 3;
    idx[7] = 3;
    idx[11] = 28;
    idx[15] = 28;
    for (int i = 16; i < idx.length; i++) idx[i] = (byte) (i * 7);
    Path idxFile = dir.resolve("three-idx3-ubyte");
    Files.write(idxFile, idx);
    Run r = run("predict", "--model", model.toString(), "--input", idxFile.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines().filter(l -> !l.startsWith("#"))).hasSize(3);

    BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
    img.setRGB(10, 10, 0xffffff);
    Path png = dir.resolve("x.png");
    ImageIO.write(img, "png", png.toFile());
    Run q = run("predict", "--model", model.toString(), "--input", png.toString(), "--json");
    assertThat(q.code()).as(q.err()).isZero();
    assertThat(new ObjectMapper().readTree(q.out().strip())).hasSize(1);

    Path fake = dir.resolve("fake.png");
    Files.writeString(fake, "not an image");
    assertOneLineError(run("predict", "--model", model.toString(), "--input", fake.toString()), "fake.png");
  }

  @Test
  void badArgumentsGiveOneLine(@TempDir Path dir) throws Exception {
    assertOneLineError(run("train", "--data", "fashion-mnist", "--epochs", "many", "--out", dir.toString()), "--epochs");
    assertOneLineError(run("train", "--data", "fashion-mnist", "--model", "rnn", "--out", dir.toString()), "rnn");
    assertOneLineError(run("train", "--data", dir.resolve("missing.csv").toString(), "--model", "mlp", "--out", dir.toString()), "missing.csv");
    assertOneLineError(run("train", "--data", "fashion-mnist"), "--out");
    assertOneLineError(run("frobnicate"), "frobnicate");
    assertOneLineError(run("eval", "--model", dir.resolve("nope").toString()), "nope");
    Run r = run("train", "--data", "fashion-mnist", "--epochs", "0", "--out", dir.toString());
    assertOneLineError(r, "--epochs");
    assertThat(r.code()).isEqualTo(2);
  }

  @Test
  void badFilesGiveOneLine(@TempDir Path dir) throws Exception {
    Path ragged = dir.resolve("ragged.csv");
    Files.writeString(ragged, "a,b,label\n1,2,x\n3,y\n");
    assertOneLineError(run("train", "--data", ragged.toString(), "--model", "mlp", "--out", dir.resolve("o").toString()), "ragged.csv");
    Path text = dir.resolve("text.csv");
    Files.writeString(text, "a,b,label\n1,2,x\n3,abc,y\n");
    assertOneLineError(run("train", "--data", text.toString(), "--model", "mlp", "--out", dir.resolve("o").toString()), "abc");

    Path model = dir.resolve("m");
    Files.createDirectories(model);
    Files.writeString(model.resolve("config.json"), "{ not json");
    assertOneLineError(run("eval", "--model", model.toString()), "config.json");
    var cfg = ClassifierConfig.mlp(new int[] {4}, List.of("a", "b"), "x.csv");
    Path m2 = dir.resolve("m2");
    Checkpoint.save(m2, Classifiers.build(cfg, new Rng(1)), cfg, Map.of());
    byte[] w = Files.readAllBytes(m2.resolve("model.safetensors"));
    Files.write(m2.resolve("model.safetensors"), java.util.Arrays.copyOf(w, w.length / 2));
    assertOneLineError(run("eval", "--model", m2.toString(), "--data", ragged.toString()), "model.safetensors");
  }

  @Test
  void infoShowsKernels() {
    Run r = run("info");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("threads used").contains("float lanes").contains("kernels:");
  }
}
