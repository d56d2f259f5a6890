package dev.fathom.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom dynamics}: one-step learning dynamics (Ren &amp; Sutherland, ICLR 2025). For an
 * update example, the predicted change of log-probabilities on probes (−η·A·K·G, or its sequence
 * form for a language model) beside the change one real SGD step makes, at η, η/2, η/4, ...; and
 * the squeezing effect of negative gradients.
 */
@Command(name = "dynamics", mixinStandardHelpOptions = true,
    description = "Learning dynamics: predicted (first-order A·K·G) vs actual change of log-probabilities after one SGD step; "
        + "writes dynamics.csv, residuals.csv, scatter.png (and squeeze.csv/png).")
final class DynamicsCommand implements Callable<Integer> {
  @Option(names = "--mode", required = true, description = "classifier (Fashion-MNIST classifier, explicit A·K·G), sft or dpo (causal LM, one step), dpo-train (multi-step DPO, squeezing)")
  String mode;

  @Option(names = "--model", description = "checkpoint directory: a classifier (classifier mode) or a Llama LM with tokenizer.json (sft, dpo)")
  Path model;

  @Option(names = "--train-mlp", description = "classifier mode: first train Fashion-MNIST's default MLP for --train-epochs (saved in OUT/mlp)")
  boolean trainMlp;

  @Option(names = "--train-epochs", defaultValue = "1", description = "epochs of --train-mlp (default: ${DEFAULT-VALUE})")
  int trainEpochs;

  @Option(names = "--text", description = "sft, dpo: the text prompts and responses are cut from (UTF-8), e.g. Tiny Shakespeare")
  Path text;

  @Option(names = "--eta", description = "learning rate of the step (default: 5e-4 classifier, 1e-2 sft, 1e-3 dpo, 1e-2 dpo-train)")
  Double eta;

  @Option(names = "--halvings", defaultValue = "2", description = "also step with eta/2, ..., eta/2^H for the residual table (default: ${DEFAULT-VALUE})")
  int halvings;

  @Option(names = "--probes", description = "probe images (classifier, default 200) or probe prompts with 4 responses each (sft, dpo, default 16) or held-out pairs (dpo-train, default 128)")
  Integer probes;

  @Option(names = "--token-probes", defaultValue = "200", description = "dpo: held-out prefixes for the token-level squeezing "
      + "probes (one step on one next token each; 0 = skip) (default: ${DEFAULT-VALUE})")
  int tokenProbes;

  @Option(names = "--updates", defaultValue = "3", description = "update examples, each studied on its own (default: ${DEFAULT-VALUE})")
  int updates;

  @Option(names = "--prompt-len", defaultValue = "64", description = "sft, dpo: prompt tokens (default: ${DEFAULT-VALUE})")
  int promptLen;

  @Option(names = "--response-len", defaultValue = "32", description = "sft, dpo: response tokens (default: ${DEFAULT-VALUE})")
  int responseLen;

  @Option(names = "--beta", defaultValue = "0.1", description = "dpo: beta (default: ${DEFAULT-VALUE})")
  double beta;

  @Option(names = "--rejected", description = "dpo, dpo-train: the rejected response, shuffled (the chosen tokens permuted), random (tokens drawn from the text), "
      + "or, dpo-train only, elsewhere (a passage from another place of the text) or uniform (tokens drawn uniformly from the vocabulary) (default: shuffled)")
  String rejected;

  @Option(names = "--pairs", defaultValue = "256", description = "dpo-train: training pairs (default: ${DEFAULT-VALUE})")
  int pairs;

  @Option(names = "--steps", defaultValue = "100", description = "dpo-train: optimizer steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--batch", defaultValue = "8", description = "dpo-train: pairs per step (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--optimizer", defaultValue = "sgd", description = "dpo-train: sgd (plain) or adamw (default: ${DEFAULT-VALUE})")
  String optimizer;

  @Option(names = "--eval-every", defaultValue = "10", description = "dpo-train: steps between measurements of the held-out pairs (default: ${DEFAULT-VALUE})")
  int evalEvery;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the examples picked (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    String m = mode.toLowerCase(Locale.ROOT);
    if (!m.equals("classifier") && !m.equals("sft") && !m.equals("dpo") && !m.equals("dpo-train")) {
      throw new CliException("--mode: expected classifier, sft, dpo or dpo-train, got '" + mode + "'", 2);
    }
    double e = eta != null ? eta : m.equals("classifier") ? 5e-4 : m.equals("sft") ? 1e-2 : m.equals("dpo") ? 1e-3 : 1e-2;
    if (!(e > 0) || Double.isInfinite(e)) throw new CliException("--eta must be a positive number, got " + e, 2);
    if (halvings < 1 || halvings > 8) throw new CliException("--halvings must be in [1, 8], got " + halvings, 2);
    if (updates < 1 || updates > 100) throw new CliException("--updates must be in [1, 100], got " + updates, 2);
    int n = probes != null ? probes : m.equals("classifier") ? 200 : m.equals("dpo-train") ? 128 : 16;
    if (n < 1) throw new CliException("--probes must be >= 1, got " + n, 2);
    if (tokenProbes < 0) throw new CliException("--token-probes must be >= 0, got " + tokenProbes, 2);
    if (m.equals("classifier")) {
      if ((model == null) == !trainMlp) throw new CliException("classifier mode needs exactly one of --model DIR and --train-mlp", 2);
      if (trainEpochs < 1) throw new CliException("--train-epochs must be >= 1, got " + trainEpochs, 2);
      Files.createDirectories(out);
      return DynamicsClassifier.run(this, e, n);
    }
    if (model == null) throw new CliException("--mode " + m + " needs --model DIR (a Llama checkpoint with tokenizer.json)", 2);
    if (trainMlp) throw new CliException("--train-mlp is for --mode classifier", 2);
    if (text == null) throw new CliException("--mode " + m + " needs --text FILE to cut prompts and responses from", 2);
    if (promptLen < 1 || responseLen < 2) {
      throw new CliException("--prompt-len must be >= 1 and --response-len >= 2, got " + promptLen + " and " + responseLen, 2);
    }
    if (!(beta > 0) || Double.isInfinite(beta)) throw new CliException("--beta must be a positive number, got " + beta, 2);
    if (rejected == null) rejected = "shuffled";
    if (m.equals("dpo-train")) {
      if (!DynamicsDpoTrain.REJECTED.contains(rejected)) {
        throw new CliException("--rejected: expected one of " + String.join(", ", DynamicsDpoTrain.REJECTED) + ", got '" + rejected + "'", 2);
      }
      if (pairs < 1 || batch < 1 || batch > pairs) throw new CliException("--pairs and --batch must be >= 1 with --batch <= --pairs, got " + pairs + " and " + batch, 2);
      if (steps < 1 || evalEvery < 1 || evalEvery > steps) {
        throw new CliException("--steps must be >= 1 and --eval-every in [1, --steps], got " + steps + " and " + evalEvery, 2);
      }
      if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) throw new CliException("--optimizer: expected adamw or sgd, got '" + optimizer + "'", 2);
      Files.createDirectories(out);
      return DynamicsDpoTrain.run(this, e, n);
    }
    if (!rejected.equals("shuffled") && !rejected.equals("random")) {
      throw new CliException("--rejected: expected shuffled or random, got '" + rejected + "'", 2);
    }
    Files.createDirectories(out);
    return DynamicsLm.run(this, m.equals("dpo"), e, n);
  }
}
