package dev.fathom.vision.models;

import dev.fathom.nn.BatchNorm2d;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.ModuleList;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * A small ResNet for 28×28 / 32×32 images (He et al. 2016, the CIFAR variant): a 3×3 stem conv
 * ({@code conv1}, {@code bn1}, ReLU, no max pool), stages {@code layer1 … layerK} of
 * {@link BasicBlock}s (stride 2 at the start of every stage after the first), then global average
 * pooling. {@link #forward} returns the pooled features (N, widths[K−1]); there is no classifier
 * head ({@code fc}), a classifier adds its own. State-dict keys are torchvision's
 * ({@code conv1.weight}, {@code bn1.running_mean}, {@code layer2.0.downsample.0.weight}, …).
 */
public final class ResNet extends Encoder {
  private final ResNetConfig config;
  private final Conv2d conv1;
  private final BatchNorm2d bn1;
  private final java.util.List<ModuleList<BasicBlock>> stages = new java.util.ArrayList<>();

  public ResNet(ResNetConfig config, Rng rng) {
    this.config = config;
    int[] widths = config.widths(), blocks = config.blocksPerStage();
    this.conv1 = child("conv1", BasicBlock.conv(config.inChannels(), widths[0], 3, 1, rng));
    this.bn1 = child("bn1", new BatchNorm2d(widths[0]));
    int in = widths[0];
    for (int s = 0; s < widths.length; s++) {
      ModuleList<BasicBlock> stage = child("layer" + (s + 1), new ModuleList<>());
      for (int b = 0; b < blocks[s]; b++) {
        stage.add(new BasicBlock(in, widths[s], b == 0 && s > 0 ? 2 : 1, rng));
        in = widths[s];
      }
      stages.add(stage);
    }
  }

  public ResNetConfig config() {
    return config;
  }

  @Override
  public int featureDim() {
    return config.widths()[config.widths().length - 1];
  }

  /** @param x images (N, inChannels, H, W) @return pooled features (N, featureDim) */
  @Override
  public Tensor forward(Tensor x) {
    if (x.dim() != 4 || x.size(1) != config.inChannels()) {
      throw new ShapeException("ResNet: expected images (N, " + config.inChannels() + ", H, W), got " + Shape.str(x.shape()));
    }
    Tensor y = bn1.call(conv1.call(x)).relu();  // (N, widths[0], H, W)
    for (ModuleList<BasicBlock> stage : stages) {
      for (BasicBlock block : stage) y = block.call(y);
    }
    return y.mean(new int[] {2, 3}, false);     // (N, widths[K-1])
  }

  /**
   * Forward FLOPs per image of size h×w: 2 × the multiply-adds of every convolution (stem, both
   * convs of each block, projection shortcuts). Batch norm, ReLU, additions and pooling are
   * elementwise and left out, as is customary.
   */
  public long flops(int h, int w) {
    long macs = (long) h * w * config.widths()[0] * 9L * config.inChannels();
    long total = 2 * macs;
    for (ModuleList<BasicBlock> stage : stages) {
      for (BasicBlock block : stage) {
        total += block.flops(h, w);
        h = BasicBlock.outSize(h, block.stride);
        w = BasicBlock.outSize(w, block.stride);
      }
    }
    return total;
  }
}
