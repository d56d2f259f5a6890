package dev.fathom.insight.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** A short learning check, the measurements on the trained model, and the configs' validation. */
class SensitivityProbeTest {
  private static final BitTransformerConfig SMALL = BitTransformerConfig.of(16, 2, 1, 2);

  @Test
  void firstBitIsLearnedAndItsMeasurementsAreConsistent() {
    ProbeConfig config = new ProbeConfig(800, 32, 3e-3, 0.01, 20, 1.0, 256, 0.2, 4, 0.02, 1);
    TrainedProbe t = SensitivityProbe.train(new FirstBit(6), false, SMALL, config);
    ProbeResult r = SensitivityProbe.measure(t);
    assertThat(r.accuracy()).as("first bit at n = 6, all 64 inputs").isGreaterThanOrEqualTo(0.99);
    assertThat(r.steps()).as("stopped early").isLessThan(800).isGreaterThanOrEqualTo(ProbeConfig.STOP_WINDOW);
    assertThat(r.trainLoss()).isLessThanOrEqualTo(0.02);
    assertThat(r.testLoss()).isLessThan(0.1);
    assertThat(r.sensitivity()).isEqualTo(1);
    assertThat(r.sharpness()).as("a trained minimum: perturbations raise the loss").isGreaterThan(0);
    assertThat(r.paramNorm()).isCloseTo(SensitivityProbe.parameterNorm(t.model().parameters()), within(1e-9)).isPositive();
    assertThat(r.lnBlowup()).isPositive().isLessThanOrEqualTo(r.lnBlowupMax());
    assertThat(r.lnBlowupAnswer()).isPositive().isLessThanOrEqualTo(r.lnBlowupMax());
    assertThat(r.paramDistance()).as("training moved the parameters").isPositive().isEqualTo(t.distanceFromInit());
    ProbeResult flat = SensitivityProbe.measure(t.withConfig(new ProbeConfig(800, 32, 3e-3, 0.01, 20, 1.0, 256, 0, 3, 0.02, 1)));
    assertThat(flat.sharpness()).as("radius 0").isZero();
    assertThat(flat.testLoss()).as("measuring does not change the model").isEqualTo(r.testLoss());
    assertThat(r.csvRow()).startsWith("first,6,direct,1.000000,");
    assertThat(r.csvRow().split(",")).hasSize(ProbeResult.csvHeader().split(",").length);
  }

  @Test
  void anUntrainedModelIsAtChanceOnParity() {
    ProbeConfig config = new ProbeConfig(1, 8, 1e-3, 0, 0, 1.0, 512, 0.1, 1, 0, 2);
    ProbeResult r = SensitivityProbe.run(new Parity(9), false, SMALL, config);
    assertThat(r.accuracy()).as("parity of 9 bits after one step, all 512 inputs").isBetween(0.4, 0.6);
    assertThat(r.sensitivity()).isEqualTo(9);
  }

  @Test
  void scratchpadDecodingReadsTheModelsOwnOutputs() {
    ProbeConfig config = new ProbeConfig(1, 8, 1e-3, 0, 0, 1.0, 16, 0.1, 1, 0, 3);
    TrainedProbe t = SensitivityProbe.train(new Parity(4), true, SMALL, config);
    BitBatch b = BitBatch.scratchpad(4, BitBatch.all(4));
    int[] decoded = SensitivityProbe.decode(t.model(), b);
    assertThat(decoded).hasSize(16);
    assertThat(java.util.Arrays.stream(decoded).allMatch(v -> v == 0 || v == 1)).isTrue();
    assertThat(SensitivityProbe.measure(t).sensitivity()).isEqualTo(AverageSensitivity.scratchpadParityStep(4));
  }

  @Test
  void badConfigurationsAreRejected() {
    assertThatThrownBy(() -> new ProbeConfig(0, 8, 1e-3, 0, 0, 1, 16, 0.1, 1, 0, 1)).hasMessageContaining("steps must be >= 1, got 0");
    assertThatThrownBy(() -> new ProbeConfig(10, 0, 1e-3, 0, 0, 1, 16, 0.1, 1, 0, 1)).hasMessageContaining("batchSize must be >= 1, got 0");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 0, 0, 0, 1, 16, 0.1, 1, 0, 1)).hasMessageContaining("lr must be finite and > 0, got 0.0");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 1e-3, -1, 0, 1, 16, 0.1, 1, 0, 1)).hasMessageContaining("weightDecay");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 1e-3, 0, 11, 1, 16, 0.1, 1, 0, 1)).hasMessageContaining("warmupSteps must be in [0, steps = 10], got 11");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 1e-3, 0, 0, 0, 16, 0.1, 1, 0, 1)).hasMessageContaining("maxGradNorm must be > 0");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 1e-3, 0, 0, 1, 0, 0.1, 1, 0, 1)).hasMessageContaining("testSize must be >= 1, got 0");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 1e-3, 0, 0, 1, 16, -0.1, 1, 0, 1)).hasMessageContaining("sharpnessRadius must be finite and >= 0, got -0.1");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 1e-3, 0, 0, 1, 16, 0.1, 0, 0, 1)).hasMessageContaining("sharpnessDraws must be >= 1, got 0");
    assertThatThrownBy(() -> new ProbeConfig(10, 8, 1e-3, 0, 0, 1, 16, 0.1, 1, -1, 1)).hasMessageContaining("stopLoss must be finite and >= 0, got -1.0");
    assertThatThrownBy(() -> BitTransformerConfig.of(30, 4, 1, 8)).hasMessageContaining("numHeads must divide dModel = 30, got 4");
    assertThatThrownBy(() -> BitTransformerConfig.of(32, 2, 0, 8)).hasMessageContaining("numLayers must be >= 1, got 0");
    assertThatThrownBy(() -> new BitTransformerConfig(32, 2, 1, 64, 8, 0)).hasMessageContaining("layerNormEps must be > 0");
    ProbeConfig ok = ProbeConfig.of(5, 1);
    assertThatThrownBy(() -> SensitivityProbe.train(new Majority(5), true, SMALL, ok)).hasMessageContaining("scratchpad variant is defined for parity only, got majority");
  }

  @Test
  void theModelHasPyTorchStyleKeysAndChecksItsInput() {
    BitTransformer m = new BitTransformer(BitTransformerConfig.of(16, 2, 2, 9), false, new dev.fathom.tensor.Rng(1));
    assertThat(m.stateDict().keySet()).contains("tok_emb.weight", "pos_emb.weight", "blocks.1.ln_1.weight", "blocks.0.attn.q_proj.weight",
        "blocks.0.fc_1.weight", "blocks.1.fc_2.bias", "ln_f.bias", "head.weight");
    // per block: 2 LayerNorms (2·2·16), attention 4·(16·16 + 16), MLP 16·64 + 64 + 64·16 + 16
    long block = 2 * 2 * 16 + 4 * (16 * 16 + 16) + 16 * 64 + 64 + 64 * 16 + 16;
    assertThat(m.numParameters()).isEqualTo(4 * 16 + 9 * 16 + 2 * block + 2 * 16 + 16 * 2 + 2);
    assertThatThrownBy(() -> m.call(dev.fathom.tensor.Tensor.ofLongs(new long[10], 1, 10))).hasMessageContaining("T <= 9, got [1, 10]");
  }
}
