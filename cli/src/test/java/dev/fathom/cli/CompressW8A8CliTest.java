package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom compress inject-outliers, and the W8A8 methods (w8a8, smoothquant, llm-int8) through lm eval and lm generate. */
class CompressW8A8CliTest {
  @Test
  void injectThenQuantizeW8A8ThenEvalAndGenerate(@TempDir Path tmp) throws Exception {
    Path model = CompressCliTest.tinyModel(tmp.resolve("m")), text = CompressCliTest.text(tmp), inj = tmp.resolve("inj");
    CliTest.Run i = run("compress", "inject-outliers", "--model", model.toString(), "--fraction", "0.02", "--factor", "20:50", "--seed", "1",
        "--out", inj.toString());
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("injected outliers into");
    CliTest.Run e0 = run("lm", "eval", "--model", model.toString(), "--text", text.toString());
    CliTest.Run e1 = run("lm", "eval", "--model", inj.toString(), "--text", text.toString());
    assertThat(e1.code()).as(e1.err()).isZero();
    assertThat(e1.out()).as("the injection keeps the function").isEqualTo(e0.out().replace(model.toString(), inj.toString()));
    String[][] methods = {{"w8a8"}, {"smoothquant", "--alpha", "0.6"}, {"llm-int8", "--threshold", "5"}};
    for (String[] m : methods) {
      Path out = tmp.resolve(m[0]);
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("compress", "quantize", "--model", inj.toString(), "--method"));
      args.addAll(java.util.List.of(m));
      args.addAll(java.util.List.of("--format", "int8", "--calib", text.toString(), "--calib-samples", "4", "--calib-context", "32", "--out",
          out.toString()));
      CliTest.Run r = run(args.toArray(String[]::new));
      assertThat(r.code()).as(m[0] + ": " + r.err()).isZero();
      assertThat(r.out()).contains("int8 activations per token");
      assertThat(Files.readString(out.resolve("config.json"))).contains("\"activation_bits\" : 8");
      CliTest.Run e = run("lm", "eval", "--model", out.toString(), "--text", text.toString());
      assertThat(e.code()).as(e.err()).isZero();
      assertThat(e.out()).contains("loss:");
      CliTest.Run g = run("lm", "generate", "--model", out.toString(), "--prompt", "To be", "--tokens", "5", "--greedy");
      assertThat(g.code()).as(g.err()).isZero();
    }
    assertThat(Files.readString(tmp.resolve("smoothquant").resolve("config.json"))).contains("\"smoothing_alpha\" : 0.6");
    assertThat(Files.readString(tmp.resolve("llm-int8").resolve("config.json"))).contains("\"outlier_threshold\" : 5.0");
  }

  @Test
  void badW8A8RequestsGiveOneLineErrors(@TempDir Path tmp) throws Exception {
    Path model = CompressCliTest.tinyModel(tmp.resolve("m")), text = CompressCliTest.text(tmp), out = tmp.resolve("o");
    String m = model.toString(), o = out.toString(), t = text.toString();
    assertOneLineError(run("compress", "quantize", "--model", m, "--method", "smoothquant", "--format", "int8", "--alpha", "1.5", "--calib", t,
        "--out", o), "--alpha: alpha: expected a number in [0, 1], got 1.5");
    assertOneLineError(run("compress", "quantize", "--model", m, "--method", "llm-int8", "--format", "int8", "--threshold", "0", "--calib", t,
        "--out", o), "--threshold: threshold: expected a finite number > 0, got 0.0");
    assertOneLineError(run("compress", "quantize", "--model", m, "--method", "smoothquant", "--format", "int8", "--out", o),
        "--method smoothquant needs calibration data: pass --calib FILE");
    assertOneLineError(run("compress", "quantize", "--model", m, "--method", "llm-int8", "--format", "int8", "--out", o),
        "--method llm-int8 needs calibration data: pass --calib FILE");
    assertOneLineError(run("compress", "quantize", "--model", m, "--method", "llm-int8", "--format", "q8_0", "--calib", t, "--out", o),
        "expected --format int8, got q8_0");
    assertOneLineError(run("compress", "quantize", "--model", m, "--method", "rtn", "--format", "int8", "--alpha", "0.5", "--out", o),
        "--alpha: only for --method smoothquant, got --method rtn");
    assertOneLineError(run("compress", "inject-outliers", "--model", m, "--fraction", "0", "--out", o),
        "outlier fraction: expected a number in (0, 1], got 0.0");
    assertOneLineError(run("compress", "inject-outliers", "--model", m, "--factor", "20-50", "--out", o),
        "--factor: expected MIN:MAX (e.g. 20:50) or one number, got 20-50");
  }
}
