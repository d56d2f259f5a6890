package dev.fathom.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.TensorDataset;
import dev.fathom.io.Checkpoint;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.F;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning, determinism (checkpoint hash) and resume of the Trainer on a small synthetic image task. */
class TrainerTest {
  /** 4 classes of 1×8×8 images: a bright quadrant per class, plus noise. */
  static TensorDataset quadrants(int n, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[n * 64];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int c = rng.nextInt(4);
      y[i] = c;
      for (int p = 0; p < 64; p++) {
        int r = p / 8, col = p % 8;
        boolean on = (r < 4) == (c < 2) && (col < 4) == (c % 2 == 0);
        x[i * 64 + p] = (on ? 0.8f : 0.1f) + 0.3f * (float) rng.nextGaussian();
      }
    }
    return TensorDataset.of(x, new int[] {1, 8, 8}, y);
  }

  static ClassifierConfig config() {
    return new ClassifierConfig("cnn", new int[] {1, 8, 8}, 4, List.of("a", "b", "c", "d"), null, new int[] {4, 8}, 16, 0,
        "synthetic", null, null, null);
  }

  private static Trainer trainer(Sequential model, int epochs) {
    var train = new DataLoader(quadrants(256, 1), DataLoaderConfig.train(32, 5));
    var test = new DataLoader(quadrants(128, 2), DataLoaderConfig.eval(64));
    return new Trainer(model, new AdamW(model.parameters(), AdamConfig.adamW(0.01)), F::crossEntropy, train, test, 4,
        TrainerConfig.epochs(epochs));
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void learnsAndWritesArtifacts(@TempDir Path dir) throws Exception {
    Sequential model = Classifiers.build(config(), new Rng(3));
    Trainer t = trainer(model, 3);
    t.addCallback(new MetricsLog(dir.resolve("metrics.jsonl"))).addCallback(new CheckpointCallback(dir, config()))
        .addCallback(new CurvePlot(dir.resolve("curves.png")));
    List<EpochResult> h = t.fit();
    assertThat(h).hasSize(3);
    assertThat(h.get(2).valAccuracy()).isGreaterThan(0.9);
    assertThat(h.get(2).trainLoss()).isLessThan(h.get(0).trainLoss());
    assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSize(3).allMatch(l -> l.contains("\"val_accuracy\""))
        .allMatch(l -> l.contains("\"gc_seconds\""));
    assertThat(h).allMatch(e -> e.gcSeconds() >= 0 && e.gcSeconds() <= e.seconds() + 1);
    assertThat(Files.size(dir.resolve("curves.png"))).isGreaterThan(1000);
    assertThat(Checkpoint.readConfig(dir, ClassifierConfig.class).channels()).containsExactly(4, 8);
  }

  @Test
  void sameSeedSameCheckpointBytes(@TempDir Path dir) throws Exception {
    String[] hashes = new String[2];
    for (int run = 0; run < 2; run++) {
      Sequential model = Classifiers.build(config(), new Rng(11));
      Path out = dir.resolve("run" + run);
      trainer(model, 2).addCallback(new CheckpointCallback(out, config())).fit();
      hashes[run] = sha256(out.resolve(Checkpoint.WEIGHTS));
    }
    assertThat(hashes[0]).isEqualTo(hashes[1]);
  }

  @Test
  void resumeEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
    Path full = dir.resolve("full"), split = dir.resolve("split");
    Sequential a = Classifiers.build(config(), new Rng(4));
    trainer(a, 3).addCallback(new CheckpointCallback(full, config())).fit();

    Sequential b = Classifiers.build(config(), new Rng(4));
    trainer(b, 1).addCallback(new CheckpointCallback(split, config())).fit();
    Sequential c = Classifiers.build(config(), new Rng(99));
    Trainer resumed = trainer(c, 3);
    CheckpointCallback.resume(split, resumed);
    assertThat(resumed.state().epochsDone()).isEqualTo(1);
    resumed.addCallback(new CheckpointCallback(split, config())).fit();
    assertThat(resumed.history()).hasSize(3);
    assertThat(sha256(split.resolve(Checkpoint.WEIGHTS))).isEqualTo(sha256(full.resolve(Checkpoint.WEIGHTS)));
  }
}
