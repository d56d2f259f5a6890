package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.nn.F;
import dev.fathom.train.EvalResult;
import dev.fathom.train.Evaluator;
import dev.fathom.vision.models.ImageClassifiers;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fathom eval}: accuracy and loss of a checkpoint on test data. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a checkpoint: accuracy and loss.")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "checkpoint directory")
  Path model;

  @Option(names = "--data", description = "fashion-mnist or a .csv/.arff file (default: the test set of the training data)")
  String data;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Mixin
  TokenOptions tokens;

  @Override
  public Integer call() throws Exception {
    ModelLoader m = ModelLoader.load(model);
    tokens.apply(m.model());
    Long flops = m.vision() == null ? null : ImageClassifiers.flops(m.model(), m.config().inputShape());
    var ds = DataSources.evalData(m.config(), data);
    EvalResult r = Evaluator.evaluate(m.model(), new DataLoader(ds, DataLoaderConfig.eval(500)), F::crossEntropy, m.config().numClasses());
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("accuracy", r.accuracy());
      o.put("loss", r.loss());
      o.put("examples", r.examples());
      if (flops != null) o.put("flops_per_image", flops);
      System.out.println(new ObjectMapper().writeValueAsString(o));
    } else {
      System.out.printf("accuracy: %.2f%% (%d examples)%nloss: %.4f%n", 100 * r.accuracy(), r.examples(), r.loss());
      if (flops != null) System.out.printf("forward: %.3f MFLOP per image%n", flops / 1e6);
    }
    return 0;
  }
}
