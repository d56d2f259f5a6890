package dev.fathom.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class HybridTest {
  @Test
  void stemCellsBecomeTokens() {
    Hybrid h = new Hybrid(new HybridConfig(28, 1, new int[] {4, 8}, 16, 1, 2, 2, VitConfig.SINCOS), new Rng(1));
    Tensor x = Tensor.randn(new Rng(2), 2, 1, 28, 28);
    assertThat(h.config().numPatches()).isEqualTo(49);
    assertThat(h.embedPatches(x).shape()).containsExactly(2, 49, 16);
    assertThat(h.call(x).shape()).containsExactly(2, 16);
    assertThat(h.stateDict().keySet()).contains("patch_embed.backbone.0.weight", "patch_embed.backbone.1.running_mean",
        "patch_embed.backbone.3.weight", "patch_embed.proj.weight", "patch_embed.proj.bias", "blocks.0.attn.q_proj.weight", "cls_token");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Hybrid h = new Hybrid(new HybridConfig(8, 2, new int[] {3, 4}, 8, 1, 2, 2, VitConfig.LEARNED), new Rng(3));
    Tensor x = Tensor.randn(new Rng(4), 3, 2, 8, 8).requiresGrad(true);
    DirectionalGradCheck.check("Hybrid", h, x, () -> h.call(x));
  }

  /** Stem on 8×8, 1 channel, channels (2, 3): conv 1→2 at 4×4, conv 2→3 at 2×2, proj 3→4 at 2×2; then one block at T = 5. */
  @Test
  void flopsMatchAHandCount() {
    Hybrid h = new Hybrid(new HybridConfig(8, 1, new int[] {2, 3}, 4, 1, 2, 2, VitConfig.LEARNED), new Rng(1));
    long stem = 4 * 4 * 2 * 9 * 1 + 2 * 2 * 3 * 9 * 2 + 2 * 2 * 4 * 3;
    long block = 4 * 5 * 16 + 2 * 25 * 4 + 2 * 5 * 4 * 8;
    assertThat(h.flops()).isEqualTo(2 * (stem + block));
  }

  @Test
  void validation() {
    assertThatThrownBy(() -> new HybridConfig(28, 1, new int[] {4, 8, 16}, 16, 1, 2, 2, "learned"))
        .hasMessageContaining("3 stride-2 stem convs need imageSize divisible by 8, got imageSize 28");
    assertThatThrownBy(() -> new HybridConfig(28, 1, new int[] {4, 0}, 16, 1, 2, 2, "learned")).hasMessageContaining("[4, 0]");
    assertThatThrownBy(() -> new HybridConfig(28, 1, new int[] {4, 8}, 16, 1, 3, 2, "learned")).hasMessageContaining("dim 16 and heads 3");
  }

  @Test
  void classifierConfigChecksModelShapeAndSize() {
    VitConfig v = new VitConfig(28, 4, 1, 16, 1, 2, 2, "learned");
    List<String> names = List.of();
    ImageClassifierConfig ok = new ImageClassifierConfig("vit", new int[] {1, 28, 28}, 10, names, "x", v, null, null);
    assertThat(ImageClassifiers.build(ok, new Rng(1)).numParameters())
        .as("the estimate is the real count up to norms and biases")
        .isBetween(ImageClassifierConfig.estimateParameters(v, null, null, 10), ImageClassifierConfig.estimateParameters(v, null, null, 10) * 11 / 10);
    assertThatThrownBy(() -> new ImageClassifierConfig("vit", new int[] {1, 32, 32}, 10, names, "x", v, null, null))
        .hasMessageContaining("[1, 32, 32]").hasMessageContaining("28x28");
    assertThatThrownBy(() -> new ImageClassifierConfig("resnet", new int[] {1, 28, 28}, 10, names, "x", v, null, null))
        .hasMessageContaining("'resnet'");
    assertThatThrownBy(() -> new ImageClassifierConfig("vit", new int[] {1, 28, 28}, 10, names, "x",
        new VitConfig(28, 4, 1, 1 << 16, 100, 1, 4, "learned"), null, null)).hasMessageContaining("parameters");
    ResNetConfig r = ResNetConfig.small(1);
    ImageClassifierConfig res = new ImageClassifierConfig("resnet", new int[] {1, 28, 28}, 10, names, "x", null, null, r);
    long real = ImageClassifiers.build(res, new Rng(1)).numParameters(), est = ImageClassifierConfig.estimateParameters(null, null, r, 10);
    assertThat(real).isBetween(est, est * 11 / 10);
  }
}
