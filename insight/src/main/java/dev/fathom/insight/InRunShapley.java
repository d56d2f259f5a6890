package dev.fathom.insight;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.Sgd;
import dev.fathom.optim.SgdConfig;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-Run Data Shapley (Wang, Mittal, Song and Jia, ICLR 2025): the value of each training example
 * to the validation loss, accumulated inside one ordinary training run.
 *
 * <p>At step t plain SGD moves θ by −η_t Σ_{i∈B_t} g_i with g_i = ∇ℓ_i/|B_t|. The utility of a
 * subset S of the batch is the drop of the validation loss it would cause alone,
 * U_t(S) = L_val(θ_t) − L_val(θ_t − η Σ_{i∈S} g_i). Its Taylor expansion is a sum of single and
 * pairwise terms, whose Shapley values are closed forms:
 *
 * <pre>
 *   first order     φ_i = η · g_i · ∇L_val(θ_t)
 *   second order    φ_i −= (η²/2) · g_iᵀ H_val (Σ_{j∈B_t} g_j)         (pair terms split evenly)
 * </pre>
 *
 * and an example's value is the sum over the steps whose batch holds it. The dot products come
 * from {@link GhostDot} (layer inputs and output gradients, never per-example gradients); the
 * validation gradient from a backward pass over a validation batch with the parameters frozen,
 * so that pass computes activation gradients only. The Hessian-vector product of the second
 * order is a central difference of two validation gradients, ε = 1e-3·‖θ‖/‖G‖.
 *
 * <p>{@link #train} runs the same loop without any of it: the baseline the cost is compared to.
 */
public final class InRunShapley {
  private InRunShapley() {}

  /**
   * One step's predicted and actual change of the whole validation loss (tracked steps only).
   *
   * @param step 0-based step
   * @param predicted −Σ_i φ_i of the batch (first order, plus second order when on)
   * @param predictedFirst −Σ_i of the first-order terms alone
   * @param actual L_val(θ_{t+1}) − L_val(θ_t)
   */
  public record StepTrace(int step, double predicted, double predictedFirst, double actual) {}

  /**
   * @param values per training example, in input order (0 for examples never drawn)
   * @param steps SGD steps taken
   * @param trace tracked steps (empty unless trackEvery > 0)
   * @param checkpoints parameters at the end of each epoch (empty unless requested)
   * @param epochLr mean η over each checkpoint's epoch
   * @param seconds wall time of the run
   * @param cpuSeconds CPU time of the whole process during the run (all threads; steadier than
   *     wall time on a shared machine)
   */
  public record Result(double[] values, int steps, List<StepTrace> trace, List<Map<String, Tensor>> checkpoints, double[] epochLr,
      double seconds, double cpuSeconds) {}

  /** Trains {@code model} on {@code train} with plain SGD and values every training example. */
  public static Result values(Module model, Examples train, Examples valid, InRunConfig cfg) {
    return run(model, train, valid, cfg, true);
  }

  /** The same training loop with no valuation (same batches, same updates): the cost baseline. */
  public static Result train(Module model, Examples train, Examples valid, InRunConfig cfg) {
    return run(model, train, valid, cfg, false);
  }

  /**
   * The valuing run with the validation rows in their own pass every step, never stacked under
   * the training batch ({@link StackedPass}): the reference the stacked pass is tested against.
   */
  static Result valuesTwoPass(Module model, Examples train, Examples valid, InRunConfig cfg) {
    return run(model, train, valid, cfg, true, false);
  }

  private static Result run(Module model, Examples train, Examples valid, InRunConfig cfg, boolean valuate) {
    return run(model, train, valid, cfg, valuate, true);
  }

  private static Result run(Module model, Examples train, Examples valid, InRunConfig cfg, boolean valuate, boolean mayStack) {
    if (train.features() != valid.features()) {
      throw new IllegalArgumentException("in-run: training rows have " + train.features() + " features, validation rows " + valid.features());
    }
    long t0 = System.nanoTime(), c0 = processCpuNanos();
    int n = train.size();
    double[] values = new double[n];
    List<StepTrace> trace = new ArrayList<>();
    List<Map<String, Tensor>> checkpoints = new ArrayList<>();
    double[] epochLr = new double[cfg.checkpoints() ? cfg.epochs() : 0];
    List<Tensor> params = model.parameters();
    Sgd opt = new Sgd(params, SgdConfig.of(cfg.lr()));
    Rng rng = new Rng(cfg.seed());
    ValidationStream stream = new ValidationStream(valid, cfg.validBatch(), cfg.seed() ^ 0x9E3779B97F4A7C15L); // own stream: batches unchanged
    int step = 0, totalSteps = cfg.epochs() * ((n + cfg.batchSize() - 1) / cfg.batchSize());
    int validRows = Math.min(cfg.validBatch(), valid.size());
    // whether the stacked pass applies, for the full batch and for the shorter last one
    java.util.Map<Integer, Boolean> stackable = new java.util.HashMap<>();
    // batch rows are copied into arrays reused from step to step (one per batch length): nothing keeps them past a step
    java.util.Map<Integer, float[]> stackX = new java.util.HashMap<>(), batchX = new java.util.HashMap<>();
    model.train();
    try (GhostDot ghost = valuate ? new GhostDot(model) : null) {
      for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
        int[] order = rng.permutation(n);
        double lrSum = 0;
        int epochSteps = 0;
        for (int s = 0; s < n; s += cfg.batchSize()) {
          int e = Math.min(n, s + cfg.batchSize());
          double lr = cfg.cosine() ? cfg.lr() * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps)) : cfg.lr();
          opt.setLr(lr);
          lrSum += lr;
          epochSteps++;
          int rows = e - s;
          GhostDot.Capture val = null, tr = null;
          Examples vb = null;
          if (valuate && mayStack && stackable.computeIfAbsent(rows, r -> StackedPass.supports(model, r, validRows, train.features()))) {
            int[] vIdx = stream.nextIndices();
            float[] x = stackX.computeIfAbsent(rows, r -> new float[(r + validRows) * train.features()]);
            int[] y = new int[rows + validRows];
            train.copyRows(order, s, e, x, y, 0);
            valid.copyRows(vIdx, 0, validRows, x, y, rows);
            opt.zeroGrad();
            StackedPass.Captures caps = StackedPass.run((Sequential) model, x, y, rows, validRows, train.features());
            tr = caps.train();
            val = caps.valid();
            if (cfg.secondOrder()) vb = valid.rows(vIdx, 0, validRows);
          } else {
            float[] x = batchX.computeIfAbsent(rows, r -> new float[r * train.features()]);  // reused, as the stacked rows are
            int[] y = new int[rows];
            train.copyRows(order, s, e, x, y, 0);
            if (valuate) {
              vb = stream.next();
              val = validationCapture(model, params, ghost, vb);
            }
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(model.call(Tensor.of(x, rows, train.features())), Tensor.ofInts(y, rows));
            loss.backward();
            if (valuate) tr = ghost.take();
          }
          boolean tracked = cfg.trackEvery() > 0 && step % cfg.trackEvery() == 0;
          double before = tracked ? loss(model, valid) : 0;
          double first = 0, total = 0;
          if (valuate) {
            double[] dot = tr.dotsWith(val);
            double[] second = cfg.secondOrder() ? secondOrder(model, params, ghost, tr, vb) : null;
            for (int k = 0; k < dot.length; k++) {
              double phi = lr * dot[k];
              first += phi;
              if (second != null) phi -= lr * lr / 2 * second[k];
              total += phi;
              values[order[s + k]] += phi;
            }
          }
          opt.step();
          if (tracked) trace.add(new StepTrace(step, -total, -first, loss(model, valid) - before));
          step++;
        }
        if (cfg.checkpoints()) {
          Map<String, Tensor> copy = new LinkedHashMap<>();
          model.namedParameters().forEach((k, v) -> copy.put(k, v.detach().copy()));
          checkpoints.add(copy);
          epochLr[epoch] = lrSum / epochSteps;
        }
      }
    }
    return new Result(values, step, trace, checkpoints, epochLr, (System.nanoTime() - t0) / 1e9, (processCpuNanos() - c0) / 1e9);
  }

  /**
   * Forward and backward of the mean validation loss that computes activation gradients only:
   * weights are frozen, and biases keep requiring grad so the backward reaches every layer's
   * output (the input is made to require grad instead when the first layer has no bias). Hooks
   * see the output gradients; no weight gradient is formed. Bias grads it leaves behind are
   * cleared by the caller's next zeroGrad.
   */
  static GhostDot.Capture validationCapture(Module model, List<Tensor> params, GhostDot ghost, Examples vb) {
    List<Linear> layers = ghost.layers();
    params.forEach(p -> p.requiresGrad(false));
    boolean biasesCarry = true;
    for (Linear l : layers) {
      if (l.bias != null) l.bias.requiresGrad(true);
      else if (l == layers.get(0)) biasesCarry = false;
    }
    try {
      Tensor loss = F.crossEntropy(model.call(input(vb, !biasesCarry)), labels(vb));
      loss.backward();
      return ghost.take();
    } finally {
      params.forEach(p -> p.requiresGrad(true));
    }
  }

  /**
   * g_iᵀ H_val G per batch row, G = Σ_j g_j the batch gradient now held in the parameters' grads:
   * H_val G ≈ (∇L_val(θ + εG) − ∇L_val(θ − εG)) / 2ε. The parameters and their grads are
   * restored before returning.
   */
  static double[] secondOrder(Module model, List<Tensor> params, GhostDot ghost, GhostDot.Capture tr, Examples vb) {
    List<Linear> layers = ghost.layers();
    Tensor[] g = new Tensor[params.size()];
    double gNorm = 0, pNorm = 0;
    for (int k = 0; k < g.length; k++) {
      g[k] = params.get(k).grad().copy();
      for (float v : g[k].data()) gNorm += (double) v * v;
      for (float v : params.get(k).data()) pNorm += (double) v * v;
    }
    gNorm = Math.sqrt(gNorm);
    pNorm = Math.sqrt(pNorm);
    double eps = gNorm == 0 ? 0 : 1e-3 * Math.max(pNorm, 1) / gNorm;
    Map<Tensor, float[]> plus = validationGrads(model, params, ghost, vb, g, eps);
    Map<Tensor, float[]> minus = validationGrads(model, params, ghost, vb, g, -eps);
    Tensor[] wDir = new Tensor[layers.size()], bDir = new Tensor[layers.size()];
    for (int l = 0; l < layers.size(); l++) {
      Linear layer = layers.get(l);
      wDir[l] = difference(layer.weight, plus, minus, eps);
      bDir[l] = layer.bias == null ? null : difference(layer.bias, plus, minus, eps);
    }
    for (int k = 0; k < g.length; k++) params.get(k).setGrad(g[k]);
    return eps == 0 ? new double[tr.batch()] : tr.dotsWithDirection(wDir, bDir);
  }

  private static Tensor difference(Tensor p, Map<Tensor, float[]> plus, Map<Tensor, float[]> minus, double eps) {
    float[] a = plus.get(p), b = minus.get(p);
    float[] d = new float[a.length];
    for (int i = 0; i < d.length; i++) d[i] = eps == 0 ? 0 : (float) ((a[i] - b[i]) / (2 * eps));
    return Tensor.of(d, p.shape());
  }

  /** ∇L_val at θ + eps·dir; parameters restored bit for bit afterwards, hook captures discarded. */
  private static Map<Tensor, float[]> validationGrads(Module model, List<Tensor> params, GhostDot ghost, Examples vb, Tensor[] dir, double eps) {
    float[][] saved = new float[params.size()][];
    for (int k = 0; k < dir.length; k++) {
      float[] p = params.get(k).data(), d = dir[k].data();
      saved[k] = p.clone();
      for (int i = 0; i < p.length; i++) p[i] += (float) (eps * d[i]);
    }
    try {
      for (Tensor p : params) p.setGrad(null);
      Tensor loss = F.crossEntropy(model.call(input(vb, false)), labels(vb));
      loss.backward();
      ghost.take();
      Map<Tensor, float[]> r = new java.util.IdentityHashMap<>();
      for (Tensor p : params) r.put(p, p.grad().data().clone());
      return r;
    } finally {
      for (int k = 0; k < saved.length; k++) System.arraycopy(saved[k], 0, params.get(k).data(), 0, saved[k].length);
    }
  }

  /** CPU time of this process so far, in ns (−1 when the platform does not report it). */
  static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Mean cross-entropy of {@code model} on {@code data}, no graph. */
  public static double loss(Module model, Examples data) {
    try (var g = Grad.disabled()) {
      return F.crossEntropy(model.call(input(data, false)), labels(data)).item();
    }
  }

  /** Accuracy of {@code model} on {@code data}. */
  public static double accuracy(Module model, Examples data) {
    try (var g = Grad.disabled()) {
      float[] logits = model.call(input(data, false)).data();
      int c = logits.length / data.size(), right = 0;
      for (int i = 0; i < data.size(); i++) {
        int best = 0;
        for (int k = 1; k < c; k++) if (logits[i * c + k] > logits[i * c + best]) best = k;
        if (best == data.y()[i]) right++;
      }
      return (double) right / data.size();
    }
  }

  /** The rows as a (n, features) tensor sharing {@code e}'s array (nothing writes to inputs). */
  static Tensor input(Examples e, boolean requiresGrad) {
    Tensor t = Tensor.of(e.x(), e.size(), e.features());
    return requiresGrad ? t.requiresGrad(true) : t;
  }

  static Tensor labels(Examples e) {
    return Tensor.ofInts(e.y(), e.size());
  }
}
