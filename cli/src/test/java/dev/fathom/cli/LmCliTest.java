package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lm commands end to end on a small text, and their one-line errors. */
class LmCliTest {
  static Path text(Path dir) throws Exception {
    Path p = dir.resolve("text.txt");
    Files.writeString(p, "To be, or not to be, that is the question. Whether 'tis nobler in the mind to suffer.\n".repeat(30));
    return p;
  }

  /** Each attention variant trains, saves a config that says so, evaluates and generates from the command line. */
  @Test
  void attentionVariantsTrainEvaluateAndGenerate(@TempDir Path tmp) throws Exception {
    Path text = text(tmp);
    String[][] variants = {{"--attention", "linear"}, {"--attention", "block_sparse:64,1,1,1", "--conv-kernel", "3"}};
    for (String[] v : variants) {
      Path model = tmp.resolve(v[1].replace(':', '_').replace(',', '_'));
      List<String> args = new ArrayList<>(List.of("lm", "train", "--text", text.toString(), "--preset", "tiny", "--steps", "2",
          "--batch", "2", "--context", "160", "--out", model.toString()));
      args.addAll(List.of(v));
      CliTest.Run t = run(args.toArray(String[]::new));
      assertThat(t.code()).as(t.err()).isZero();
      JsonNode cfg = new ObjectMapper().readTree(model.resolve("config.json").toFile());
      assertThat(cfg.get("attention_type").asText()).isEqualTo(v[1].split(":")[0]);
      assertThat(cfg.get("max_position_embeddings").asInt()).isEqualTo(256);
      if (v.length > 2) assertThat(cfg.get("conv_kernel_size").asInt()).isEqualTo(3);
      CliTest.Run e = run("lm", "eval", "--model", model.toString(), "--text", text.toString(), "--json");
      assertThat(e.code()).as(e.err()).isZero();
      CliTest.Run g = run("lm", "generate", "--model", model.toString(), "--prompt", "To be", "--tokens", "150", "--greedy");
      assertThat(g.code()).as(g.err()).isZero();
      assertThat(g.out()).startsWith("To be");
    }
  }

