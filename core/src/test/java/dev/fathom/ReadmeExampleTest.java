package dev.fathom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.data.FashionMnist;
import dev.fathom.data.TensorDataset;
import dev.fathom.io.Checkpoint;
import dev.fathom.nn.Activation;
import dev.fathom.nn.BatchNorm2d;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.MaxPool2d;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java example, run on the first 2,560 Fashion-MNIST test images. */
class ReadmeExampleTest {
  @Test
  void readmeExampleTrains(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")) || System.getenv("FATHOM_DATA") != null,
        "Fashion-MNIST is not installed");
    var full = FashionMnist.load(false);
    var data = new FashionMnist.LabeledImages(Arrays.copyOf(full.images(), 2560 * 784), Arrays.copyOf(full.labels(), 2560), 28, 28);
    // --- README example ---
    var rng = new Rng(42);
    var train = new DataLoader(TensorDataset.of(data.images(), new int[] {1, 28, 28}, data.labels()),
        DataLoaderConfig.train(128, 42));
    var model = new Sequential(new Conv2d(1, 32, 3, 1, 1, rng), new BatchNorm2d(32), Activation.relu(),
        new MaxPool2d(2), Activation.flatten(), new Linear(32 * 14 * 14, 10, rng));
    var opt = new AdamW(model.parameters(), AdamConfig.adamW(1e-3));
    double first = Double.NaN, last = 0;
    for (Batch b : train) {
      Tensor loss = F.crossEntropy(model.call(b.inputs()), b.targets());
      opt.zeroGrad(); loss.backward(); opt.step();
      if (Double.isNaN(first)) first = loss.item();
      last = loss.item();
    }
    Checkpoint.saveTensors(dir.resolve("model.safetensors"), model.stateDict(), Map.of());
    // --- end ---
    assertThat(last).isLessThan(first * 0.6);
    assertThat(Checkpoint.loadTensors(dir.resolve("model.safetensors"))).containsKeys("0.weight", "1.running_mean", "5.bias");
  }
}
