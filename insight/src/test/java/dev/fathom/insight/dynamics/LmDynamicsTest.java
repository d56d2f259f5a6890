package dev.fathom.insight.dynamics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LmDynamicsTest {
  private static final int V = 12;

  @Test
  void sequenceLogProbWithGraphEqualsThePerPositionSum() {
    LlamaForCausalLM m = TinyModels.llama(1);
    Rng rng = new Rng(2);
    LmProbe p = new LmProbe("x", TinyModels.tokens(rng, 5, V), TinyModels.tokens(rng, 4, V));
    double[][] pos = SequenceLogProb.positions(m, p);
    assertThat(pos).hasNumberOfRows(4);
    double manual = 0;
    for (int t = 0; t < 4; t++) manual += pos[t][p.response()[t]];
    assertThat((double) SequenceLogProb.of(m, p).item()).isCloseTo(manual, within(1e-4));
    assertThat(SequenceLogProb.value(m, p)).isCloseTo(manual, within(1e-12));
    int[] greedy = SequenceLogProb.greedy(m, p.prompt(), 3);
    double[][] g = SequenceLogProb.positions(m, p.with("greedy", greedy));
    for (int t = 0; t < 3; t++) assertThat(LogSoftmax.argmax(g[t])).as("greedy token %d", t).isEqualTo(greedy[t]);
  }

  @Test
  void sftPredictionAgreesAtSmallEtaAndTheResidualShrinksQuadratically() {
    LlamaForCausalLM m = TinyModels.llama(3);
    LmDynamics dyn = new LmDynamics(m);
    Rng rng = new Rng(4);
    LmProbe u = new LmProbe("update", TinyModels.tokens(rng, 6, V), TinyModels.tokens(rng, 5, V));
    List<LmProbe> probes = probes(rng, u);
    double[] rate = dyn.firstOrder(LmUpdate.sft(u), probes);
    assertThat(rate[0]).as("SFT raises its own response").isGreaterThan(0);
    double[] residual = new double[3];
    for (int h = 0; h < 3; h++) {
      double eta = 0.01 / (1 << h);
      double[] predicted = java.util.Arrays.stream(rate).map(r -> r * eta).toArray();
      Agreement a = Agreement.of(predicted, dyn.actualChange(LmUpdate.sft(u), probes, eta));
      assertThat(a.pearson()).as("Pearson at eta %s", eta).isGreaterThan(0.99);
      residual[h] = a.residualNorm();
    }
    assertThat(residual[0] / residual[1]).isBetween(2.5, 6.0);
    assertThat(residual[1] / residual[2]).isBetween(2.5, 6.0);
  }

  /** At π = π_ref, ∇L_DPO = (β/2)·(|y⁺|·∇L_SFT(y⁺) + |y⁻|·∇L_neg(y⁻)), so the rates combine the same way. */
  @Test
  void dpoIsHalfBetaTimesSftOnChosenPlusNegativeOnRejected() {
    LlamaForCausalLM m = TinyModels.llama(5);
    LmDynamics dyn = new LmDynamics(m);
    Rng rng = new Rng(6);
    LmProbe chosen = new LmProbe("chosen", TinyModels.tokens(rng, 6, V), TinyModels.tokens(rng, 4, V));
    LmProbe rejected = chosen.with("rejected", TinyModels.tokens(rng, 5, V));
    List<LmProbe> probes = probes(rng, chosen);
    double beta = 0.4;
    double[] dpo = dyn.firstOrder(LmUpdate.dpo(m, chosen, rejected, beta), probes);
    double[] sft = dyn.firstOrder(LmUpdate.sft(chosen), probes), neg = dyn.firstOrder(LmUpdate.negative(rejected), probes);
    double scale = 0;
    for (double d : dpo) scale = Math.max(scale, Math.abs(d));
    for (int i = 0; i < dpo.length; i++) {
      assertThat(dpo[i]).as("probe %d", i).isCloseTo(beta / 2 * (4 * sft[i] + 5 * neg[i]), within(1e-3 * scale));
    }
    double eta = 0.02;
    double[] predicted = java.util.Arrays.stream(dpo).map(r -> r * eta).toArray();
    assertThat(Agreement.of(predicted, dyn.actualChange(LmUpdate.dpo(m, chosen, rejected, beta), probes, eta)).pearson())
        .isGreaterThan(0.99);
  }

  @Test
  void dpoNeedsOnePrompt() {
    LlamaForCausalLM m = TinyModels.llama(7);
    LmProbe a = new LmProbe("a", new int[] {1, 2}, new int[] {3}), b = new LmProbe("b", new int[] {1, 3}, new int[] {3});
    assertThatThrownBy(() -> LmUpdate.dpo(m, a, b, 0.1)).hasMessageContaining("share one prompt");
    assertThatThrownBy(() -> new LmProbe("c", new int[0], new int[] {1})).hasMessageContaining("prompt is empty");
  }

  private static List<LmProbe> probes(Rng rng, LmProbe u) {
    List<LmProbe> ps = new ArrayList<>(List.of(u));
    for (int i = 0; i < 8; i++) ps.add(new LmProbe("p" + i, TinyModels.tokens(rng, 3 + i % 4, V), TinyModels.tokens(rng, 2 + i % 3, V)));
    return ps;
  }
}
