package dev.fathom.insight.sensitivity;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.F;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.GradClip;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * One run of the sensitivity probe (Hahn and Rofin, ACL 2024): train a {@link BitTransformer} on
 * a Boolean task with fresh random inputs every step, then measure on test inputs the accuracy,
 * the {@link Sharpness} of the minimum found, the parameter norm and the {@link LayerNormBlowup}.
 *
 * <pre>{@code
 * ProbeResult r = SensitivityProbe.run(new Parity(8), false, BitTransformerConfig.of(32, 2, 2, 9), ProbeConfig.of(3000, 1));
 * }</pre>
 *
 * <p>The scratchpad variant trains parity with the running parities as per-position targets
 * under a causal mask ({@link BitBatch#scratchpad}) and is tested by greedy decoding: the model
 * writes its own scratchpad and only the last running parity is scored.
 */
public final class SensitivityProbe {
  /** Test rows per forward pass. */
  private static final int EVAL_CHUNK = 512;

  private SensitivityProbe() {}

  /**
   * Trains and measures one model.
   *
   * @param task the Boolean function (for {@code scratchpad}, a {@link Parity})
   * @param scratchpad train parity with the scratchpad of running parities
   * @param shape model shape; its maxLen is replaced by the sequence length the task needs
   * @param config training and measurement settings
   * @throws IllegalArgumentException when {@code scratchpad} is asked of a task other than parity
   */
  public static ProbeResult run(BooleanTask task, boolean scratchpad, BitTransformerConfig shape, ProbeConfig config) {
    return measure(train(task, scratchpad, shape, config));
  }

  /**
   * Trains a model on fresh random inputs every step, until {@code config.steps()} or the early
   * stop (see {@link ProbeConfig}).
   *
   * @throws IllegalArgumentException when {@code scratchpad} is asked of a task other than parity
   */
  public static TrainedProbe train(BooleanTask task, boolean scratchpad, BitTransformerConfig shape, ProbeConfig config) {
    if (scratchpad && !(task instanceof Parity)) {
      throw new IllegalArgumentException("the scratchpad variant is defined for parity only, got " + task.name());
    }
    long t0 = System.nanoTime();
    int n = task.length();
    Rng root = new Rng(config.seed());
    Rng init = root.split(), data = root.split();
    BitTransformer model = new BitTransformer(shape.withMaxLen(BitBatch.sequenceLength(n, scratchpad)), scratchpad, init);
    List<Tensor> params = model.parameters();
    List<float[]> initial = params.stream().map(p -> p.data().clone()).toList();
    AdamW opt = new AdamW(params, new AdamConfig(config.lr(), 0.9, 0.999, 1e-8, config.weightDecay()));
    LrSchedule lr = LrSchedule.cosineWithWarmup(config.lr(), config.warmupSteps(), config.steps(), config.lr() / 10);
    model.train();
    double[] recent = new double[ProbeConfig.STOP_WINDOW];
    double recentSum = 0;
    int step = 0, cooldown = 0, cooldownLeft = -1;
    double stopLr = 0;
    while (step < config.steps() && cooldownLeft != 0) {
      BitBatch b = batch(task, scratchpad, BitBatch.sample(n, config.batchSize(), data));
      Tensor loss = loss(model, b);
      opt.zeroGrad();
      loss.backward();
      GradClip.clipGradNorm(params, config.maxGradNorm());
      opt.setLr(cooldownLeft > 0 ? stopLr * cooldownLeft-- / cooldown : lr.lr(step));
      opt.step();
      int slot = step % recent.length;
      recentSum += loss.item() - recent[slot];
      recent[slot] = loss.item();
      step++;
      if (cooldownLeft < 0 && step >= recent.length && recentSum / recent.length <= config.stopLoss()) {
        cooldown = cooldownLeft = Math.max(ProbeConfig.STOP_WINDOW, step / 10);
        stopLr = lr.lr(step);
      }
    }
    double trainLoss = recentSum / Math.min(step, recent.length);
    double moved = 0;
    for (int p = 0; p < params.size(); p++) {
      float[] now = params.get(p).data(), was = initial.get(p);
      for (int i = 0; i < now.length; i++) moved += (double) (now[i] - was[i]) * (now[i] - was[i]);
    }
    model.eval();
    return new TrainedProbe(task, scratchpad, model, config, trainLoss, step, Math.sqrt(moved), (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Measures a trained model on test inputs: all 2ⁿ when 2ⁿ ≤ testSize, else testSize fresh random
   * ones (drawn from the config's seed, independently of the training data).
   */
  public static ProbeResult measure(TrainedProbe trained) {
    long t0 = System.nanoTime();
    BooleanTask task = trained.task();
    boolean scratchpad = trained.scratchpad();
    ProbeConfig config = trained.config();
    BitTransformer model = trained.model();
    List<Tensor> params = model.parameters();
    int n = task.length();
    Rng root = new Rng(config.seed() ^ 0x9E3779B97F4A7C15L);
    Rng test = root.split(), noise = root.split();
    long[] inputs = n <= 30 && (1L << n) <= config.testSize() ? BitBatch.all(n) : BitBatch.sample(n, config.testSize(), test);
    List<BitBatch> testSet = chunks(task, scratchpad, inputs);
    try (var g = Grad.disabled()) {
      double accuracy = accuracy(model, testSet, scratchpad);
      double testLoss;
      double blowup, blowupMax, blowupAnswer;
      try (LayerNormBlowup ln = LayerNormBlowup.attach(model);
           LayerNormBlowup atAnswer = LayerNormBlowup.attach(model, testSet.get(0).answerPosition())) {
        testLoss = meanLoss(model, testSet);
        blowup = ln.meanBlowup();
        blowupMax = ln.maxBlowup();
        blowupAnswer = atAnswer.meanBlowup();
      }
      double sharpness = Sharpness.expectedLossIncrease(params, () -> meanLoss(model, testSet), config.sharpnessRadius(),
          config.sharpnessDraws(), noise);
      double sensitivity = scratchpad ? AverageSensitivity.scratchpadParityStep(n) : task.averageSensitivity();
      double seconds = trained.trainSeconds() + (System.nanoTime() - t0) / 1e9;
      return new ProbeResult(task.name(), n, scratchpad ? "scratchpad" : "direct", sensitivity, accuracy, testLoss, trained.trainLoss(),
          sharpness, parameterNorm(params), trained.distanceFromInit(), blowup, blowupMax, blowupAnswer, trained.steps(), seconds);
    }
  }

  /** ‖θ‖₂ over all the tensors. */
  public static double parameterNorm(List<Tensor> params) {
    double sq = 0;
    for (Tensor p : params) for (float v : p.data()) sq += (double) v * v;
    return Math.sqrt(sq);
  }

  private static BitBatch batch(BooleanTask task, boolean scratchpad, long[] inputs) {
    return scratchpad ? BitBatch.scratchpad(task.length(), inputs) : BitBatch.direct(task, inputs);
  }

  private static List<BitBatch> chunks(BooleanTask task, boolean scratchpad, long[] inputs) {
    List<BitBatch> out = new java.util.ArrayList<>();
    for (int i = 0; i < inputs.length; i += EVAL_CHUNK) {
      out.add(batch(task, scratchpad, Arrays.copyOfRange(inputs, i, Math.min(inputs.length, i + EVAL_CHUNK))));
    }
    return out;
  }

  /** Mean cross-entropy over the predicted positions of a batch. */
  private static Tensor loss(BitTransformer model, BitBatch b) {
    Tensor logits = model.call(b.ids());                                     // (B, T, 2)
    return F.crossEntropy(logits.reshape(-1, 2), b.targets(), BitBatch.IGNORE, 0);
  }

  /** Cross-entropy over all test rows (chunks weighted by their rows; every row has the same number of targets). */
  private static double meanLoss(BitTransformer model, List<BitBatch> testSet) {
    double sum = 0;
    int rows = 0;
    for (BitBatch b : testSet) {
      sum += loss(model, b).item() * b.answers().length;
      rows += b.answers().length;
    }
    return sum / rows;
  }

  private static double accuracy(BitTransformer model, List<BitBatch> testSet, boolean scratchpad) {
    int right = 0, rows = 0;
    for (BitBatch b : testSet) {
      int[] predicted = scratchpad ? decode(model, b) : argmaxAt(model.call(b.ids()), b.answerPosition());
      for (int r = 0; r < predicted.length; r++) if (predicted[r] == b.answers()[r]) right++;
      rows += predicted.length;
    }
    return (double) right / rows;
  }

  /**
   * Greedy decoding of the scratchpad: the true sᵢ fed back in {@code b} are replaced one by one by
   * the model's own predictions (the causal mask keeps every prediction blind to later tokens), and
   * the prediction at the last position is the answer.
   */
  static int[] decode(BitTransformer model, BitBatch b) {
    int rows = b.ids().size(0), t = b.ids().size(1), n = t / 2;
    long[] ids = b.ids().toLongArray().clone();
    for (int i = 0; i < n - 1; i++) {                       // position n + i predicts s_{i+1}, written at n + 1 + i
      int[] next = argmaxAt(model.call(Tensor.ofLongs(ids, rows, t)), n + i);
      for (int r = 0; r < rows; r++) ids[r * t + n + 1 + i] = next[r];
    }
    return argmaxAt(model.call(Tensor.ofLongs(ids, rows, t)), t - 1);
  }

  /** argmax over the two classes at one position of logits (B, T, 2). */
  private static int[] argmaxAt(Tensor logits, int position) {
    int rows = logits.size(0), t = logits.size(1);
    float[] v = logits.data();
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) {
      int o = (r * t + position) * 2;
      out[r] = v[o + 1] > v[o] ? 1 : 0;
    }
    return out;
  }
}
