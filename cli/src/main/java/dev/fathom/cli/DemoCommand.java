package dev.fathom.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom demo}: the guided main job, a CNN on Fashion-MNIST in a few minutes. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Train a CNN on Fashion-MNIST, then show accuracy, what it confuses, and where the results went.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--epochs", defaultValue = "2", description = "epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--out", defaultValue = "runs/demo", description = "output directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--seed", defaultValue = "42", description = "seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() throws Exception {
    System.out.println("Fathom demo: a convolutional network learns Fashion-MNIST (60,000 training images, 10 classes).");
    System.out.println("Two conv blocks (conv 3x3, batch norm, ReLU, max pool) and an MLP head, trained with AdamW.");
    var r = Training.run(new Training.Options("fashion-mnist", null, "cnn", epochs, 128, 0.002, 1e-4, seed, out, false), System.out);
    var test = r.test();
    List<String> names = r.config().classNames();
    System.out.printf("%nTest accuracy: %.2f%% on %d images (loss %.4f), %.0f s in all, %.0f training images/s%n",
        100 * test.accuracy(), test.examples(), test.loss(), r.seconds(), r.trainExamplesPerSecond());
    long[][] cm = test.confusion();
    System.out.println("\nPer class (accuracy):");
    for (int i = 0; i < cm.length; i++) {
      long row = 0;
      for (long v : cm[i]) row += v;
      System.out.printf("  %-12s %6.2f%%%n", names.get(i), row == 0 ? 0 : 100.0 * cm[i][i] / row);
    }
    List<long[]> pairs = new ArrayList<>();
    for (int i = 0; i < cm.length; i++) for (int j = 0; j < cm.length; j++) if (i != j) pairs.add(new long[] {cm[i][j], i, j});
    pairs.sort((a, b) -> Long.compare(b[0], a[0]));
    System.out.println("\nMost confused (true -> predicted):");
    for (int q = 0; q < 3 && q < pairs.size(); q++) {
      long[] p = pairs.get(q);
      System.out.printf("  %-12s -> %-12s %d images%n", names.get((int) p[1]), names.get((int) p[2]), p[0]);
    }
    System.out.printf("%nCheckpoint: %s (config.json + model.safetensors)%n", out.resolve("model.safetensors"));
    System.out.printf("Curves:     %s%n", out.resolve("curves.png"));
    System.out.printf("Metrics:    %s%n", out.resolve("metrics.jsonl"));
    System.out.printf("Next: ./fathom eval --model %s   or   ./fathom predict --model %s --input IMAGE.png%n", out, out);
    return 0;
  }
}
