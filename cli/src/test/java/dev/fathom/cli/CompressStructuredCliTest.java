package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.io.Checkpoint;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.tokenizer.Tokenizers;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fathom compress prune --method neurons|heads|channels, and the smaller models through lm eval, lm generate and eval. */
class CompressStructuredCliTest {
  private static Path lm(Path dir) throws Exception {
    HfCheckpoint.save(dir, new LlamaForCausalLM(LlamaConfig.llama(256, 64, 128, 2, 4, 4, 64, false), new Rng(5)), null);
    Tokenizers.bytes().save(dir.resolve(HfCheckpoint.TOKENIZER));
    return dir;
  }

  private static Path cnn(Path dir) throws Exception {
    ClassifierConfig c = new ClassifierConfig("cnn", new int[] {1, 28, 28}, 10, List.of(), null, new int[] {4, 6}, 8, 0.25, "fashion-mnist", null,
        null, null);
    Checkpoint.save(dir, Classifiers.build(c, new Rng(2)), c, null);
    return dir;
  }

  @Test
  void neuronsAndHeadsShrinkAModelThatLmEvalAndGenerateLoad(@TempDir Path tmp) throws Exception {
    Path model = lm(tmp.resolve("m")), text = tmp.resolve("t.txt"), neurons = tmp.resolve("n"), heads = tmp.resolve("h");
    Files.writeString(text, "Shall I compare thee to a summer's day? Thou art more lovely and more temperate. ".repeat(20));
    CliTest.Run r = run("compress", "prune", "--model", model.toString(), "--method", "neurons", "--sparsity", "0.3", "--calib", text.toString(),
        "--calib-samples", "4", "--calib-context", "32", "--out", neurons.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("intermediate_size 128 -> 90 in each of 2 layers");
    assertThat(HfCheckpoint.readConfig(neurons).intermediateSize()).isEqualTo(90);
    r = run("compress", "prune", "--model", neurons.toString(), "--method", "heads", "--sparsity", "0.25", "--score", "weight", "--out", heads.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("num_attention_heads 4 -> 3 (head_dim 16)");
    LlamaConfig c = HfCheckpoint.readConfig(heads);
    assertThat(List.of(c.intermediateSize(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim())).containsExactly(90, 3, 3, 16);
    Path healed = tmp.resolve("healed");
    r = run("compress", "prune", "--model", model.toString(), "--method", "heads", "--sparsity", "0.5", "--score", "weight", "--heal-steps", "2",
        "--heal-batch", "2", "--heal-text", text.toString(), "--out", healed.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("healed 2 steps").contains("step 2 | loss");
    assertThat(HfCheckpoint.readConfig(healed).numAttentionHeads()).isEqualTo(2);
    CliTest.Run e = run("lm", "eval", "--model", heads.toString(), "--text", text.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("loss:");
    CliTest.Run g = run("lm", "generate", "--model", heads.toString(), "--prompt", "Shall", "--tokens", "5", "--greedy");
    assertThat(g.code()).as(g.err()).isZero();
    CliTest.Run b = run("bench", "prune", "--lm", model.toString(), heads.toString(), "--rounds", "1", "--prefill", "2x8", "--decode-tokens", "4",
        "--mlp-rows", "8");
    assertThat(b.code()).as(b.err()).isZero();
    assertThat(b.out()).contains("m (ffn 128, heads 4,").contains("h (ffn 90, heads 3,").contains("1.00x").contains("load average at end");
  }

  @Test
  void channelsShrinkACnnThatEvalLoads(@TempDir Path tmp) throws Exception {
    Path model = cnn(tmp.resolve("c")), out = tmp.resolve("p");
    CliTest.Run r = run("compress", "prune", "--model", model.toString(), "--method", "channels", "--sparsity", "0.5", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("channels [4, 6] -> [2, 3]");
    Path healed = tmp.resolve("healed");
    r = run("compress", "prune", "--model", model.toString(), "--method", "channels", "--sparsity", "0.5", "--heal-steps", "3", "--heal-batch", "4",
        "--out", healed.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("step 3 | loss").contains("healed 3 steps");
    CliTest.Run b = run("bench", "prune", "--cnn", model.toString(), out.toString(), "--rounds", "1", "--batch", "4");
    assertThat(b.code()).as(b.err()).isZero();
    assertThat(b.out()).contains("c (channels [4, 6]) | ").contains("p (channels [2, 3]) | ").contains("| 1.00x |");
    assertOneLineError(run("bench", "prune", "--rounds", "1"), "expected --lm DIR... or --cnn DIR..., got neither");
    CliTest.Run e = run("eval", "--model", out.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).containsIgnoringCase("accuracy");
  }

  @Test
  void wrongModelKindsAndBadSparsityGiveOneLine(@TempDir Path tmp) throws Exception {
    Path model = lm(tmp.resolve("m")), cnn = cnn(tmp.resolve("c")), out = tmp.resolve("o");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "channels", "--sparsity", "0.5", "--out", out.toString()),
        "--method channels prunes conv channels of a CNN classifier", "is a language model (llama)");
    assertOneLineError(run("compress", "prune", "--model", cnn.toString(), "--method", "heads", "--sparsity", "0.5", "--out", out.toString()),
        "--method heads prunes attention heads of a language model", "is a 'cnn' classifier");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "heads", "--sparsity", "1", "--score", "weight", "--out",
        out.toString()), "expected a value in [0, 1), got 1.0");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "heads", "--sparsity", "0.9", "--score", "weight", "--out",
        out.toString()), "removes all 4 attention heads");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "neurons", "--sparsity", "0.3", "--out", out.toString()),
        "needs calibration data");
    assertOneLineError(run("compress", "prune", "--model", cnn.toString(), "--method", "channels", "--sparsity", "0.5", "--score", "activation",
        "--out", out.toString()), "method channels expected l1 or bn, got activation");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "heads", "--sparsity", "0.5", "--score", "weight",
        "--heal-steps", "5", "--out", out.toString()), "--heal-steps: expected --heal-text FILE or --calib FILE, got neither");
    assertOneLineError(run("compress", "prune", "--model", model.toString(), "--method", "rows", "--sparsity", "0.5", "--out", out.toString()),
        "unknown pruning method 'rows'", "neurons, heads, channels");
  }
}