  @Test
  void trainEvalFinetuneRoundTrip(@TempDir Path tmp) throws Exception {
    Path text = text(tmp), model = tmp.resolve("model"), adapter = tmp.resolve("adapter");
    CliTest.Run t = run("lm", "train", "--text", text.toString(), "--preset", "tiny", "--tokenizer", "bpe:300", "--steps", "3",
        "--batch", "2", "--context", "32", "--out", model.toString());
    assertThat(t.code()).as(t.err()).isZero();
    assertThat(t.out()).contains("tokenizer: vocab 300").contains("validation loss");
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "generation_config.json", "trainer_state.json"}) {
      assertThat(model.resolve(f)).exists();
    }
    CliTest.Run e = run("lm", "eval", "--model", model.toString(), "--text", text.toString(), "--json");
    assertThat(e.code()).as(e.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(e.out());
    assertThat(j.get("loss").asDouble()).isPositive();
    assertThat(j.get("perplexity").asDouble()).isCloseTo(Math.exp(j.get("loss").asDouble()), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(j.get("bits_per_byte").asDouble()).isPositive();
    assertThat(j.get("tokens").asLong()).isPositive();

    CliTest.Run f = run("lm", "finetune", "--model", model.toString(), "--text", text.toString(), "--lora", "4", "--steps", "2",
        "--batch", "2", "--context", "32", "--out", adapter.toString());
    assertThat(f.code()).as(f.err()).isZero();
    assertThat(adapter.resolve("adapter_config.json")).exists();
    assertThat(adapter.resolve("adapter_model.safetensors")).exists();
    CliTest.Run ea = run("lm", "eval", "--model", model.toString(), "--adapter", adapter.toString(), "--text", text.toString(), "--json");
    assertThat(ea.code()).as(ea.err()).isZero();

    CliTest.Run g = run("lm", "generate", "--model", model.toString(), "--prompt", "To be", "--tokens", "5", "--greedy");
    assertThat(g.code()).as(g.err()).isZero();
    assertThat(g.out()).startsWith("To be");
    CliTest.Run g2 = run("lm", "generate", "--model", model.toString(), "--adapter", adapter.toString(), "--prompt", "To",
        "--prompt", "be", "--tokens", "3", "--temperature", "0.8", "--top-p", "0.9", "--seed", "1");
    assertThat(g2.code()).as(g2.err()).isZero();
    assertThat(g2.out()).contains("[0] To").contains("[1] be");
    assertOneLineError(run("lm", "generate", "--model", model.toString(), "--prompt", "x".repeat(400), "--tokens", "3"),
        "leave no room in the model's context");
    assertOneLineError(run("lm", "generate", "--model", model.toString(), "--prompt", "x", "--top-p", "1.5"), "top_p");

    // Speculative decoding: a draft model (here the model itself, so every proposal is accepted)
    // or prompt lookup gives the greedy output of the model alone, with its stats on stderr.
    for (String draft : new String[] {model.toString(), "prompt-lookup"}) {
      CliTest.Run s = run("lm", "generate", "--model", model.toString(), "--prompt", "To be", "--tokens", "5", "--greedy",
          "--draft", draft, "--gamma", "3");
      assertThat(s.code()).as(s.err()).isZero();
      assertThat(s.out()).isEqualTo(g.out());
      assertThat(s.err()).contains("speculative:").contains("tokens per call");
    }
    assertOneLineError(run("lm", "generate", "--model", model.toString(), "--prompt", "x", "--draft", tmp.resolve("none").toString()),
        "--draft");
    assertOneLineError(run("lm", "generate", "--model", model.toString(), "--prompt", "x", "--draft", "prompt-lookup", "--gamma", "0"),
        "gamma");
    // A bounded cache takes a prompt longer than the context (256) and runs on past it.
    CliTest.Run w = run("lm", "generate", "--model", model.toString(), "--prompt", "x".repeat(400), "--tokens", "60",
        "--kv-policy", "sinks:2,window:14", "--seed", "3");
    assertThat(w.code()).as(w.err()).isZero();
    assertThat(w.err()).contains("60 new tokens");
    assertOneLineError(run("lm", "generate", "--model", model.toString(), "--prompt", "x", "--kv-policy", "ring:3"), "kv policy");
    assertOneLineError(run("lm", "generate", "--model", model.toString(), "--prompt", "x", "--kv-policy", "window:300"),
        "max_position_embeddings");
    assertOneLineError(run("bench", "kv", "--model", model.toString(), "--text", text.toString(), "--policy", "ring:3"), "--policy");
    assertOneLineError(run("bench", "speculative", "--target", model.toString(), "--draft", "prompt-lookup", "--text", text.toString(),
        "--prompts", "0"), "--prompts");
    assertOneLineError(run("bench", "speculative", "--target", model.toString(), "--draft", tmp.resolve("none").toString(), "--text",
        text.toString()), "--draft");
  }

  @Test
  void benchTrainReportsSpeedGcShareAndAllocation() {
    CliTest.Run r = run("bench", "train", "--model", "llama", "--preset", "tiny", "--batch", "2", "--context", "16", "--steps", "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("[0-9.]+ steps/s, [0-9]+ tokens/s; GC [0-9.]+% of the time, [0-9]+ MB allocated per step");
    assertOneLineError(run("bench", "train", "--model", "llama", "--preset", "huge"), "--preset", "huge");
  }

  @Test
  void errorsAreOneLine(@TempDir Path tmp) throws Exception {
    Path text = text(tmp);
    assertOneLineError(run("lm", "train", "--text", tmp.resolve("nope.txt").toString(), "--steps", "1", "--out", tmp.resolve("o").toString()),
        "nope.txt");
    CliTest.Run both = run("lm", "train", "--text", text.toString(), "--steps", "1", "--minutes", "1", "--out", tmp.resolve("o").toString());
    assertOneLineError(both, "exactly one of --steps");
    assertThat(both.code()).isEqualTo(2);
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--preset", "huge", "--out", tmp.resolve("o").toString()),
        "--preset");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--tokenizer", "bpe:x", "--out", tmp.resolve("o").toString()),
        "bpe:VOCAB");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--sliding-window", "0", "--out",
        tmp.resolve("o").toString()), "--sliding-window");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--attention", "dense", "--out",
        tmp.resolve("o").toString()), "attention_type 'dense'");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--attention", "block_sparse:100,1,1,1", "--out",
        tmp.resolve("o").toString()), "block_size");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--attention", "block_sparse:64,1", "--out",
        tmp.resolve("o").toString()), "SIZE,LOCAL,GLOBAL,RANDOM");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--attention", "linear:3", "--out",
        tmp.resolve("o").toString()), "only block_sparse takes a pattern");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--conv-kernel", "0", "--out",
        tmp.resolve("o").toString()), "conv_kernel_size");
    assertOneLineError(run("lm", "train", "--text", text.toString(), "--steps", "1", "--context", "64", "--max-positions", "32",
        "--out", tmp.resolve("o").toString()), "exceeds --max-positions 32");
    assertOneLineError(run("lm", "eval", "--model", tmp.toString(), "--text", text.toString()), "config.json");
    Files.writeString(tmp.resolve("config.json"), "{\"vocab_size\": 10, \"hidden_size\": 30, \"intermediate_size\": 8, "
        + "\"num_hidden_layers\": 1, \"num_attention_heads\": 4}");
    assertOneLineError(run("lm", "eval", "--model", tmp.toString(), "--text", text.toString()), "num_attention_heads");
  }
}
