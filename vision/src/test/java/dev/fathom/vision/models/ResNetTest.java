package dev.fathom.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ResNetTest {
  @Test
  void shapesAndFeatureDim() {
    ResNet net = new ResNet(ResNetConfig.small(1), new Rng(1));
    assertThat(net.featureDim()).isEqualTo(64);
    assertThat(net.call(Tensor.randn(new Rng(2), 3, 1, 28, 28)).shape()).containsExactly(3, 64);
    ResNet rgb = new ResNet(new ResNetConfig(3, new int[] {8, 16}, new int[] {2, 1}), new Rng(1));
    assertThat(rgb.call(Tensor.randn(new Rng(2), 2, 3, 32, 32)).shape()).containsExactly(2, 16);
  }

  @Test
  void stateDictNamesAreTorchvisions() {
    ResNet net = new ResNet(new ResNetConfig(1, new int[] {4, 8}, new int[] {2, 1}), new Rng(1));
    assertThat(net.stateDict().keySet()).contains("conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
        "layer1.1.bn2.bias", "layer2.0.conv2.weight", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var",
        "layer2.0.bn1.num_batches_tracked");
    assertThat(net.stateDict().keySet()).doesNotContain("layer1.0.downsample.0.weight", "conv1.bias", "fc.weight");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    ResNet net = new ResNet(new ResNetConfig(2, new int[] {3, 4}, new int[] {1, 1}), new Rng(3));
    Tensor x = Tensor.randn(new Rng(4), 3, 2, 5, 5).requiresGrad(true);
    DirectionalGradCheck.check("ResNet train mode", net, x, () -> net.call(x));
    net.eval();
    DirectionalGradCheck.check("ResNet eval mode", net, x, () -> net.call(x));
  }

  /** Hand count for widths (4, 8), one block each, 1 input channel, 6×6 input. */
  @Test
  void flopsMatchHandCount() {
    ResNet net = new ResNet(new ResNetConfig(1, new int[] {4, 8}, new int[] {1, 1}), new Rng(3));
    long stem = 6 * 6 * 4 * 9 * 1;
    long layer1 = 2L * (6 * 6 * 4 * 9 * 4);
    long layer2 = 3 * 3 * 8 * 9 * 4 + 3 * 3 * 8 * 9 * 8 + 3 * 3 * 8 * 4;
    assertThat(net.flops(6, 6)).isEqualTo(2 * (stem + layer1 + layer2));
    assertThat(net.flops(5, 5)).as("odd sizes round up like the conv").isEqualTo(
        2 * (5 * 5 * 4 * 9 + 2L * 5 * 5 * 4 * 9 * 4 + 3 * 3 * 8 * 9 * 4 + 3 * 3 * 8 * 9 * 8 + 3 * 3 * 8 * 4));
  }

  @Test
  void configValidationSaysExpectedAndGot() {
    assertThatThrownBy(() -> new ResNetConfig(1, new int[] {16, 32}, new int[] {1}))
        .hasMessageContaining("same length").hasMessageContaining("[16, 32]").hasMessageContaining("[1]");
    assertThatThrownBy(() -> new ResNetConfig(0, new int[] {16}, new int[] {1})).hasMessageContaining("got 0");
    assertThatThrownBy(() -> new ResNetConfig(1, new int[] {16, -2}, new int[] {1, 1})).hasMessageContaining("[16, -2]");
    assertThatThrownBy(() -> new ResNet(ResNetConfig.small(3), new Rng(1)).call(Tensor.zeros(1, 1, 28, 28)))
        .hasMessageContaining("(N, 3, H, W)").hasMessageContaining("1, 1, 28, 28");
  }
}
