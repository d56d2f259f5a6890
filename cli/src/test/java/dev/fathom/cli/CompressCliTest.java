package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.tokenizer.Tokenizers;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom compress quantize / report, and quantized models through lm eval and lm generate. */
class CompressCliTest {

  static Path tinyModel(Path dir) throws Exception {
    HfCheckpoint.save(dir, new LlamaForCausalLM(LlamaConfig.llama(256, 64, 128, 1, 2, 2, 64, false), new Rng(5)), null);
    Tokenizers.bytes().save(dir.resolve(HfCheckpoint.TOKENIZER));
    return dir;
  }

  static Path text(Path dir) throws Exception {
    Path t = dir.resolve("text.txt");
    Files.writeString(t, "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer. ".repeat(20));
    return t;
  }

  @Test
  void quantizeThenEvalGenerateAndReport(@TempDir Path tmp) throws Exception {
    Path model = tinyModel(tmp.resolve("m")), q = tmp.resolve("q"), text = text(tmp);
    CliTest.Run r = run("compress", "quantize", "--model", model.toString(), "--format", "q4_0", "--out", q.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("rtn q4_0 (embedding q4_0, head q8_0)").contains("x smaller");
    assertThat(Files.readString(q.resolve("config.json"))).contains("quantization_config");
    CliTest.Run e = run("lm", "eval", "--model", q.toString(), "--text", text.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("loss:");
    CliTest.Run g = run("lm", "generate", "--model", q.toString(), "--prompt", "To be", "--tokens", "5", "--greedy");
    assertThat(g.code()).as(g.err()).isZero();
    Path chart = tmp.resolve("c.png");
    CliTest.Run rep = run("compress", "report", "--models", model.toString(), q.toString(), "--text", text.toString(), "--rounds", "1",
        "--decode-tokens", "8", "--chart", chart.toString());
    assertThat(rep.code()).as(rep.err()).isZero();
    assertThat(rep.out()).contains("float32").contains("q4_0 (rtn), head q8_0");
    assertThat(Files.size(chart)).isPositive();
  }

  @Test
  void gptqAwqAndPruningWriteModelsThatLmEvalLoads(@TempDir Path tmp) throws Exception {
    Path model = tinyModel(tmp.resolve("m")), text = text(tmp);
    String[][] cmds = {
        {"quantize", "--method", "gptq", "--format", "q4_0"}, {"quantize", "--method", "awq", "--format", "int3g32"},
        {"quantize", "--method", "gptq", "--format", "int4g128"},  // in-features 64 and 128: rows of one short group of 64
        {"prune", "--method", "sparsegpt", "--pattern", "2:4"}, {"prune", "--method", "wanda", "--sparsity", "0.5"}};
    for (String[] c : cmds) {
      Path out = tmp.resolve(c[2] + c[4].replace(":", ""));
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("compress"));
      args.addAll(java.util.List.of(c));
      args.addAll(java.util.List.of("--model", model.toString(), "--calib", text.toString(), "--calib-part", "train", "--calib-samples", "4",
          "--calib-context", "32", "--out", out.toString()));
      CliTest.Run r = run(args.toArray(String[]::new));
      assertThat(r.code()).as(String.join(" ", c) + ": " + r.err()).isZero();
      assertThat(r.out()).contains("4 windows of 32 tokens");
      CliTest.Run e = run("lm", "eval", "--model", out.toString(), "--text", text.toString());
      assertThat(e.code()).as(e.err()).isZero();
    }
    CliTest.Run rep = run("compress", "report", "--models", model.toString(), tmp.resolve("sparsegpt24").toString(),
        tmp.resolve("gptqq4_0").toString(), tmp.resolve("gptqint4g128").toString(), "--text", text.toString(), "--rounds", "1",
        "--decode-tokens", "4");
    assertThat(rep.code()).as(rep.err()).isZero();
    assertThat(rep.out()).contains("float32, 50.0% zero").contains("q4_0 (gptq), head q8_0").contains("int4g128 (gptq), head q8_0");
  }

  @Test
  void badRequestsGiveOneLineErrors(@TempDir Path tmp) throws Exception {
    Path model = tinyModel(tmp.resolve("m")), out = tmp.resolve("o");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--format", "q3_k", "--out", out.toString()),
        "--format: unknown quantization grid 'q3_k'", "q8_0, q4_0, int8, int4g128, int3g32");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "smoothquant", "--format", "q4_0", "--out", out.toString()),
        "--method smoothquant quantizes activations to int8 (W8A8): expected --format int8, got q4_0");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "gptq", "--format", "q4_0", "--out", out.toString()),
        "--method gptq needs calibration data: pass --calib FILE");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--awq-grid", "4", "--format", "q4_0", "--out", out.toString()),
        "--awq-grid: only for --method awq, got --method rtn");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "awq", "--awq-grid", "0", "--format", "q4_0",
        "--out", out.toString()), "--awq-grid: AWQ gridSize: expected >= 1, got 0");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "awq", "--awq-batches", "0", "--format", "q4_0",
        "--out", out.toString()), "--awq-batches: AWQ searchBatches: expected >= 1, got 0");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "gptq", "--awq-skip-qk-clip", "--format", "q4_0",
        "--out", out.toString()), "--awq-skip-qk-clip: only for --method awq, got --method gptq");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "rtn", "--awq-duo", "--format", "q4_0",
        "--out", out.toString()), "--awq-duo: only for --method awq, got --method rtn");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "wanda", "--sparsity", "0.5", "--out", out.toString()),
        "--method wanda needs calibration data: pass --calib FILE");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "magnitude", "--sparsity", "1", "--out", out.toString()),
        "--sparsity: sparsity: expected a value in [0, 1), got 1.0");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "obs", "--sparsity", "0.5", "--out", out.toString()),
        "--method: unknown pruning method 'obs': expected one of magnitude, wanda, sparsegpt");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "magnitude", "--pattern", "2/4", "--out", out.toString()),
        "--pattern: pattern: expected n:m such as 2:4, got '2/4'");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "magnitude", "--scope", "matrix", "--sparsity", "0.5",
        "--out", out.toString()), "--scope: unknown scope 'matrix': expected one of layer, row, global");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "sparsegpt", "--scope", "row", "--sparsity", "0.5",
        "--out", out.toString()), "--sparsity: sparsegpt chooses its masks per block of columns: expected scope layer, got row");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--format", "q4_0", "--embed-format", "q5_k", "--out", out.toString()),
        "--embed-format: the embedding's format: expected float, int4pt or one of", "got q5_k");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--format", "q4_0", "--head-format", "int3g128", "--out", out.toString()),
        "--head-format: a packed checkpoint stores the head as float or in a packed format (q8_0, q4_0, int8, int4g128), got int3g128");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "smoothquant", "--format", "int8", "--embed-format", "int8",
        "--out", out.toString()), "--method smoothquant (W8A8) keeps the embedding and the head float");
    assertOneLineError(run("compress", "quantize", "--model", model.toString(), "--method", "nf", "--format", "q4_0", "--out", out.toString()),
        "unknown quantization method 'nf'");
    Path q = tmp.resolve("q");
    assertThat(run("compress", "quantize", "--model", model.toString(), "--format", "q8_0", "--out", q.toString()).code()).isZero();
    assertOneLineError(run("compress", "quantize", "--model", q.toString(), "--format", "q4_0", "--out", out.toString()), "already quantized (q8_0)");
  }
}
