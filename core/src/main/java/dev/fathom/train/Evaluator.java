package dev.fathom.train;

import dev.fathom.autograd.Grad;
import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;

/** Runs a classifier over a loader in eval mode and no-grad: mean loss, accuracy, confusion matrix. */
public final class Evaluator {
  private Evaluator() {}

  public static EvalResult evaluate(Module model, DataLoader loader, LossFn loss, int numClasses) {
    boolean wasTraining = model.isTraining();
    model.eval();
    double lossSum = 0;
    long correct = 0;
    int n = 0;
    long[][] confusion = new long[numClasses][numClasses];
    try (var g = Grad.disabled()) {
      for (Batch b : loader) {
        Tensor out = model.call(b.inputs());
        int bs = b.size();
        lossSum += loss.apply(out, b.targets()).item() * bs;
        Tensor pred = out.argmax(1, false);
        for (int i = 0; i < bs; i++) {
          int t = (int) b.targets().getLong(i), p = (int) pred.getLong(i);
          if (t == p) correct++;
          if (t >= 0 && t < numClasses && p < numClasses) confusion[t][p]++;
        }
        n += bs;
      }
    } finally {
      if (wasTraining) model.train();
    }
    return new EvalResult(n == 0 ? Double.NaN : lossSum / n, n == 0 ? Double.NaN : (double) correct / n, n, confusion);
  }
}
