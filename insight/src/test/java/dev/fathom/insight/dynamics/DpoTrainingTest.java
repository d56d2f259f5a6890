package dev.fathom.insight.dynamics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multi-step DPO: the loss and its gradient away from π = π_ref, the SGD step, and a small learning check. */
class DpoTrainingTest {
  private static final int V = 12;

  private static List<DpoPair> pairs(Rng rng, int n) {
    List<DpoPair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new DpoPair(TinyModels.tokens(rng, 5, V), TinyModels.tokens(rng, 4, V), TinyModels.tokens(rng, 4, V)));
    return out;
  }

  /**
   * After a few SGD steps π ≠ π_ref, so every pair has its own weight σ(−m_i) ≠ 1/2. The batch
   * loss must equal the mean of −log σ(m_i) from log-probabilities read off the model, its
   * gradient must be −(β/B)·Σ σ(−m_i)·(∇log π(y⁺_i) − ∇log π(y⁻_i)), and a central difference
   * of the loss along a random direction must match the gradient's projection on it.
   */
  @Test
  void lossAndGradientAwayFromTheReferenceMatchTheFormulaAndFiniteDifferences() {
    LlamaForCausalLM m = TinyModels.llama(11);
    List<DpoPair> train = pairs(new Rng(12), 4);
    double beta = 0.5;
    double[] refC = new double[4], refR = new double[4];
    for (int i = 0; i < 4; i++) {
      refC[i] = SequenceLogProb.value(m, train.get(i).chosenProbe());
      refR[i] = SequenceLogProb.value(m, train.get(i).rejectedProbe());
    }
    DpoTraining t = new DpoTraining(m, train, new DpoConfig(beta, 0.5, "sgd", 0, 2, 10, 1, 13));
    for (int s = 0; s < 3; s++) t.trainStep();
    assertThat(t.step()).isEqualTo(3);
    List<Tensor> params = Params.trainable(m);
    int[] all = {0, 1, 2, 3};
    double expected = 0;
    double[] hand = new double[Params.count(params)];
    for (int i = 0; i < 4; i++) {
      LmProbe c = train.get(i).chosenProbe(), r = train.get(i).rejectedProbe();
      double lc = SequenceLogProb.value(m, c), lr = SequenceLogProb.value(m, r);
      double margin = beta * ((lc - refC[i]) - (lr - refR[i]));
      assertThat(Math.abs(margin)).as("pair %d has moved off the reference", i).isGreaterThan(1e-3);
      expected += DpoLoss.value(lc, lr, refC[i], refR[i], beta) / 4;
      double w = -beta / 4 / (1 + Math.exp(margin));  // −(β/B)·σ(−m)
      double[] gc = Params.gradient(SequenceLogProb.of(m, c), null, params), gr = Params.gradient(SequenceLogProb.of(m, r), null, params);
      for (int k = 0; k < hand.length; k++) hand[k] += w * (gc[k] - gr[k]);
    }
    Tensor loss = t.loss(all);
    assertThat((double) loss.item()).isCloseTo(expected, within(1e-5));
    double[] g = Params.gradient(loss, null, params);
    double diff = 0, norm = 0;
    for (int k = 0; k < g.length; k++) {
      diff += (g[k] - hand[k]) * (g[k] - hand[k]);
      norm += hand[k] * hand[k];
    }
    assertThat(Math.sqrt(diff / norm)).as("relative gradient error").isLessThan(1e-4);

    Rng rng = new Rng(14);
    double[] d = new double[g.length];
    for (int k = 0; k < d.length; k++) d[k] = rng.nextGaussian();
    double h = 1e-3, slope = Params.dot(g, d);
    float[][] saved = Params.save(params);
    double plus = shiftedLoss(t, params, d, h), minus = shiftedLoss(t, params, d, -h);
    Params.restore(params, saved);
    assertThat((plus - minus) / (2 * h)).isCloseTo(slope, within(0.02 * Math.abs(slope)));
  }

  private static double shiftedLoss(DpoTraining t, List<Tensor> params, double[] d, double h) {
    int off = 0;
    float[][] saved = Params.save(params);
    for (Tensor p : params) {
      float[] x = p.data();
      for (int i = 0; i < x.length; i++) x[i] += (float) (h * d[off + i]);
      off += x.length;
    }
    double l = t.loss(new int[] {0, 1, 2, 3}).item();
    Params.restore(params, saved);
    return l;
  }

  /** With the whole set as one batch, an SGD step moves θ by exactly −lr·∇L. */
  @Test
  void sgdStepMovesTheParametersByMinusLrTimesTheGradient() {
    LlamaForCausalLM m = TinyModels.llama(21);
    List<DpoPair> train = pairs(new Rng(22), 3);
    double lr = 0.05;
    DpoTraining t = new DpoTraining(m, train, new DpoConfig(0.1, lr, "sgd", 0, 3, 5, 1, 23));
    t.trainStep();  // off the reference first
    List<Tensor> params = Params.trainable(m);
    double[] g = Params.gradient(t.loss(new int[] {0, 1, 2}), null, params);
    float[][] before = Params.save(params);
    t.trainStep();
    float[][] after = Params.save(params);
    int off = 0;
    double err = 0, norm = 0;
    for (int i = 0; i < before.length; i++) {
      for (int k = 0; k < before[i].length; k++) {
        double want = -lr * g[off + k], got = after[i][k] - before[i][k];
        err += (got - want) * (got - want);
        norm += want * want;
      }
      off += before[i].length;
    }
    assertThat(norm).isGreaterThan(0);
    assertThat(Math.sqrt(err / norm)).isLessThan(1e-3);
  }

  /** AdamW on 8 pairs: the DPO loss falls, the margin grows, the rejected responses fall; snapshots at 0, every 10 steps and the end. */
  @Test
  void adamWLearnsThePreferences() {
    LlamaForCausalLM m = TinyModels.llama(31);
    List<DpoPair> train = pairs(new Rng(32), 8);
    DpoTraining t = new DpoTraining(m, train, new DpoConfig(0.1, 1e-2, "adamw", 0, 4, 25, 10, 33));
    List<DpoSnapshot> s = t.run(train, null);
    assertThat(s).extracting(DpoSnapshot::step).containsExactly(0, 10, 20, 25);
    DpoSnapshot first = s.get(0), last = s.get(s.size() - 1);
    assertThat(first.meanLoss(first, 0.1)).isCloseTo(Math.log(2), within(1e-9));
    assertThat(last.meanLoss(first, 0.1)).isLessThan(0.5);
    assertThat(last.meanRewardMargin(first, 0.1)).isGreaterThan(0.5);
    assertThat(last.meanLogpRejected()).isLessThan(first.meanLogpRejected() - 5);
    assertThat(last.trainLoss()).isLessThan(s.get(1).trainLoss());
  }

  @Test
  void badConfigsSayWhatWasExpected() {
    assertThatThrownBy(() -> new DpoConfig(0.1, 1e-3, "lion", 0, 1, 1, 1, 0)).hasMessageContaining("unknown optimizer 'lion': expected one of adamw, sgd");
    assertThatThrownBy(() -> new DpoConfig(0, 1e-3, "sgd", 0, 1, 1, 1, 0)).hasMessageContaining("beta must be a positive number, got 0.0");
    assertThatThrownBy(() -> new DpoConfig(0.1, 1e-3, "sgd", 0, 1, 5, 6, 0)).hasMessageContaining("evalEvery must be in [1, steps = 5], got 6");
    assertThatThrownBy(() -> new DpoTraining(TinyModels.llama(1), pairs(new Rng(1), 2), DpoConfig.adamW(1e-3, 4, 1, 1, 0)))
        .hasMessageContaining("2 training pairs, fewer than one batch of 4");
  }
}
