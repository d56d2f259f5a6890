package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom compress distill: an LM student that lm eval and lm generate load, and bad arguments. */
class CompressDistillCliTest {

  @Test
  void lmStudentIsAnOrdinaryModel(@TempDir Path tmp) throws Exception {
    Path t = CompressCliTest.tinyModel(tmp.resolve("t")), text = CompressCliTest.text(tmp), out = tmp.resolve("s");
    CliTest.Run r = run("compress", "distill", "--teacher", t.toString(), "--student-preset", "tiny", "--data", text.toString(),
        "--out", out.toString(), "--steps", "2", "--context", "32", "--batch", "2", "--temperature", "4", "--alpha", "0.9");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("temperature 4.00, alpha 0.900").contains("validation loss");
    assertThat(Files.readString(out.resolve("distill.json"))).contains("\"val_loss\"").contains("\"alpha\" : 0.9");
    assertThat(out.resolve("metrics.jsonl")).exists();
    CliTest.Run e = run("lm", "eval", "--model", out.toString(), "--text", text.toString());
    assertThat(e.code()).as(e.err()).isZero();
    CliTest.Run g = run("lm", "generate", "--model", out.toString(), "--prompt", "To be", "--tokens", "3", "--greedy");
    assertThat(g.code()).as(g.err()).isZero();

    // --student-init: the student starts from that model (one step at a vanishing rate leaves it where it was)
    Path again = tmp.resolve("again");
    CliTest.Run i = run("compress", "distill", "--teacher", t.toString(), "--student-preset", "tiny", "--student-init", out.toString(), "--data",
        text.toString(), "--out", again.toString(), "--steps", "1", "--context", "32", "--batch", "2", "--lr", "1e-12", "--alpha", "1");
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("student tiny from " + out);
    var before = dev.fathom.llm.HfCheckpoint.load(out).namedParameters();
    var after = dev.fathom.llm.HfCheckpoint.load(again).namedParameters();
    before.forEach((k, v) -> {
      float[] a = v.toFloatArray(), b = after.get(k).toFloatArray();
      for (int j = 0; j < a.length; j++) assertThat(b[j]).as("%s[%d]", k, j).isCloseTo(a[j], org.assertj.core.data.Offset.offset(1e-6f));
    });
    assertThat(Files.readString(again.resolve("distill.json"))).contains("\"student_init\"");
    assertOneLineError(run("compress", "distill", "--teacher", t.toString(), "--student-preset", "small", "--student-init", out.toString(),
        "--data", text.toString(), "--out", tmp.resolve("x").toString(), "--steps", "1"), "--student-init: expected a 'small' model", "got LlamaConfig");
  }

  @Test
  void badArgumentsNameWhatWasExpected(@TempDir Path tmp) throws Exception {
    Path t = CompressCliTest.tinyModel(tmp.resolve("t")), text = CompressCliTest.text(tmp);
    String[] base = {"compress", "distill", "--teacher", t.toString(), "--data", text.toString(), "--out", tmp.resolve("o").toString(),
        "--steps", "1"};
    assertOneLineError(run(concat(base, "--student-preset", "huge")), "--student-preset: expected one of [tiny, small, base]", "got 'huge'");
    assertOneLineError(run(concat(base, "--student-preset", "tiny", "--temperature", "0")), "temperature > 0, got 0.0");
    assertOneLineError(run(concat(base, "--student-preset", "tiny", "--alpha", "1.5")), "alpha in [0, 1], got 1.5");
    assertOneLineError(run(concat(base, "--student-preset", "tiny", "--augment", "light")), "--augment: expected none for a text file, got 'light'");
    assertOneLineError(run("compress", "distill", "--teacher", t.toString(), "--data", "fashion-mnist", "--out", tmp.resolve("o").toString(),
        "--student-preset", "cnn", "--student-init", t.toString()), "--student-init: expected a text file as --data (language models only)");
    assertOneLineError(run("compress", "distill", "--teacher", t.toString(), "--data", "fashion-mnist", "--out", tmp.resolve("o").toString(),
        "--student-preset", "tiny"), "expected one of [cnn, cnn-quarter] for fashion-mnist", "got 'tiny'");
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
