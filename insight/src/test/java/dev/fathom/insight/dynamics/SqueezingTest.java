package dev.fathom.insight.dynamics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqueezingTest {
  /**
   * A linear softmax model with W = 0 and b = log π, π = (0.7, 0.2, 0.08, 0.02): K = (x·x + 1)·I,
   * so a negative step on class 3 moves log π_c by η·k·[(π_c − δ_c3) − (Σπ² − π_3)], Σπ² − π_3 = 0.5168:
   * class 0 rises, classes 1, 2, 3 fall; the positive step reverses every sign.
   */
  @Test
  void aNegativeGradientOnAnUnlikelyClassSqueezesMassIntoTheArgmax() {
    Linear lin = new Linear(2, 4, new Rng(1));
    java.util.Arrays.fill(lin.weight.data(), 0f);
    double[] pi = {0.7, 0.2, 0.08, 0.02};
    for (int i = 0; i < 4; i++) lin.bias.data()[i] = (float) Math.log(pi[i]);
    ClassifierDynamics dyn = new ClassifierDynamics(new Sequential(lin));
    Tensor x = Tensor.of(new float[] {0.5f, -1f}, 1, 2);
    int[] least = Squeezing.leastLikely(dyn.logProbs(x));
    assertThat(least).containsExactly(3);

    SqueezeProbe neg = Squeezing.classifier(dyn, x, least, Direction.NEGATIVE, 0.05).get(0);
    assertThat(neg.argmax()).isEqualTo(0);
    assertThat(neg.argmaxRose()).isTrue();
    assertThat(neg.pushedFell()).isTrue();
    assertThat(neg.othersFell()).isEqualTo(1.0);

    SqueezeProbe pos = Squeezing.classifier(dyn, x, least, Direction.POSITIVE, 0.05).get(0);
    assertThat(pos.argmaxRose()).isFalse();
    assertThat(pos.pushedFell()).isFalse();
    assertThat(pos.othersFell()).isEqualTo(0.0);
  }

  @Test
  void negativeGradientsSqueezeOnMostProbesOfARandomModel() {
    Sequential m = TinyModels.mlp(6, 16, 5, 41);
    ClassifierDynamics dyn = new ClassifierDynamics(m);
    Tensor xs = TinyModels.inputs(30, 6, 42);
    int[] least = Squeezing.leastLikely(dyn.logProbs(xs));
    SqueezeSummary neg = SqueezeSummary.of(Squeezing.classifier(dyn, xs, least, Direction.NEGATIVE, 0.5));
    SqueezeSummary pos = SqueezeSummary.of(Squeezing.classifier(dyn, xs, least, Direction.POSITIVE, 0.5));
    assertThat(neg.probes()).isEqualTo(30);
    assertThat(neg.argmaxRose()).isGreaterThanOrEqualTo(0.9);
    assertThat(neg.pushedFell()).isEqualTo(1.0);
    assertThat(pos.argmaxRose()).isLessThan(neg.argmaxRose());
  }

  @Test
  void tokenViewKeepsOnlyPositionsWhoseTokenIsNotTheArgmax() {
    double[][] before = {{Math.log(0.6), Math.log(0.4)}, {Math.log(0.3), Math.log(0.7)}};
    double[][] after = {{Math.log(0.7), Math.log(0.3)}, {Math.log(0.2), Math.log(0.8)}};
    List<SqueezeProbe> t = Squeezing.tokens(before, after, new int[] {1, 1});
    assertThat(t).hasSize(1);
    assertThat(t.get(0).argmax()).isEqualTo(0);
    assertThat(t.get(0).argmaxRose()).isTrue();
    assertThat(t.get(0).pushedFell()).isTrue();
  }
}
