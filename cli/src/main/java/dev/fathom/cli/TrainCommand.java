package dev.fathom.cli;

import dev.fathom.data.Batch;
import dev.fathom.nn.Sequential;
import dev.fathom.xai.robust.AdversarialTraining;
import dev.fathom.xai.robust.PgdConfig;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fathom train}: trains a classifier and writes a checkpoint directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a classifier; writes config.json, model.safetensors, metrics.jsonl and curves.png to --out.")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "fashion-mnist, or a .csv/.arff file")
  String data;

  @Option(names = "--target", description = "target column of a table (default: 'label', else the last column)")
  String target;

  @Option(names = "--model", defaultValue = "cnn", description = "mlp, cnn, vit, hybrid or resnet (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--limit", description = "use only the first N training and N test examples (quick runs)")
  Integer limit;

  @Mixin
  VisionModelOptions vision;

  @Mixin
  TokenOptions tokens;

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

  @Option(names = "--fold", description = "tables: hold out fold K of a stratified N-fold split (K/N, e.g. 2/5) instead of 20%% of the rows")
  String fold;

  @Option(names = "--augment", defaultValue = "none", description = "training-image augmentation: none, or light (random resized crop 0.7-1 and horizontal flip) (default: ${DEFAULT-VALUE})")
  String augment;

  @Option(names = "--out", required = true, description = "checkpoint directory")
  Path out;

  @Option(names = "--resume", description = "continue from the checkpoint in --out if there is one")
  boolean resume;

  @Option(names = "--adversarial", description = "adversarial training (Madry et al.): train on PGD examples of each batch; 'pgd'")
  String adversarial;

  @Option(names = "--adv-eps", defaultValue = "0.1", description = "L-inf radius of the training attack (default: ${DEFAULT-VALUE})")
  double advEps;

  @Option(names = "--adv-steps", defaultValue = "5", description = "PGD steps of the training attack, step 2.5*eps/steps (default: ${DEFAULT-VALUE})")
  int advSteps;

  @Override
  public Integer call() throws Exception {
    if (!data.equalsIgnoreCase(DataSources.FASHION) && !"mlp".equals(model)) {
      throw new CliException("--model " + model + " needs image data (fashion-mnist); use --model mlp for " + data);
    }
    var options = new Training.Options(data, target, model, epochs, batch, lr, weightDecay, seed, out, resume, Fold.parse(fold), augment);
    BiFunction<Sequential, int[], UnaryOperator<Batch>> transform = null;
    if (adversarial != null) {
      if (!"pgd".equals(adversarial)) throw new CliException("--adversarial must be 'pgd', got '" + adversarial + "'", 2);
      if (!data.equalsIgnoreCase(DataSources.FASHION)) throw new CliException("--adversarial needs image data in [0, 1] (fashion-mnist)", 2);
      PgdConfig attack;
      try {
        attack = PgdConfig.linf(advEps, advSteps, 1, seed);
      } catch (IllegalArgumentException e) {
        throw new CliException("--adv-eps/--adv-steps: " + e.getMessage(), 2);
      }
      System.out.printf("adversarial training: PGD-%d, L-inf eps %.3g, step %.3g%n", attack.steps(), attack.eps(), attack.alpha());
      transform = (m, shape) -> AdversarialTraining.pgd(m, shape, attack);
    }
    if (limit != null && limit <= 0) throw new CliException("--limit must be > 0, got " + limit, 2);
    var r = Training.run(options, System.out, transform, vision, tokens, limit == null ? 0 : limit);
    System.out.printf("test accuracy: %.2f%% (%d examples, loss %.4f)%n", 100 * r.test().accuracy(), r.test().examples(), r.test().loss());
    System.out.printf("checkpoint: %s%n", out.resolve("model.safetensors"));
    return 0;
  }
}
