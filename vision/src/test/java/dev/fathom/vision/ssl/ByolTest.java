package dev.fathom.vision.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Linear;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.ResNet;
import dev.fathom.vision.models.ResNetConfig;
import org.junit.jupiter.api.Test;

class ByolTest {
  @Test
  void emaUpdateIsTheConvexCombination() {
    float[] target = {1, -2, 4}, online = {3, 0, -4};
    Byol.emaUpdate(target, online, 0.75);
    // 0.75·1 + 0.25·3 = 1.5; 0.75·(−2) + 0 = −1.5; 0.75·4 + 0.25·(−4) = 2
    assertThat(target).containsExactly(1.5f, -1.5f, 2f);
    float[] same = {5, 6};
    Byol.emaUpdate(same, new float[] {9, 9}, 1.0);
    assertThat(same).containsExactly(5f, 6f);
    assertThatThrownBy(() -> Byol.emaUpdate(new float[2], new float[3], 0.5)).hasMessageContaining("2").hasMessageContaining("3");
  }

  @Test
  void moduleEmaMovesEveryParameterAndCopiesBuffers() {
    Rng rng = new Rng(1);
    Linear a = new Linear(3, 2, rng), b = new Linear(3, 2, rng);
    float[] before = b.weight.data().clone();
    Byol.ema(a, b, 0.9);
    for (int i = 0; i < before.length; i++) assertThat(b.weight.data()[i]).isCloseTo(0.9f * before[i] + 0.1f * a.weight.data()[i], within(1e-6f));
  }

  @Test
  void targetStartsAsTheOnlineNetworkFollowsItAndGetsNoGradient() {
    Rng rng = new Rng(2);
    ResNetConfig rc = new ResNetConfig(1, new int[] {4, 8}, new int[] {1, 1});
    var byol = new Byol(new ResNet(rc, rng), new ResNet(rc, rng), new ByolConfig(16, 8, 0.9), rng);
    var on = byol.encoder().namedParameters();
    byol.targetEncoder().namedParameters().forEach((k, v) -> {
      assertThat(v.data()).as(k).isEqualTo(on.get(k).data());
      assertThat(v.requiresGrad()).isFalse();
    });
    assertThat(byol.namedParameters().keySet()).noneMatch(k -> k.startsWith("target"));
    Tensor views = Tensor.rand(new Rng(3), 8, 1, 8, 8);
    Tensor loss = byol.loss(views, 2);
    assertThat(loss.item()).isBetween(0f, 4f);
    loss.backward();
    assertThat(byol.targetEncoder().parameters()).allMatch(p -> p.grad() == null);
    assertThat(byol.encoder().parameters()).anyMatch(p -> p.grad() != null);
    // a step moves the online weights; the EMA then moves the target a fraction (1 − τ) of the way
    Tensor w = on.get("conv1.weight");
    float[] targetBefore = byol.targetEncoder().namedParameters().get("conv1.weight").data().clone();
    for (int i = 0; i < w.numel(); i++) w.data()[i] += 1;
    byol.afterStep(0, 10);
    assertThat(byol.tau()).isCloseTo(0.9, within(1e-12));
    float[] targetAfter = byol.targetEncoder().namedParameters().get("conv1.weight").data();
    for (int i = 0; i < targetAfter.length; i++) assertThat(targetAfter[i]).isCloseTo(targetBefore[i] + 0.1f, within(1e-5f));
    byol.afterStep(5, 10);
    assertThat(byol.tau()).isCloseTo(1 - 0.1 * 0.5, within(1e-12));
    byol.afterStep(10, 10);
    assertThat(byol.tau()).isCloseTo(1, within(1e-12));
  }
}
