package dev.fathom.vision.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.data.TensorDataset;
import dev.fathom.tensor.Rng;
import dev.fathom.vision.augment.Compose;
import dev.fathom.vision.augment.GaussianNoise;
import dev.fathom.vision.augment.RandomHorizontalFlip;
import dev.fathom.vision.models.ResNet;
import dev.fathom.vision.models.ResNetConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainerTest {
  /** 64 images of four kinds (bright quadrant), lightly noised: SimCLR can tell them apart. */
  private static TensorDataset quadrants(int n) {
    Rng rng = new Rng(5);
    float[] x = new float[n * 64];
    for (int i = 0; i < n; i++) {
      int q = i % 4;
      for (int y = 0; y < 8; y++) for (int xx = 0; xx < 8; xx++) {
        boolean on = (y < 4) == (q < 2) && (xx < 4) == (q % 2 == 0);
        x[i * 64 + y * 8 + xx] = (on ? 0.8f : 0.1f) + 0.05f * rng.nextFloat();
      }
    }
    return TensorDataset.of(x, new int[] {1, 8, 8}, new int[n]);
  }

  private static SimClr simclr(long seed) {
    Rng rng = new Rng(seed);
    return new SimClr(new ResNet(new ResNetConfig(1, new int[] {4, 8}, new int[] {1, 1}), rng), new SimClrConfig(16, 8, 0.5), rng);
  }

  private static Byol byol(long seed) {
    Rng rng = new Rng(seed);
    var rc = new ResNetConfig(1, new int[] {4, 8}, new int[] {1, 1});
    return new Byol(new ResNet(rc, rng), new ResNet(rc, rng), new ByolConfig(16, 8, 0.99), rng);
  }

  @Test
  void simclrLossFallsAndRunsRepeatBitForBit() {
    var aug = Compose.of(new RandomHorizontalFlip(0.5), new GaussianNoise(0, 0.05, true));
    var cfg = new PretrainConfig(6, 16, 1e-2, 0, 1, 2, 7);
    var a = new Pretrainer(simclr(1), cfg).fit(quadrants(64), 1, 8, 8, aug, null);
    assertThat(a.epochLoss()[5]).isLessThan(a.epochLoss()[0] - 0.1);
    var b = new Pretrainer(simclr(1), new PretrainConfig(6, 16, 1e-2, 0, 1, 0, 7)).fit(quadrants(64), 1, 8, 8, aug, null);
    assertThat(b.stepLoss()).isEqualTo(a.stepLoss());
    assertThat(a.images()).isEqualTo(6 * 64);
  }

  /** Stops a run at the first step of epoch {@code at} (0-based), after the state of the epochs before it was saved. */
  private static Pretrainer.Listener stopAt(int at) {
    return (e, b, bs, loss, rate) -> {
      if (e == at) throw new IllegalStateException("interrupted");
    };
  }

  @Test
  void aResumedRunIsBitForBitTheRunThatWasNeverInterrupted(@TempDir Path dir) throws Exception {
    var aug = Compose.of(new RandomHorizontalFlip(0.5), new GaussianNoise(0, 0.05, true));
    var cfg = new PretrainConfig(4, 16, 1e-2, 1e-4, 1, 1, 7);
    for (String kind : new String[] {"simclr", "byol"}) {
      Path d = dir.resolve(kind);
      SslMethod whole = kind.equals("simclr") ? simclr(1) : byol(1);
      var a = new Pretrainer(whole, cfg).fit(quadrants(64), 1, 8, 8, aug, null);
      SslMethod first = kind.equals("simclr") ? simclr(1) : byol(1);
      assertThatThrownBy(() -> new Pretrainer(first, cfg).saveEpochsTo(d, true).fit(quadrants(64), 1, 8, 8, aug, stopAt(2)))
          .hasMessage("interrupted");
      assertThat(PretrainState.load(d).epochsDone()).isEqualTo(2);
      assertThat(java.nio.file.Files.list(d).map(f -> f.getFileName().toString()).sorted())
          .containsExactly("pretrain-epoch-2.safetensors", PretrainState.FILE);
      SslMethod second = kind.equals("simclr") ? simclr(99) : byol(99);  // other initial weights: all must come from the state
      var noWorkers = new PretrainConfig(4, 16, 1e-2, 1e-4, 1, 0, 7);  // another worker count changes nothing
      var b = new Pretrainer(second, noWorkers).saveEpochsTo(d, true).fit(quadrants(64), 1, 8, 8, aug, null);
      assertThat(b.stepLoss()).as(kind).isEqualTo(a.stepLoss());
      assertThat(b.epochLoss()).as(kind).isEqualTo(a.epochLoss());
      assertThat(b.images()).isEqualTo(a.images());
      whole.model().stateDict().forEach((k, v) -> assertThat(second.model().stateDict().get(k).toFloatArray()).as(k).isEqualTo(v.toFloatArray()));
      whole.extraState().forEach((k, v) -> assertThat(second.extraState().get(k).toFloatArray()).as(k).isEqualTo(v.toFloatArray()));
    }
  }

  @Test
  void aStateOfAnotherRunOrACorruptOneIsRefusedWithWhatWasExpected(@TempDir Path dir) throws Exception {
    var aug = Compose.of(new RandomHorizontalFlip(0.5));
    var cfg = new PretrainConfig(3, 16, 1e-2, 0, 1, 0, 7);
    assertThatThrownBy(() -> new Pretrainer(simclr(1), cfg).saveEpochsTo(dir, true).fit(quadrants(64), 1, 8, 8, aug, stopAt(1)))
        .hasMessage("interrupted");
    var other = new PretrainConfig(3, 16, 1e-2, 0, 1, 0, 8);
    assertThatThrownBy(() -> new Pretrainer(simclr(1), other).saveEpochsTo(dir, true).fit(quadrants(64), 1, 8, 8, aug, null))
        .hasMessageContaining("expected a simclr run with " + other).hasMessageContaining("got a simclr run with " + cfg);
    assertThatThrownBy(() -> new Pretrainer(byol(1), cfg).saveEpochsTo(dir, true).fit(quadrants(64), 1, 8, 8, aug, null))
        .hasMessageContaining("expected a byol run").hasMessageContaining("got a simclr run");
    assertThatThrownBy(() -> new Pretrainer(simclr(1), cfg).saveEpochsTo(dir, true).fit(quadrants(48), 1, 8, 8, aug, null))
        .hasMessageContaining("over 48 images, got a simclr run with").hasMessageContaining("over 64 images");
    Path weights = dir.resolve("pretrain-epoch-1.safetensors");
    byte[] bytes = java.nio.file.Files.readAllBytes(weights);
    java.nio.file.Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> new Pretrainer(simclr(1), cfg).saveEpochsTo(dir, true).fit(quadrants(64), 1, 8, 8, aug, null))
        .hasMessageContaining(weights.toString());
    java.nio.file.Files.delete(weights);
    assertThatThrownBy(() -> new Pretrainer(simclr(1), cfg).saveEpochsTo(dir, true).fit(quadrants(64), 1, 8, 8, aug, null))
        .hasMessageContaining("expected its tensors in " + weights + ", which is missing");
    String json = java.nio.file.Files.readString(dir.resolve(PretrainState.FILE));
    java.nio.file.Files.writeString(dir.resolve(PretrainState.FILE), json.substring(0, json.length() / 2));
    assertThatThrownBy(() -> new Pretrainer(simclr(1), cfg).saveEpochsTo(dir, true).fit(quadrants(64), 1, 8, 8, aug, null))
        .hasMessageContaining(PretrainState.FILE + ": expected a pretraining state JSON object");
    java.nio.file.Files.writeString(dir.resolve(PretrainState.FILE), json.replace("\"epochsDone\":1", "\"epochsDone\":-1"));
    assertThatThrownBy(() -> new Pretrainer(simclr(1), cfg).saveEpochsTo(dir, true).fit(quadrants(64), 1, 8, 8, aug, null))
        .hasMessageContaining("non-negative counts");
    PretrainState.clear(dir);
    assertThat(PretrainState.exists(dir)).isFalse();
  }

  @Test
  void checkpointRoundTripRebuildsTheEncoder(@TempDir Path dir) throws Exception {
    var m = simclr(3);
    SslCheckpoint.save(dir, m.name(), m.encoder(), new int[] {1, 8, 8}, java.util.Map.of("simclr", m.config()));
    var loaded = SslCheckpoint.load(dir);
    assertThat(loaded.method()).isEqualTo("simclr");
    assertThat(loaded.image()).containsExactly(1, 8, 8);
    assertThat(loaded.config().get("simclr").get("temperature").asDouble()).isEqualTo(0.5);
    m.encoder().stateDict().forEach((k, v) -> assertThat(loaded.encoder().stateDict().get(k).toFloatArray()).as(k).isEqualTo(v.toFloatArray()));
    java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"method\": \"simclr\", \"encoder\": {\"type\": \"vgg\"}, \"image\": [1, 8, 8]}");
    assertThatThrownBy(() -> SslCheckpoint.load(dir)).hasMessageContaining("unknown encoder type 'vgg'");
  }

  @Test
  void configsRejectBadValues() {
    assertThatThrownBy(() -> new PretrainConfig(0, 16, 1e-3, 0, 0, 1, 1)).hasMessageContaining("epochs").hasMessageContaining("0");
    assertThatThrownBy(() -> new PretrainConfig(2, 16, 1e-3, 0, 3, 1, 1)).hasMessageContaining("warmupEpochs").hasMessageContaining("3.0");
    assertThatThrownBy(() -> new SimClrConfig(16, 8, -1)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> new ByolConfig(16, 8, 1.5)).hasMessageContaining("momentum").hasMessageContaining("1.5");
  }
}
