package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom compress qat on a tiny LM and a tiny classifier, and its bad requests. */
class CompressQatCliTest {
  private static final Pattern LOSSES = Pattern.compile("fake-quantized val loss (\\d+\\.\\d+) \\| saved .* val loss (\\d+\\.\\d+)");

  @Test
  void qatFineTunesAnLmAndSavesWhatItsQuantizedForwardScored(@TempDir Path tmp) throws Exception {
    Path model = CompressCliTest.tinyModel(tmp.resolve("m")), text = CompressCliTest.text(tmp);
    for (String f : new String[] {"int2g16", "q4_0"}) {
      Path out = tmp.resolve(f);
      CliTest.Run r = run("compress", "qat", "--model", model.toString(), "--format", f, "--data", text.toString(), "--steps", "3",
          "--lr", "1e-3", "--eval-tokens", "128", "--out", out.toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("start: float val loss").contains("RTN " + f).contains("QAT " + f + ", 3 steps");
      Matcher m = LOSSES.matcher(r.out());
      assertThat(m.find()).as(r.out()).isTrue();
      assertThat(m.group(2)).as("the saved model scores what the fake-quantized forward scored").isEqualTo(m.group(1));
      assertThat(Files.readString(out.resolve("config.json")).contains("quantization_config")).as(f + " packed").isEqualTo(f.equals("q4_0"));
      CliTest.Run e = run("lm", "eval", "--model", out.toString(), "--text", text.toString());
      assertThat(e.code()).as(e.err()).isZero();
    }
    CliTest.Run c = run("compress", "qat", "--model", model.toString(), "--format", "int3g16", "--data", text.toString(), "--steps", "2",
        "--eval-tokens", "128", "--float-control", "--out", tmp.resolve("ctl").toString());
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out()).contains("float fine-tune (control) int3g16, 2 steps").contains("float val loss");
  }

  @Test
  void qatFineTunesAClassifier(@TempDir Path tmp) throws Exception {
    Path csv = CliTest.blobs(tmp, 300, 1), model = tmp.resolve("mlp"), out = tmp.resolve("q");
    CliTest.Run t = run("train", "--data", csv.toString(), "--model", "mlp", "--epochs", "2", "--batch", "32", "--out", model.toString());
    assertThat(t.code()).as(t.err()).isZero();
    CliTest.Run r = run("compress", "qat", "--model", model.toString(), "--format", "int2g16", "--data", csv.toString(), "--epochs", "1",
        "--batch", "32", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("RTN int2g16").contains("QAT int2g16, 1 epochs").contains("saved " + out);
    CliTest.Run e = run("eval", "--model", out.toString(), "--data", csv.toString());
    assertThat(e.code()).as(e.err()).isZero();
  }

  @Test
  void badRequestsGiveOneLineErrors(@TempDir Path tmp) throws Exception {
    Path model = CompressCliTest.tinyModel(tmp.resolve("m")), text = CompressCliTest.text(tmp);
    String m = model.toString(), d = text.toString(), o = tmp.resolve("o").toString();
    assertOneLineError(run("compress", "qat", "--model", m, "--format", "int1g16", "--data", d, "--steps", "5", "--out", o),
        "--format: unknown quantization grid 'int1g16'");
    assertOneLineError(run("compress", "qat", "--model", m, "--format", "q4_0", "--data", d, "--steps", "0", "--out", o),
        "--steps: expected a positive number of steps, got 0");
    assertOneLineError(run("compress", "qat", "--model", m, "--format", "q4_0", "--data", d, "--steps", "-3", "--out", o),
        "got -3");
    assertOneLineError(run("compress", "qat", "--model", m, "--format", "q4_0", "--data", d, "--epochs", "1", "--out", o),
        "--epochs: a language model trains by --steps");
    assertOneLineError(run("compress", "qat", "--model", m, "--format", "q4_0", "--data", d, "--steps", "2", "--lr", "-1", "--out", o),
        "--lr: expected a positive number, got -1.0");
    assertThat(tmp.resolve("o")).doesNotExist();
  }
}
