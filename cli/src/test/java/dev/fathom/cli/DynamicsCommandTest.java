package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

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

/** fathom dynamics: its tables and plots for a classifier and for DPO on a tiny LM, and one-line errors. */
class DynamicsCommandTest {

  @Test
  void classifierModeWritesTablesAndPlots(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist is not installed");
    ClassifierConfig cfg = new ClassifierConfig("mlp", new int[] {1, 28, 28}, 10, FashionMnist.CLASS_NAMES, new int[] {16}, null, 0, 0,
        "fashion-mnist", null, List.of(), null);
    Path model = tmp.resolve("mlp"), out = tmp.resolve("out");
    Checkpoint.save(model, Classifiers.build(cfg, new Rng(1)), cfg, Map.of());
    var r = run("dynamics", "--mode", "classifier", "--model", model.toString(), "--probes", "4", "--updates", "2", "--halvings", "1",
        "--eta", "1e-3", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("pooled").contains("squeezing (4 probes");
    List<String> rows = Files.readAllLines(out.resolve("dynamics.csv"));
    assertThat(rows.get(0)).isEqualTo("update_image,update_label,probe_image,class,predicted,actual");
    assertThat(rows).hasSize(1 + 2 * 4 * 10);
    assertThat(Files.readAllLines(out.resolve("residuals.csv"))).hasSize(1 + 3 * 2);
    assertThat(Files.readAllLines(out.resolve("squeeze.csv"))).hasSize(1 + 4);
    assertThat(out.resolve("scatter.png")).isNotEmptyFile();
    assertThat(out.resolve("squeeze.png")).isNotEmptyFile();
  }

  @Test
  void dpoModeOnATinyLm(@TempDir Path tmp) throws Exception {
    Path text = LmCliTest.text(tmp), model = tinyLm(tmp, text), out = tmp.resolve("out");
    var r = run("dynamics", "--mode", "dpo", "--model", model.toString(), "--text", text.toString(), "--probes", "2", "--updates", "1",
        "--prompt-len", "8", "--response-len", "4", "--eta", "1e-3", "--token-probes", "5", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("token-level squeezing (5 held-out prefixes of 8 tokens");
    List<String> tokens = Files.readAllLines(out.resolve("token-squeeze.csv"));
    assertThat(tokens).hasSize(6);
    for (String row : tokens.subList(1, 6)) {
      String[] f = row.split(",");
      assertThat(f[2]).as("argmax vs least likely").isNotEqualTo(f[3]);
      double least = Double.parseDouble(f[9]), afterNegative = Double.parseDouble(f[10]), afterPositive = Double.parseDouble(f[11]);
      assertThat(afterNegative).as("a negative step lowers the pushed token").isLessThan(least);
      assertThat(afterPositive).as("a positive step raises it").isGreaterThan(least);
    }
    assertThat(out.resolve("token-squeeze.png")).isNotEmptyFile();
    List<String> rows = Files.readAllLines(out.resolve("dynamics.csv"));
    assertThat(rows.get(0)).isEqualTo("update,probe,kind,logp_before,predicted,actual");
    assertThat(rows).hasSize(1 + 4 * 3);
    assertThat(rows.get(1)).contains(",update gold,");
    assertThat(Files.readAllLines(out.resolve("squeeze.csv"))).hasSize(3);
    assertThat(out.resolve("scatter.png")).isNotEmptyFile();
  }

  /**
   * Multi-step DPO on a tiny random LM: the held-out DPO loss falls from log 2, the margin grows, and
   * the squeeze columns are real probabilities (the argmax, rejected and other masses sum to one).
   */
  @Test
  void dpoTrainModeOnATinyLm(@TempDir Path tmp) throws Exception {
    Path text = LmCliTest.text(tmp), model = tinyLm(tmp, text), out = tmp.resolve("out");
    var r = run("dynamics", "--mode", "dpo-train", "--model", model.toString(), "--text", text.toString(), "--probes", "4", "--pairs", "8",
        "--batch", "4", "--steps", "6", "--eval-every", "3", "--optimizer", "adamw", "--eta", "1e-2", "--rejected", "uniform",
        "--prompt-len", "8", "--response-len", "4", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("squeezing from step 0 to 6 over 4 held-out pairs");
    List<String> rows = Files.readAllLines(out.resolve("curves.csv"));
    assertThat(rows.get(0)).startsWith("step,train_loss,heldout_loss,reward_margin,logp_chosen,logp_rejected,logp_greedy,p_argmax,p_rejected,p_other");
    assertThat(rows).hasSize(1 + 3);
    String[] first = rows.get(1).split(",", -1), last = rows.get(3).split(",", -1);
    assertThat(first[0]).isEqualTo("0");
    assertThat(Double.parseDouble(first[2])).isCloseTo(Math.log(2), org.assertj.core.api.Assertions.within(1e-4));
    assertThat(Double.parseDouble(last[2])).as("held-out DPO loss falls").isLessThan(Math.log(2) - 0.05);
    assertThat(Double.parseDouble(last[3])).as("reward margin grows").isGreaterThan(0.05);
    assertThat(Double.parseDouble(last[5])).as("log p(y-) falls").isLessThan(Double.parseDouble(first[5]));
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",", -1);
      double a = Double.parseDouble(f[7]), y = Double.parseDouble(f[8]), o = Double.parseDouble(f[9]);
      assertThat(a).isBetween(0.0, 1.0);
      assertThat(a + y + o).as("masses at the rejected positions sum to one").isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
    }
    assertThat(Files.readAllLines(out.resolve("pairs.csv"))).hasSize(1 + 4);
    assertThat(out.resolve("dpo-logp.png")).isNotEmptyFile();
    assertThat(out.resolve("dpo-squeeze.png")).isNotEmptyFile();
  }

  /** A tiny Llama trained for two steps on {@code text}, in tmp/lm. */
  private static Path tinyLm(Path tmp, Path text) {
    Path model = tmp.resolve("lm");
    var t = run("lm", "train", "--text", text.toString(), "--preset", "tiny", "--steps", "2", "--batch", "2", "--context", "32",
        "--out", model.toString());
    assertThat(t.code()).as(t.err()).isZero();
    return model;
  }

  @Test
  void badArgumentsGiveOneLine(@TempDir Path tmp) {
    String o = tmp.resolve("o").toString();
    assertOneLineError(run("dynamics", "--mode", "rl", "--out", o), "--mode: expected classifier, sft, dpo or dpo-train, got 'rl'");
    assertOneLineError(run("dynamics", "--mode", "classifier", "--out", o), "exactly one of --model DIR and --train-mlp");
    assertOneLineError(run("dynamics", "--mode", "classifier", "--train-mlp", "--eta", "-1", "--out", o), "--eta must be a positive number");
    assertOneLineError(run("dynamics", "--mode", "sft", "--model", o, "--out", o), "needs --text FILE");
    assertOneLineError(run("dynamics", "--mode", "dpo", "--model", o, "--text", o, "--rejected", "x", "--out", o), "--rejected");
    assertOneLineError(run("dynamics", "--mode", "dpo", "--model", o, "--text", o, "--token-probes", "-1", "--out", o), "--token-probes");
    assertOneLineError(run("dynamics", "--mode", "dpo", "--model", o, "--text", o, "--out", o), "--text: '");
    assertOneLineError(run("dynamics", "--mode", "dpo-train", "--model", o, "--text", o, "--rejected", "x", "--out", o),
        "--rejected: expected one of uniform, elsewhere, shuffled, random, got 'x'");
    assertOneLineError(run("dynamics", "--mode", "dpo-train", "--model", o, "--text", o, "--optimizer", "lion", "--out", o),
        "--optimizer: expected adamw or sgd, got 'lion'");
    assertOneLineError(run("dynamics", "--mode", "dpo-train", "--model", o, "--text", o, "--steps", "5", "--eval-every", "6", "--out", o),
        "--eval-every in [1, --steps]");
  }
}
