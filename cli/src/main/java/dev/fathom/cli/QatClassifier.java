package dev.fathom.cli;

import dev.fathom.compress.QuantAwareTraining;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.io.Checkpoint;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.LrSchedule;
import dev.fathom.quant.GroupGrid;
import dev.fathom.train.EvalResult;
import dev.fathom.train.Evaluator;
import dev.fathom.train.ProgressCallback;
import dev.fathom.train.Trainer;
import dev.fathom.train.TrainerConfig;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code compress qat} for a classifier (mlp, cnn): every Linear and Conv2d weight but the first
 * layer's is fake-quantized (the first sees the raw input: 9 weights per filter in the CNN, fewer
 * than a group; QAT papers keep it at higher precision too). Reports the test accuracy of the float
 * model and of its round-to-nearest copy, fine-tunes (AdamW, warmup, cosine to lr/100, weight decay
 * 1e-4, as {@code fathom train}), exports on the grid, saves and scores the saved values.
 */
final class QatClassifier {
  private QatClassifier() {}

  static void run(CompressQatCommand o, GroupGrid grid) throws IOException {
    ModelLoader loaded = ModelLoader.load(o.model);
    Sequential m = loaded.model();
    Predicate<String> selected = quantizedWeights(m)::contains;
    LoadedData d = DataSources.load(o.data, loaded.config().target(), o.seed);
    DataLoader train = new DataLoader(d.train(), DataLoaderConfig.train(o.batch == null ? 128 : o.batch, o.seed));
    DataLoader test = new DataLoader(d.test(), DataLoaderConfig.eval(500));
    int classes = loaded.config().numClasses();
    EvalResult float0 = Evaluator.evaluate(m, test, F::crossEntropy, classes);
    QuantAwareTraining qat = attach(m, grid, selected);
    EvalResult rtn0 = Evaluator.evaluate(m, test, F::crossEntropy, classes);
    System.out.printf("start: float test accuracy %.2f%% | RTN %s %.2f%% (%s quantized; %,d test examples)%n", 100 * float0.accuracy(), grid,
        100 * rtn0.accuracy(), String.join(", ", qat.weightNames()), float0.examples());
    if (o.floatControl) qat.close();
    AdamW opt = new AdamW(m.parameters(), new AdamConfig(o.lr, 0.9, 0.999, 1e-8, 1e-4));
    long total = (long) o.epochs * train.numBatches();
    new Trainer(m, opt, F::crossEntropy, train, test, classes, TrainerConfig.epochs(o.epochs))
        .schedule(LrSchedule.cosineWithWarmup(o.lr, Math.min(100, total / 10), total, o.lr * 0.01))
        .addCallback(new ProgressCallback(System.out)).fit();
    EvalResult trained = Evaluator.evaluate(m, test, F::crossEntropy, classes);
    qat.close();
    qat.export();
    Checkpoint.save(o.out, m, loaded.vision() != null ? loaded.vision() : loaded.config(), Map.of("qat_grid", grid.id(),
        "qat_method", o.floatControl ? "float fine-tune then rtn" : "qat"));
    EvalResult saved = Evaluator.evaluate(ModelLoader.load(o.out).model(), test, F::crossEntropy, classes);
    System.out.printf("%s %s, %d epochs, lr %.2e, seed %d: %s test accuracy %.2f%% | saved %s (%s values as float32) test accuracy %.2f%%%n",
        o.what(), grid, o.epochs, o.lr, o.seed, o.floatControl ? "float" : "fake-quantized", 100 * trained.accuracy(), o.out, grid,
        100 * saved.accuracy());
  }

  /** The weights of every Linear and Conv2d but the first, in module order. */
  static Set<String> quantizedWeights(Module m) {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    m.namedModules().forEach((name, mod) -> {
      if (mod instanceof Linear || mod instanceof Conv2d) names.add(name.isEmpty() ? "weight" : name + ".weight");
    });
    if (!names.isEmpty()) names.remove(names.iterator().next());
    return names;
  }

  private static QuantAwareTraining attach(Module m, GroupGrid grid, Predicate<String> selected) {
    try {
      return QuantAwareTraining.attach(m, grid, selected);
    } catch (IllegalArgumentException e) {
      throw new CliException("--format " + grid + ": " + e.getMessage());
    }
  }
}
