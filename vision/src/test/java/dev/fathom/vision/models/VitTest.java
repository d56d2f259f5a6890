package dev.fathom.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class VitTest {
  static final VitConfig TINY = new VitConfig(8, 4, 2, 8, 2, 2, 2.0, VitConfig.LEARNED);

  @Test
  void shapesOfEveryPublicPiece() {
    VitConfig c = new VitConfig(28, 7, 1, 16, 2, 4, 2.0, VitConfig.SINCOS);
    Vit vit = new Vit(c, new Rng(1));
    Tensor x = Tensor.randn(new Rng(2), 3, 1, 28, 28);
    assertThat(vit.featureDim()).isEqualTo(16);
    assertThat(vit.call(x).shape()).containsExactly(3, 16);
    assertThat(vit.embedPatches(x).shape()).containsExactly(3, 16, 16);
    assertThat(vit.clsTokenWithPos().shape()).containsExactly(1, 1, 16);
    Tensor subset = vit.embedPatches(x).narrow(1, 0, 5);
    assertThat(vit.encodeTokens(subset).shape()).as("fewer tokens than P + 1").containsExactly(3, 5, 16);
    assertThat(vit.config()).isEqualTo(c);
  }

  @Test
  void stateDictNamesAreTimms() {
    Vit learned = new Vit(TINY, new Rng(1));
    assertThat(learned.namedParameters().keySet()).contains("cls_token", "pos_embed", "patch_embed.proj.weight",
        "patch_embed.proj.bias", "blocks.0.norm1.weight", "blocks.0.attn.q_proj.weight", "blocks.1.attn.o_proj.bias",
        "blocks.1.norm2.bias", "blocks.1.mlp.fc1.weight", "blocks.1.mlp.fc2.bias", "norm.weight", "norm.bias");
    Vit fixed = new Vit(new VitConfig(8, 4, 2, 8, 2, 2, 2.0, VitConfig.SINCOS), new Rng(1));
    assertThat(fixed.namedParameters()).doesNotContainKey("pos_embed");
    assertThat(fixed.namedBuffers()).containsKey("pos_embed");
    assertThat(fixed.stateDict()).containsKey("pos_embed");
  }

  /** The forward equals its definition spelled out: cls + positions, blocks, norm, token 0. */
  @Test
  void forwardIsTheNormalizedClassToken() {
    Vit vit = new Vit(TINY, new Rng(5));
    Tensor x = Tensor.randn(new Rng(6), 2, 2, 8, 8);
    Tensor tokens = Tensor.cat(List.of(vit.clsTokenWithPos().expand(2, 1, 8), vit.embedPatches(x)), 1);
    Tensor expected = vit.encodeTokens(tokens).narrow(1, 0, 1).reshape(2, 8);
    assertThat(vit.call(x).toFloatArray()).containsExactly(expected.toFloatArray(), within(0f));
    float[] out = vit.call(x).toFloatArray();
    double mean = 0;
    for (int i = 0; i < 8; i++) mean += out[i] / 8;
    assertThat(mean).as("LayerNorm with weight 1, bias 0 centres the features").isCloseTo(0, within(1e-5));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (String positions : List.of(VitConfig.LEARNED, VitConfig.SINCOS)) {
      Vit vit = new Vit(new VitConfig(8, 4, 2, 8, 2, 2, 2.0, positions), new Rng(3));
      Tensor x = Tensor.randn(new Rng(4), 2, 2, 8, 8).requiresGrad(true);
      DirectionalGradCheck.check("Vit " + positions, vit, x, () -> vit.call(x));
    }
  }

  @Test
  void blockGradientsMatchFiniteDifferences() {
    VitBlock block = new VitBlock(8, 2, 12, new Rng(8));
    Tensor x = Tensor.randn(new Rng(9), 2, 5, 8).requiresGrad(true);
    DirectionalGradCheck.check("VitBlock", block, x, () -> block.call(x));
  }

  @Test
  void configValidationSaysExpectedAndGot() {
    assertThatThrownBy(() -> new VitConfig(28, 5, 1, 64, 2, 4, 4, "learned"))
        .hasMessageContaining("patchSize must divide imageSize").hasMessageContaining("imageSize 28 and patchSize 5");
    assertThatThrownBy(() -> new VitConfig(28, 4, 1, 64, 2, 5, 4, "learned"))
        .hasMessageContaining("heads must divide dim").hasMessageContaining("dim 64 and heads 5");
    assertThatThrownBy(() -> new VitConfig(28, 4, 1, 64, 2, 4, 4, "rope")).hasMessageContaining("got 'rope'");
    assertThatThrownBy(() -> new VitConfig(28, 4, 1, 6, 2, 2, 4, "sincos")).hasMessageContaining("divisible by 4, got dim 6");
    assertThatThrownBy(() -> new VitConfig(28, 4, 1, 64, 0, 4, 4, "sincos")).hasMessageContaining("depth 0");
    assertThatThrownBy(() -> new VitConfig(28, 4, 1, 64, 2, 4, -1, "sincos")).hasMessageContaining("got -1.0");
    Vit vit = new Vit(TINY, new Rng(1));
    assertThatThrownBy(() -> vit.call(Tensor.zeros(1, 2, 12, 12))).hasMessageContaining("(N, 2, 8, 8)").hasMessageContaining("1, 2, 12, 12");
    assertThatThrownBy(() -> vit.encodeTokens(Tensor.zeros(1, 3, 4))).hasMessageContaining("(N, T, 8)");
    assertThatThrownBy(() -> vit.tokenReduction(TokenReduction.prune(0.5, 2))).hasMessageContaining("blocks 0..1");
  }
}
