package dev.fathom.vision.probe;

import dev.fathom.nn.F;
import dev.fathom.optim.Adam;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Tensor;
import java.util.List;

/**
 * Multinomial logistic regression on frozen features, the linear evaluation protocol of SimCLR and
 * MoCo: features are standardized with the training rows' mean and standard deviation, then W and
 * b minimize (1/n) Σ CE(softmax(xW + b), y) + (λ/2)‖W‖², full batch, with Adam and a cosine
 * schedule (the objective is convex, so the optimizer only sets how close to the optimum it gets).
 *
 * @param weightDecay λ, the L2 penalty
 * @param steps full-batch steps
 * @param lr Adam's peak learning rate
 */
public record LinearProbe(double weightDecay, int steps, double lr) {
  public LinearProbe {
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("LinearProbe: weightDecay must be >= 0, got " + weightDecay);
    if (steps < 1) throw new IllegalArgumentException("LinearProbe: steps must be >= 1, got " + steps);
    if (!(lr > 0)) throw new IllegalArgumentException("LinearProbe: lr must be > 0, got " + lr);
  }

  /** λ 1e-3, 300 steps, lr 0.05. */
  public static LinearProbe defaults() {
    return new LinearProbe(1e-3, 300, 0.05);
  }

  /** A fitted probe: standardization and the linear map. */
  public record Fitted(float[] mean, float[] scale, float[] weight, float[] bias, int numClasses) {
    /** Predicted classes of N×D features. */
    public int[] predict(float[] x) {
      int d = mean.length, n = x.length / d;
      Tensor logits = Tensor.of(standardize(x, mean, scale), n, d).matmul(Tensor.of(weight, d, numClasses)).add(Tensor.of(bias, numClasses));
      float[] argmax = logits.argmax(1, false).toFloat().data();
      int[] out = new int[n];
      for (int i = 0; i < n; i++) out[i] = (int) argmax[i];
      return out;
    }
  }

  /**
   * @param x n·d features
   * @param labels n classes in [0, numClasses)
   */
  public Fitted fit(float[] x, int d, int[] labels, int numClasses) {
    int n = labels.length;
    if (d <= 0 || x.length != (long) n * d) throw new IllegalArgumentException("LinearProbe: expected " + n + " x " + d + " features, got " + x.length + " values");
    float[] mean = new float[d], scale = new float[d];
    for (int j = 0; j < d; j++) {
      double s = 0, ss = 0;
      for (int i = 0; i < n; i++) s += x[i * d + j];
      double m = s / n;
      for (int i = 0; i < n; i++) ss += (x[i * d + j] - m) * (x[i * d + j] - m);
      mean[j] = (float) m;
      double sd = Math.sqrt(ss / n);
      scale[j] = (float) (sd > 1e-6 ? 1 / sd : 1);
    }
    Tensor xs = Tensor.of(standardize(x, mean, scale), n, d);
    long[] y = new long[n];
    for (int i = 0; i < n; i++) y[i] = labels[i];
    Tensor targets = Tensor.ofLongs(y, n);
    Tensor w = Tensor.zeros(d, numClasses).requiresGrad(true), b = Tensor.zeros(numClasses).requiresGrad(true);
    var opt = new Adam(List.of(w, b), AdamConfig.of(lr));
    LrSchedule schedule = LrSchedule.cosineWithWarmup(lr, 0, steps, lr * 0.01);
    for (int s = 0; s < steps; s++) {
      opt.setLr(schedule.lr(s));
      Tensor loss = F.crossEntropy(xs.matmul(w).add(b), targets).add(w.mul(w).sum().mul((float) (weightDecay / 2)));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    return new Fitted(mean, scale, w.data().clone(), b.data().clone(), numClasses);
  }

  /**
   * This probe with λ chosen from {@code grid} by stratified k-fold cross-validation on the
   * labelled rows alone (fold f holds the rows whose rank within their class is f mod k), as the
   * linear evaluations of SimCLR and BYOL tune the L2 penalty on held-out labelled data. Ties go to
   * the larger λ.
   */
  public LinearProbe tuned(float[] x, int d, int[] labels, int numClasses, double[] grid, int folds) {
    return tuned(x, d, labels, numClasses, grid, folds, folds);
  }

  /**
   * As {@link #tuned(float[], int, int[], int, double[], int)}, scoring only the first
   * {@code foldsUsed} of the k folds: with one, λ is chosen on a single stratified held-out split of
   * 1/k of the labelled rows (SimCLR's validation split), which is what large label sets can afford.
   */
  public LinearProbe tuned(float[] x, int d, int[] labels, int numClasses, double[] grid, int folds, int foldsUsed) {
    int n = labels.length;
    if (grid.length == 0) throw new IllegalArgumentException("LinearProbe: empty λ grid");
    if (folds < 2) throw new IllegalArgumentException("LinearProbe: expected folds >= 2, got " + folds);
    if (foldsUsed < 1 || foldsUsed > folds) throw new IllegalArgumentException("LinearProbe: expected 1 <= foldsUsed <= " + folds + ", got " + foldsUsed);
    int[] fold = new int[n], seen = new int[numClasses];
    for (int i = 0; i < n; i++) fold[i] = seen[labels[i]]++ % folds;
    double best = -1;
    double bestLambda = grid[0];
    for (double lambda : grid) {
      LinearProbe p = new LinearProbe(lambda, steps, lr);
      int correct = 0;
      for (int f = 0; f < foldsUsed; f++) {
        int m = 0;
        for (int i = 0; i < n; i++) if (fold[i] != f) m++;
        if (m == n || m == 0) continue;
        int[] tr = new int[m], te = new int[n - m];
        int a = 0, b = 0;
        for (int i = 0; i < n; i++) {
          if (fold[i] != f) tr[a++] = i;
          else te[b++] = i;
        }
        int[] ytr = new int[m];
        for (int i = 0; i < m; i++) ytr[i] = labels[tr[i]];
        int[] pred = p.fit(Features.rows(x, d, tr), d, ytr, numClasses).predict(Features.rows(x, d, te));
        for (int i = 0; i < te.length; i++) if (pred[i] == labels[te[i]]) correct++;
      }
      if (correct >= best) {
        best = correct;
        bestLambda = lambda;
      }
    }
    return new LinearProbe(bestLambda, steps, lr);
  }

  static float[] standardize(float[] x, float[] mean, float[] scale) {
    int d = mean.length;
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) out[i] = (x[i] - mean[i % d]) * scale[i % d];
    return out;
  }
}
