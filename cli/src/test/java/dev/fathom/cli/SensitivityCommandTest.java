package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom sensitivity: one CSV row per (task, length) plus the scratchpad rows, three plots, one-line errors. */
class SensitivityCommandTest {
  @Test
  void writesTheTableAndThePlots(@TempDir Path dir) throws Exception {
    var r = run("sensitivity", "--tasks", "first,parity,majority", "--lengths", "3", "--steps", "20", "--d-model", "8", "--heads", "1",
        "--layers", "1", "--sharpness-draws", "1", "--scratchpad", "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
    assertThat(lines.get(0)).startsWith("task,length,variant,sensitivity,accuracy,");
    assertThat(lines).hasSize(5);
    assertThat(lines.get(1)).startsWith("first,3,direct,1.000000,");
    assertThat(lines.get(2)).startsWith("parity,3,direct,3.000000,");
    assertThat(lines.get(3)).startsWith("majority,3,direct,1.500000,");
    assertThat(lines.get(4)).startsWith("parity,3,scratchpad,1.666667,");
    for (String png : List.of("accuracy.png", "sharpness.png", "norms.png")) {
      assertThat(Files.readAllBytes(dir.resolve(png))).as(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
    assertThat(r.out()).contains("first fits (accuracy >= 0.990) at n = ").contains("parity+scratchpad");
  }

  @Test
  void badArgumentsGiveOneLine(@TempDir Path dir) {
    String out = dir.toString();
    assertOneLineError(run("sensitivity", "--tasks", "parity,xor", "--out", out), "--tasks: unknown task 'xor'");
    assertOneLineError(run("sensitivity", "--lengths", "4,0", "--out", out), "--lengths: each must be in [1, 62], got 0");
    assertOneLineError(run("sensitivity", "--lengths", "1", "--sparse-k", "2", "--out", out), "sparse-parity needs n >= --sparse-k = 2, got 1");
    assertOneLineError(run("sensitivity", "--steps", "0", "--out", out), "steps must be >= 1, got 0");
    assertOneLineError(run("sensitivity", "--heads", "3", "--out", out), "numHeads must divide dModel = 32, got 3");
    assertOneLineError(run("sensitivity", "--sharpness-radius", "-1", "--out", out), "sharpnessRadius must be finite and >= 0, got -1.0");
    assertOneLineError(run("sensitivity", "--fit-accuracy", "1.5", "--out", out), "--fit-accuracy must be in (0, 1], got 1.5");
    assertOneLineError(run("sensitivity", "--lengths", "four", "--out", out), "--lengths");
  }
}
