package dev.fathom.vision.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.data.TensorDataset;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.TokenReduction;
import dev.fathom.vision.models.Vit;
import dev.fathom.vision.models.VitConfig;
import dev.fathom.vision.ssl.PretrainConfig;
import dev.fathom.vision.ssl.SslCheckpoint;
import dev.fathom.vision.ssl.Pretrainer;
import org.junit.jupiter.api.Test;

class MaeTest {
  private static Mae tiny(long seed) {
    Rng rng = new Rng(seed);
    Vit vit = new Vit(new VitConfig(8, 2, 1, 16, 2, 2, 2.0, VitConfig.SINCOS), rng);
    return new Mae(vit, new MaeConfig(0.75, 8, 1, 2, true), rng);
  }

  @Test
  void encoderSeesOnlyTheVisiblePatches() {
    Mae mae = tiny(1);
    Tensor images = Tensor.rand(new Rng(2), 3, 1, 8, 8);
    PatchMask mask = mae.randomMask(3, new Rng(3));
    Tensor pred = mae.reconstruct(images, mask);
    assertThat(mask.visible()).isEqualTo(4); // 16 patches, 75% hidden
    assertThat(pred.shape()).containsExactly(3, 16, 4);
    // The encoder's first block ran on the class token and the 4 visible patches.
    assertThat(mae.encoder.lastTokenCounts().get(0)).isEqualTo(5);
  }

  @Test
  void hiddenPatchesDoNotReachTheEncoder() {
    // Changing a hidden patch's pixels must not change the encoder's output, only the loss target.
    Mae mae = tiny(4);
    mae.eval();
    Tensor a = Tensor.rand(new Rng(5), 1, 1, 8, 8);
    PatchMask mask = mae.randomMask(1, new Rng(6));
    Tensor b = Tensor.of(a.toFloatArray(), 1, 1, 8, 8);
    int hidden = mask.hidden()[0][0], row = hidden / 4, col = hidden % 4;
    b.data()[(row * 2) * 8 + col * 2] += 5f;
    Tensor pa = mae.reconstruct(a, mask), pb = mae.reconstruct(b, mask);
    assertThat(pb.toFloatArray()).containsExactly(pa.toFloatArray());
    // ...whereas changing a visible patch does.
    int visible = mask.keep()[0][0];
    Tensor c = Tensor.of(a.toFloatArray(), 1, 1, 8, 8);
    c.data()[(visible / 4 * 2) * 8 + visible % 4 * 2] += 5f;
    assertThat(mae.reconstruct(c, mask).toFloatArray()).isNotEqualTo(pa.toFloatArray());
  }

  @Test
  void gradientsReachEncoderDecoderAndMaskToken() {
    Mae mae = tiny(7);
    Tensor images = Tensor.rand(new Rng(8), 2, 1, 8, 8);
    mae.loss(images, mae.randomMask(2, new Rng(9))).backward();
    for (var e : mae.namedParameters().entrySet()) {
      assertThat(e.getValue().grad()).as(e.getKey()).isNotNull();
    }
    assertThat(mae.maskToken.grad().abs().sum().item()).isGreaterThan(0f);
    assertThat(mae.stateDict()).containsKeys("encoder.cls_token", "mask_token", "decoder_embed.weight", "decoder_blocks.0.norm1.weight",
        "decoder_norm.weight", "decoder_pred.weight");
  }

  @Test
  void learnsToReconstructAFixedImageSet() {
    Mae mae = tiny(10);
    Rng rng = new Rng(11);
    // Stripes of random phase: hidden patches are predictable from the visible ones.
    int n = 32;
    float[] px = new float[n * 64];
    for (int i = 0; i < n; i++) {
      int phase = rng.nextInt(4);
      for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) px[i * 64 + y * 8 + x] = ((x + phase) % 4 < 2) ? 1f : 0f;
    }
    Tensor images = Tensor.of(px, n, 1, 8, 8);
    var cfg = new PretrainConfig(60, 16, 3e-3, 0.0, 2, 0, 12);
    var result = new Pretrainer(mae, cfg).fit(TensorDataset.of(px, new int[] {1, 8, 8}, new int[n]), 1, 8, 8, (img, r) -> img, null);
    assertThat(result.epochLoss()).hasSize(60);
    assertThat(result.epochLoss()[59]).isLessThan(result.epochLoss()[0] * 0.5);
    MaeEvaluation ev = MaeEvaluation.run(mae, images, images, 13, 16);
    assertThat(ev.maeError()).isLessThan(ev.visibleMeanError());
  }

  @Test
  void trainsAsAnSslMethodOnOneViewPerImage() {
    Mae mae = tiny(15);
    assertThat(mae.viewCount()).isEqualTo(1);
    assertThat(mae.encoder()).isSameAs(mae.encoder);
    Tensor loss = mae.loss(Tensor.rand(new Rng(16), 4, 1, 8, 8), 1);
    assertThat(loss.item()).isPositive();
    assertThatThrownBy(() -> mae.loss(Tensor.rand(new Rng(16), 4, 1, 8, 8), 2)).hasMessageContaining("one view per image, got 2");
  }

  @Test
  void theEncoderSavesAndLoadsAsAVitAndAHostileVitConfigIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Mae mae = tiny(18);
    SslCheckpoint.save(dir, mae.name(), mae.encoder(), new int[] {1, 8, 8}, java.util.Map.of("mae", mae.config));
    var loaded = SslCheckpoint.load(dir);
    assertThat(loaded.encoder()).isInstanceOf(Vit.class);
    assertThat(((Vit) loaded.encoder()).config()).isEqualTo(mae.encoder.config());
    mae.encoder.stateDict().forEach((k, v) -> assertThat(loaded.encoder().stateDict().get(k).toFloatArray()).as(k).isEqualTo(v.toFloatArray()));
    java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"method\": \"mae\", \"image\": [1, 8, 8], \"encoder\": {\"type\": \"vit\", "
        + "\"config\": {\"imageSize\": 8, \"patchSize\": 3, \"inChannels\": 1, \"dim\": 16, \"depth\": 1, \"heads\": 2, \"mlpRatio\": 2, \"positions\": \"sincos\"}}}");
    assertThatThrownBy(() -> SslCheckpoint.load(dir)).isInstanceOf(dev.fathom.io.FormatException.class).hasMessageContaining("bad vit config")
        .hasMessageContaining("patchSize must divide imageSize");
  }

  @Test
  void refusesAnEncoderThatDropsTokens() {
    Mae mae = tiny(17);
    mae.encoder.tokenReduction(TokenReduction.prune(0.5, 0));
    assertThatThrownBy(() -> mae.reconstruct(Tensor.zeros(1, 1, 8, 8), mae.randomMask(1, new Rng(0))))
        .hasMessageContaining("switch the encoder's token reduction off");
  }

  @Test
  void rejectsAMaskForAnotherBatch() {
    Mae mae = tiny(14);
    assertThatThrownBy(() -> mae.reconstruct(Tensor.zeros(2, 1, 8, 8), mae.randomMask(3, new Rng(0))))
        .hasMessageContaining("3 images of 16 patches, got 2 images of 16");
  }
}
