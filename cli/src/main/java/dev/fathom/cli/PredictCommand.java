package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom predict}: class probabilities for each input example. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Class probabilities for the examples in an IDX, PNG or CSV file.")
final class PredictCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "checkpoint directory")
  Path model;

  @Option(names = "--input", required = true, description = "IDX images (.gz or plain), a PNG image, or CSV rows")
  Path input;

  @Option(names = "--json", description = "print a JSON array, one object per example")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ModelLoader m = ModelLoader.load(model);
    Tensor x = Inputs.read(input, m.config());
    List<String> names = m.config().classNames();
    int k = m.config().numClasses();
    List<Map<String, Object>> rows = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int n = x.size(0);
    try (var g = Grad.disabled()) {
      for (int s = 0; s < n; s += 500) {
        int len = Math.min(500, n - s);
        float[] p = m.model().call(x.narrow(0, s, len)).softmax(1).data();
        for (int i = 0; i < len; i++) {
          int best = 0;
          for (int c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
          String label = names.isEmpty() ? Integer.toString(best) : names.get(best);
          if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("index", s + i);
            o.put("prediction", label);
            Map<String, Double> probs = new LinkedHashMap<>();
            for (int c = 0; c < k; c++) probs.put(names.isEmpty() ? Integer.toString(c) : names.get(c), (double) p[i * k + c]);
            o.put("probabilities", probs);
            rows.add(o);
          } else {
            text.append(s + i).append('\t').append(label).append(String.format("\t%.4f\t", p[i * k + best]));
            for (int c = 0; c < k; c++) text.append(c == 0 ? "" : " ").append(String.format("%.4f", p[i * k + c]));
            text.append('\n');
          }
        }
      }
    }
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(rows));
    } else {
      System.out.println("# index\tprediction\tprobability\tprobabilities (" + String.join(", ", names) + ")");
      System.out.print(text);
    }
    return 0;
  }
}
