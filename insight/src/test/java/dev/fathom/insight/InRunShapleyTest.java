package dev.fathom.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class InRunShapleyTest {
  /** Four Gaussian blobs in 8-D; the first {@code flips} labels moved to another class. */
  static Examples blobs(int n, int flips, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[n * 8];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int c = rng.nextInt(4);
      y[i] = i < flips ? (c + 1 + rng.nextInt(3)) % 4 : c;
      for (int j = 0; j < 8; j++) x[i * 8 + j] = (float) ((j == c ? 3.0 : 0) + rng.nextGaussian());
    }
    return new Examples(x, y, 8, 4);
  }

  static Sequential mlp(long seed) {
    return mlp(seed, Activation.tanh());
  }

  /** 8 → 16 → 4 with the given activation between the two Linear layers. */
  static Sequential mlp(long seed, Activation act) {
    Rng rng = new Rng(seed);
    return new Sequential(new Linear(8, 16, rng), act, new Linear(16, 4, rng));
  }

  @Test
  void valuingDoesNotChangeTraining() {
    Examples train = blobs(200, 0, 1), valid = blobs(100, 0, 2);
    Sequential a = mlp(3), b = mlp(3);
    InRunConfig cfg = InRunConfig.of(2, 16, 0.1, 20, 5);
    InRunShapley.train(a, train, valid, cfg);
    InRunShapley.values(b, train, valid, cfg.withSecondOrder(true));
    List<Tensor> pa = a.parameters(), pb = b.parameters();
    for (int k = 0; k < pa.size(); k++) assertThat(pb.get(k).data()).containsExactly(pa.get(k).data());
  }

  @Test
  void theStackedPassLeavesTrainingBitForBitAndValuesAsTwoPassesDo() {
    Examples train = blobs(200, 20, 1), valid = blobs(100, 0, 2);
    InRunConfig cfg = InRunConfig.of(2, 16, 0.1, 20, 5);  // 200 = 12·16 + 8: a shorter last batch
    assertThat(StackedPass.supports(mlp(3, Activation.relu()), 16, 20, 8)).isTrue();
    assertThat(StackedPass.supports(mlp(3, Activation.relu()), 8, 20, 8)).isTrue();
    for (boolean second : new boolean[] {false, true}) {
      Sequential plain = mlp(3, Activation.relu()), stacked = mlp(3, Activation.relu()), twoPass = mlp(3, Activation.relu());
      InRunShapley.train(plain, train, valid, cfg);
      InRunShapley.Result s = InRunShapley.values(stacked, train, valid, cfg.withSecondOrder(second));
      InRunShapley.Result t = InRunShapley.valuesTwoPass(twoPass, train, valid, cfg.withSecondOrder(second));
      List<Tensor> pp = plain.parameters(), ps = stacked.parameters(), pt = twoPass.parameters();
      for (int k = 0; k < pp.size(); k++) {
        assertThat(ps.get(k).data()).containsExactly(pp.get(k).data());
        assertThat(pt.get(k).data()).containsExactly(pp.get(k).data());
      }
      double scale = 0;
      for (double v : t.values()) scale = Math.max(scale, Math.abs(v));
      assertThat(scale).isPositive();
      for (int i = 0; i < train.size(); i++) {
        // the validation rows' activations come from a taller product, so their last bits may differ
        assertThat(s.values()[i]).as("value %d, second order %s", i, second).isCloseTo(t.values()[i], within(1e-5 * scale));
      }
    }
  }

  @Test
  void theStackedPassTakesOnlyModelsItCanKeepBitForBit() {
    Rng rng = new Rng(4);
    assertThat(StackedPass.supports(mlp(3), 16, 20, 8)).as("tanh").isFalse();
    assertThat(StackedPass.supports(mlp(3, Activation.relu()), 16, 20, 7)).as("input width").isFalse();
    assertThat(StackedPass.supports(new Linear(8, 4, rng), 16, 20, 8)).as("not a Sequential").isFalse();
    assertThat(StackedPass.supports(new Sequential(new Linear(8, 4, rng), new dev.fathom.nn.LayerNorm(4)), 16, 20, 8)).as("LayerNorm").isFalse();
    // 20 rows of 64 → 20 take the direct GEMM path, 27 rows the packed one: the training rows' bits would change
    assertThat(StackedPass.supports(new Sequential(new Linear(64, 20, rng)), 20, 7, 64)).isFalse();
    assertThat(StackedPass.supports(new Sequential(new Linear(64, 20, rng), Activation.relu(), Activation.identity()), 100, 20, 64)).isTrue();
  }

  @Test
  void stepSumsTrackTheValidationLossAndSecondOrderHelpsAtLargeSteps() {
    Examples train = blobs(256, 0, 4), valid = blobs(128, 0, 5);
    InRunConfig small = InRunConfig.of(2, 32, 0.02, 1000, 6).withTrackEvery(1);
    InRunShapley.Result r = InRunShapley.values(mlp(7), train, valid, small);
    double[] pred = r.trace().stream().mapToDouble(InRunShapley.StepTrace::predictedFirst).toArray();
    double[] act = r.trace().stream().mapToDouble(InRunShapley.StepTrace::actual).toArray();
    assertThat(pred).hasSize(16);
    assertThat(Correlation.pearson(pred, act)).isGreaterThan(0.99);

    InRunConfig large = InRunConfig.of(2, 32, 1.0, 1000, 6).withTrackEvery(1).withSecondOrder(true);
    InRunShapley.Result l = InRunShapley.values(mlp(7), train, valid, large);
    double firstErr = 0, secondErr = 0;
    for (InRunShapley.StepTrace t : l.trace()) {
      firstErr += Math.abs(t.predictedFirst() - t.actual());
      secondErr += Math.abs(t.predicted() - t.actual());
    }
    assertThat(secondErr).isLessThan(0.7 * firstErr);
  }

  @Test
  void residualShrinksQuadraticallyWithTheStep() {
    Examples train = blobs(64, 0, 8), valid = blobs(64, 0, 9);
    double[] residual = new double[2];
    for (int k = 0; k < 2; k++) {
      InRunConfig cfg = InRunConfig.of(1, 64, 0.2 / (1 << k), 1000, 1).withTrackEvery(1);
      InRunShapley.StepTrace t = InRunShapley.values(mlp(10), train, valid, cfg).trace().get(0);
      residual[k] = Math.abs(t.predictedFirst() - t.actual());
    }
    assertThat(residual[0] / residual[1]).isBetween(3.0, 5.0);
  }

  @Test
  void flippedLabelsGetLowValues() {
    Examples train = blobs(400, 40, 11), valid = blobs(200, 0, 12);
    InRunShapley.Result r = InRunShapley.values(mlp(13), train, valid, InRunConfig.of(8, 20, 0.1, 50, 14));
    double[] score = new double[400];
    boolean[] flipped = new boolean[400];
    for (int i = 0; i < 400; i++) {
      score[i] = -r.values()[i];
      flipped[i] = i < 40;
    }
    assertThat(Auc.of(score, flipped)).isGreaterThan(0.9);
  }

  @Test
  void tracInMatchesInRunAtOneCheckpointAndFindsFlips() {
    Examples train = blobs(300, 30, 15), valid = blobs(150, 0, 16);
    Sequential model = mlp(17);
    InRunShapley.Result r = InRunShapley.train(model, train, valid, InRunConfig.of(6, 20, 0.1, 1000, 18).withCheckpoints(true));
    assertThat(r.checkpoints()).hasSize(6);
    TracIn.Result t = TracIn.values(model, r.checkpoints(), r.epochLr(), train, valid);
    double[] score = new double[300], self = new double[300];
    boolean[] flipped = new boolean[300];
    for (int i = 0; i < 300; i++) {
      score[i] = -t.values()[i];
      self[i] = t.selfInfluence()[i];
      flipped[i] = i < 30;
    }
    assertThat(Auc.of(score, flipped)).isGreaterThan(0.9);
    assertThat(Auc.of(self, flipped)).isGreaterThan(0.8);
    // the model's parameters are back at the end of training
    assertThat(model.parameters().get(0).data()).containsExactly(r.checkpoints().get(5).get("0.weight").data());
  }

  @Test
  void configWithersKeepTheOtherFields() {
    InRunConfig c = InRunConfig.of(3, 8, 0.5, 16, 9).withCosine(true).withSecondOrder(true).withTrackEvery(2).withCheckpoints(true).withLr(0.25);
    assertThat(c).isEqualTo(new InRunConfig(3, 8, 0.25, true, 16, true, 2, true, 9));
  }

  @Test
  void cosineScheduleScalesTheValuesStepByStep() {
    Examples train = blobs(64, 0, 20), valid = blobs(64, 0, 21);
    InRunConfig cfg = InRunConfig.of(1, 32, 0.1, 1000, 22).withTrackEvery(1);
    InRunShapley.Result flat = InRunShapley.values(mlp(23), train, valid, cfg);
    InRunShapley.Result cos = InRunShapley.values(mlp(23), train, valid, cfg.withCosine(true));
    // step 0: η_0 = η in both; step 1 of 2: η_1 = η/2 under cosine, from the same first update
    assertThat(cos.trace().get(0).predictedFirst()).isEqualTo(flat.trace().get(0).predictedFirst());
    assertThat(cos.trace().get(1).predictedFirst()).isCloseTo(flat.trace().get(1).predictedFirst() / 2, within(1e-12));
  }

  @Test
  void badInputIsRejected() {
    assertThatThrownBy(() -> InRunConfig.of(0, 1, 0.1, 1, 1)).hasMessageContaining("epochs must be >= 1, got 0");
    assertThatThrownBy(() -> InRunConfig.of(1, 1, -1, 1, 1)).hasMessageContaining("lr must be > 0, got -1.0");
    assertThatThrownBy(() -> new Examples(new float[5], new int[] {0, 1}, 3, 2)).hasMessageContaining("expected 2 x 3 = 6 values, got 5");
    Examples a = blobs(10, 0, 1);
    Examples b = new Examples(new float[4], new int[] {0, 1}, 2, 4);
    assertThatThrownBy(() -> InRunShapley.values(mlp(1), a, b, InRunConfig.of(1, 4, 0.1, 2, 1)))
        .hasMessageContaining("training rows have 8 features, validation rows 2");
  }
}
