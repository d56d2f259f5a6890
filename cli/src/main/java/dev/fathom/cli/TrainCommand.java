package dev.fathom.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom train}: trains a classifier and writes a checkpoint directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a classifier; writes config.json, model.safetensors, metrics.jsonl and curves.png to --out.")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "fashion-mnist, or a .csv/.arff file")
  String data;

  @Option(names = "--target", description = "target column of a table (default: 'label', else the last column)")
  String target;

  @Option(names = "--model", defaultValue = "cnn", description = "mlp or cnn (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--epochs", defaultValue = "5", description = "epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--lr", defaultValue = "0.002", description = "peak learning rate of AdamW with cosine decay (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--weight-decay", defaultValue = "0.0001", description = "AdamW weight decay (default: ${DEFAULT-VALUE})")
  double weightDecay;

  @Option(names = "--seed", defaultValue = "42", description = "seed for initialization, shuffling and dropout (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "checkpoint directory")
  Path out;

  @Option(names = "--resume", description = "continue from the checkpoint in --out if there is one")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    if (!data.equalsIgnoreCase(DataSources.FASHION) && "cnn".equals(model)) {
      throw new CliException("--model cnn needs image data (fashion-mnist); use --model mlp for " + data);
    }
    var r = Training.run(new Training.Options(data, target, model, epochs, batch, lr, weightDecay, seed, out, resume), System.out);
    System.out.printf("test accuracy: %.2f%% (%d examples, loss %.4f)%n", 100 * r.test().accuracy(), r.test().examples(), r.test().loss());
    System.out.printf("checkpoint: %s%n", out.resolve("model.safetensors"));
    return 0;
  }
}
