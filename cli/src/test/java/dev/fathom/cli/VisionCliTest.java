package dev.fathom.cli;

import static dev.fathom.cli.CliTest.assertOneLineError;
import static dev.fathom.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.io.Checkpoint;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.ImageClassifiers;
import dev.fathom.vision.models.Vit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fathom train --model vit|hybrid|resnet}, its checkpoints through eval, token options, bench tokens. */
class VisionCliTest {
  @TempDir
  Path dir;

  @BeforeEach
  void needsFashionMnist() {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist is not installed");
  }

  @Test
  void tinyVitTrainsSavesAndEvaluatesWithTokenReduction() throws Exception {
    Path out = dir.resolve("vit");
    CliTest.Run t = run("train", "--data", "fashion-mnist", "--model", "vit", "--patch", "7", "--dim", "8", "--depth", "2", "--heads", "2",
        "--limit", "200", "--epochs", "1", "--batch", "50", "--out", out.toString());
    assertThat(t.code()).as(t.err()).isZero();
    assertThat(t.out()).contains("model: vit").contains("MFLOP forward per image").contains("test accuracy");
    JsonNode cfg = new ObjectMapper().readTree(out.resolve("config.json").toFile());
    assertThat(cfg.path("model").asText()).isEqualTo("vit");
    assertThat(cfg.path("vit").path("patchSize").asInt()).isEqualTo(7);

    ModelLoader loaded = ModelLoader.load(out);
    Map<String, Tensor> saved = Checkpoint.loadTensors(out.resolve("model.safetensors"));
    assertThat(saved).containsKeys("0.cls_token", "0.blocks.1.mlp.fc2.weight", "1.weight");
    assertThat(loaded.model().stateDict().get("0.blocks.1.mlp.fc2.weight").toFloatArray())
        .containsExactly(saved.get("0.blocks.1.mlp.fc2.weight").toFloatArray());
    assertThat(ImageClassifiers.encoderOf(loaded.model())).isInstanceOf(Vit.class);

    CliTest.Run full = run("eval", "--model", out.toString(), "--json");
    assertThat(full.code()).as(full.err()).isZero();
    JsonNode e = new ObjectMapper().readTree(full.out().strip());
    assertThat(e.path("examples").asInt()).isEqualTo(10000);
    assertThat(e.path("accuracy").asDouble()).isBetween(0.0, 1.0);
    CliTest.Run pruned = run("eval", "--model", out.toString(), "--json", "--token-keep", "0.5", "--token-layer", "0");
    assertThat(pruned.code()).as(pruned.err()).isZero();
    JsonNode p = new ObjectMapper().readTree(pruned.out().strip());
    assertThat(p.path("flops_per_image").asLong()).isLessThan(e.path("flops_per_image").asLong());

    CliTest.Run bench = run("bench", "tokens", "--model", out.toString(), "--examples", "100", "--timing-examples", "50", "--rounds", "1",
        "--keep", "0.5", "--merge", "2", "--batch", "50");
    assertThat(bench.code()).as(bench.err()).isZero();
    assertThat(bench.out()).contains("| none |").contains("prune keep 0.50").contains("ToMe r=2");

    assertOneLineError(run("eval", "--model", out.toString(), "--token-keep", "0.5", "--token-layer", "5"), "--token-layer", "blocks 0..1");
    assertOneLineError(run("eval", "--model", out.toString(), "--token-keep", "1.5"), "--token-keep", "got 1.5");
  }

  @Test
  void resnetAndHybridTrainAndReload() throws Exception {
    for (String model : new String[] {"resnet", "hybrid"}) {
      Path out = dir.resolve(model);
      CliTest.Run t = run("train", "--data", "fashion-mnist", "--model", model, "--widths", "4,8", "--blocks", "1,1", "--stem", "4,8",
          "--dim", "8", "--depth", "1", "--heads", "2", "--limit", "100", "--epochs", "1", "--batch", "50", "--out", out.toString());
      assertThat(t.code()).as(t.err()).isZero();
      assertThat(ModelLoader.load(out).vision().model()).isEqualTo(model);
    }
    assertOneLineError(run("eval", "--model", dir.resolve("resnet").toString(), "--token-keep", "0.5"), "need a vit or hybrid");
  }

  @Test
  void augmentedTrainingRepeatsUnderItsSeedAndDiffersFromPlainTraining() throws Exception {
    String[] common = {"train", "--data", "fashion-mnist", "--model", "cnn", "--limit", "256", "--epochs", "1", "--batch", "64"};
    Map<String, float[]> weights = new java.util.HashMap<>();
    for (String name : new String[] {"light-a", "light-b", "none"}) {
      Path out = dir.resolve(name);
      String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(common),
          java.util.stream.Stream.of("--augment", name.startsWith("light") ? "light" : "none", "--out", out.toString())).toArray(String[]::new);
      CliTest.Run t = run(args);
      assertThat(t.code()).as(t.err()).isZero();
      weights.put(name, Checkpoint.loadTensors(out.resolve("model.safetensors")).get("0.weight").toFloatArray());
    }
    assertThat(weights.get("light-b")).containsExactly(weights.get("light-a"));
    assertThat(weights.get("none")).isNotEqualTo(weights.get("light-a"));
    assertOneLineError(run("train", "--data", "fashion-mnist", "--augment", "heavy", "--out", dir.resolve("x").toString()),
        "--augment must be one of [none, light]", "got 'heavy'");
    Path csv = Files.writeString(dir.resolve("t.csv"), "a,label\n1,x\n2,y\n3,x\n4,y\n5,x\n");
    assertOneLineError(run("train", "--data", csv.toString(), "--model", "mlp", "--augment", "light", "--out", dir.resolve("y").toString()),
        "--augment light needs image data");
  }

  @Test
  void badSizesAndHostileConfigsGiveOneLineErrors() throws Exception {
    assertOneLineError(run("train", "--data", "fashion-mnist", "--model", "vit", "--patch", "5", "--out", dir.resolve("a").toString()),
        "patchSize must divide imageSize", "imageSize 28 and patchSize 5");
    assertOneLineError(run("train", "--data", "fashion-mnist", "--model", "vit", "--heads", "5", "--out", dir.resolve("b").toString()),
        "dim 64 and heads 5");
    Path hostile = Files.createDirectories(dir.resolve("hostile"));
    Files.writeString(hostile.resolve("config.json"), "{\"model\":\"vit\",\"inputShape\":[1,28,28],\"numClasses\":10,\"data\":\"fashion-mnist\","
        + "\"vit\":{\"imageSize\":28,\"patchSize\":4,\"inChannels\":1,\"dim\":65536,\"depth\":1000,\"heads\":1,\"mlpRatio\":4,\"positions\":\"learned\"}}");
    assertOneLineError(run("eval", "--model", hostile.toString()), "config.json", "parameters");
    Files.writeString(hostile.resolve("config.json"), "{\"model\":\"hybrid\",\"inputShape\":[1,28,28],\"numClasses\":10,"
        + "\"vit\":{\"imageSize\":28,\"patchSize\":4,\"inChannels\":1,\"dim\":8,\"depth\":1,\"heads\":1,\"mlpRatio\":4,\"positions\":\"learned\"}}");
    assertOneLineError(run("eval", "--model", hostile.toString()), "config.json", "'hybrid'");
  }
}
