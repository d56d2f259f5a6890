package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.Sequential;
import dev.fathom.nn.StateDictException;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  private static ClassifierConfig cfg() {
    return ClassifierConfig.cnn(new int[] {1, 8, 8}, List.of("a", "b", "c"), "test");
  }

  @Test
  void roundTripRestoresEveryTensor(@TempDir Path dir) throws Exception {
    Sequential a = Classifiers.build(cfg(), new Rng(1));
    a.stateDict().get("1.running_mean").data()[0] = 0.25f;
    Checkpoint.save(dir, a, cfg(), Map.of());
    ClassifierConfig read = Checkpoint.readConfig(dir, ClassifierConfig.class);
    assertThat(read.classNames()).containsExactly("a", "b", "c");
    Sequential b = Classifiers.build(read, new Rng(2));
    Checkpoint.loadWeights(dir, b);
    Map<String, Tensor> sa = a.stateDict(), sb = b.stateDict();
    assertThat(sb.keySet()).containsExactlyElementsOf(sa.keySet()).contains("0.weight", "1.running_var", "1.num_batches_tracked");
    sa.forEach((k, v) -> assertThat(sb.get(k).toFloatArray()).as(k).containsExactly(v.toFloatArray()));
    try (var f = Safetensors.open(dir.resolve(Checkpoint.WEIGHTS))) {
      assertThat(f.get("1.num_batches_tracked").dtype()).isEqualTo(StDType.I64);
      assertThat(f.get("0.weight").shape()).containsExactly(32, 1, 3, 3);
    }
  }

  @Test
  void wrongShapesAndKeysAreNamed(@TempDir Path dir) throws Exception {
    Sequential small = Classifiers.build(cfg(), new Rng(1));
    Checkpoint.save(dir, small, cfg(), Map.of());
    var other = new ClassifierConfig("cnn", new int[] {1, 8, 8}, 3, List.of("a", "b", "c"), null, new int[] {16, 64}, 128, 0.25,
        "test", null, null, null);
    assertThatThrownBy(() -> Checkpoint.loadWeights(dir, Classifiers.build(other, new Rng(1))))
        .isInstanceOf(StateDictException.class).hasMessageContaining("'0.weight'").hasMessageContaining("[32, 1, 3, 3]")
        .hasMessageContaining("[16, 1, 3, 3]");
  }

  @Test
  void corruptedConfigIsAFormatError(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"model\": \"cnn\", \"inputShape\": [1, 8");
    assertThatThrownBy(() -> Checkpoint.readConfig(dir, ClassifierConfig.class)).isInstanceOf(FormatException.class)
        .hasMessageContaining("config.json");
  }

  @Test
  void hostileConfigCannotAskForAHugeModel(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"model\":\"mlp\",\"inputShape\":[100000,100000],\"numClasses\":10,"
        + "\"hidden\":[65536],\"dropout\":0}");
    assertThatThrownBy(() -> Checkpoint.readConfig(dir, ClassifierConfig.class)).isInstanceOf(FormatException.class)
        .hasMessageContaining("parameters");
    assertThat(new ClassifierConfig("cnn", new int[] {1, 28, 28}, 10, List.of(), null, new int[] {32, 64}, 128, 0, "x", null, null, null))
        .isNotNull();
  }

  @Test
  void failedSaveKeepsThePreviousCheckpoint(@TempDir Path dir) throws Exception {
    Sequential a = Classifiers.build(cfg(), new Rng(1));
    Checkpoint.save(dir, a, cfg(), Map.of());
    byte[] before = Files.readAllBytes(dir.resolve(Checkpoint.WEIGHTS));
    Object unserializable = new Object() {
      public Object getSelf() {
        throw new IllegalStateException("boom");
      }
    };
    assertThatThrownBy(() -> Checkpoint.save(dir, Classifiers.build(cfg(), new Rng(5)), unserializable, Map.of()));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.json", "model.safetensors");
    }
    assertThat(Checkpoint.readConfig(dir, ClassifierConfig.class)).isNotNull();
    assertThat(Files.readAllBytes(dir.resolve(Checkpoint.WEIGHTS))).isEqualTo(before);
  }
}
