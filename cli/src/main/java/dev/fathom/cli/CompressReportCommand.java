package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.compress.OuterTensors;
import dev.fathom.compress.PostTrainingQuantizer;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.generate.InferenceSession;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.llm.train.LmEval;
import dev.fathom.llm.train.LmEvaluator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom compress report}: models side by side, in one run: weights on disk, decode speed
 * at batch 1 (rounds interleaved across the models, median of the rounds after a warm-up round,
 * so a busy machine slows all of them alike) and validation loss on a text's last 10%.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Compare models: size on disk, decode tokens/s at batch 1 (same run) and validation loss; optional PNG chart.")
final class CompressReportCommand implements Callable<Integer> {
  @Option(names = "--models", required = true, arity = "1..*", description = "model directories; the first is the reference for ratios")
  List<Path> models;

  @Option(names = "--text", required = true, description = "text whose last 10%% is the validation set (e.g. tinyshakespeare.txt)")
  Path text;

  @Option(names = "--eval-tokens", defaultValue = "0", description = "validation tokens at most (0: all); default ${DEFAULT-VALUE}")
  long evalTokens;

  @Option(names = "--decode-tokens", defaultValue = "128", description = "tokens decoded per timing round; default ${DEFAULT-VALUE}")
  int decodeTokens;

  @Option(names = "--rounds", defaultValue = "5", description = "timing rounds per model after a warm-up round; default ${DEFAULT-VALUE}")
  int rounds;

  @Option(names = "--chart", description = "write a PNG bar chart of size, speed and loss change to this file")
  Path chart;

  @Option(names = "--json", description = "print one JSON object per model instead of the table")
  boolean json;

  /** One model's figures. */
  record Row(String model, String format, long bytes, double tokensPerSecond, double loss) {}

  @Override
  public Integer call() throws Exception {
    if (decodeTokens < 1 || rounds < 1 || evalTokens < 0) {
      throw new CliException("--decode-tokens and --rounds: expected >= 1, --eval-tokens >= 0; got " + decodeTokens + ", " + rounds + ", "
          + evalTokens);
    }
    List<LlamaForCausalLM> lms = new ArrayList<>();
    for (Path p : models) lms.add(HfCheckpoint.load(p));
    Tokenizer tok = LmText.tokenizerOf(models.get(0));
    int[] val = LmText.validationIds(tok, text);
    int prompt = 16, ctx = Math.min(lms.get(0).config().maxPositionEmbeddings(), prompt + decodeTokens);
    if (val.length < prompt + 1) throw new CliException("--text: the validation part has " + val.length + " tokens, expected more than " + prompt);
    double[][] tps = new double[lms.size()][rounds];
    for (int r = -1; r < rounds; r++) {
      for (int i = 0; i < lms.size(); i++) {
        double t = decodeSpeed(lms.get(i), Arrays.copyOf(val, prompt), ctx - prompt);
        if (r >= 0) tps[i][r] = t;
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < lms.size(); i++) {
      LlamaForCausalLM m = lms.get(i);
      LmEval e = LmEvaluator.evaluate(m, LmText.tokens(tok, validationBytes(text)), m.config().maxPositionEmbeddings(), 8, evalTokens);
      String fmt = m.quantization() == null ? floatFormat(m) : packedFormat(m);
      rows.add(new Row(models.get(i).toString(), fmt, weightBytes(models.get(i)), median(tps[i]), e.loss()));
    }
    print(rows);
    if (chart != null) CompressChart.write(chart, rows);
    return 0;
  }

  private void print(List<Row> rows) throws IOException {
    Row ref = rows.get(0);
    if (json) {
      ObjectMapper om = new ObjectMapper();
      for (Row r : rows) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", r.model());
        o.put("format", r.format());
        o.put("bytes", r.bytes());
        o.put("size_ratio", (double) ref.bytes() / r.bytes());
        o.put("decode_tokens_per_second", r.tokensPerSecond());
        o.put("speedup", r.tokensPerSecond() / ref.tokensPerSecond());
        o.put("val_loss", r.loss());
        o.put("delta_loss", r.loss() - ref.loss());
        System.out.println(om.writeValueAsString(o));
      }
      return;
    }
    System.out.printf("%-34s %-30s %10s %8s %10s %8s %9s %9s%n", "model", "format", "MB", "smaller", "tok/s", "speedup", "val loss", "delta");
    for (Row r : rows) {
      System.out.printf("%-34s %-30s %10.2f %7.2fx %10.1f %7.2fx %9.4f %+9.4f%n", r.model(), r.format(), r.bytes() / 1e6,
          (double) ref.bytes() / r.bytes(), r.tokensPerSecond(), r.tokensPerSecond() / ref.tokensPerSecond(), r.loss(), r.loss() - ref.loss());
    }
  }

  private byte[] validationBytes(Path file) throws IOException {
    byte[] all = LmText.read(file);
    return Arrays.copyOfRange(all, LmText.splitPoint(all), all.length);
  }

  /** "float32", or "float32, 50.0% zero" for a pruned model (the share of zeros in its decoder projections). */
  static String floatFormat(LlamaForCausalLM m) {
    long zeros = 0, total = 0;
    for (Map.Entry<String, dev.fathom.tensor.Tensor> e : m.namedParameters().entrySet()) {
      if (!PostTrainingQuantizer.PROJECTIONS.matcher(e.getKey()).matches()) continue;
      for (float v : e.getValue().data()) if (v == 0f) zeros++;
      total += e.getValue().numel();
    }
    return total > 0 && zeros * 100 >= total ? String.format("float32, %.1f%% zero", 100.0 * zeros / total) : "float32";
  }

  /**
   * "q4_0 (rtn)", followed by the embedding's and the head's formats where they differ from the
   * projections' ("q4_0 (rtn), head q8_0", "q8_0 (gptq), emb/head f32").
   */
  static String packedFormat(LlamaForCausalLM m) {
    String main = m.quantization().format(), out = main + " (" + m.quantization().method() + ")";
    String e = storedAs(m, OuterTensors.EMBED), h = m.config().tieWordEmbeddings() ? e : storedAs(m, OuterTensors.HEAD);
    if (e.equals(h) && !e.equals(main)) return out + ", emb/head " + e;
    if (!e.equals(main)) out += ", emb " + e;
    if (!h.equals(main)) out += ", head " + h;
    return out;
  }

  private static String storedAs(LlamaForCausalLM m, String name) {
    var q = m.quantizedWeights().get(name);
    return q == null ? "f32" : q.format().id();
  }

  /** Greedy decode of {@code n} tokens after the prompt at batch 1; decode tokens per second (the prefill is not timed). */
  static double decodeSpeed(LlamaForCausalLM m, int[] prompt, int n) {
    var s = new InferenceSession(m, 1, prompt.length + n);
    int v = m.config().vocabSize();
    float[] logits = new float[v];
    s.prefill(0, prompt, logits, 0);
    int[] slot = {0}, token = new int[1];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < v; j++) if (logits[j] > logits[best]) best = j;
      token[0] = best;
      s.decode(slot, token, 1, logits);
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Bytes of a model directory's weight files (model.safetensors or its shards). */
  static long weightBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long sum = 0;
      for (Path p : files.filter(p -> p.getFileName().toString().matches("model(-\\d+-of-\\d+)?\\.safetensors")).toList()) sum += Files.size(p);
      return sum;
    }
  }
}
