package dev.fathom.nn;

import static dev.fathom.testing.Inputs.longs;
import static dev.fathom.testing.Inputs.randn;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every layer w.r.t. its input and all its parameters. */
class LayerGradTest {

  /** Non-trivial affine parameters for a norm layer (the defaults 1 and 0 hide mistakes). */
  private static void perturb(Module m, long seed) {
    Rng rng = new Rng(seed);
    for (Tensor p : m.parameters()) {
      float[] d = p.data();
      for (int i = 0; i < d.length; i++) d[i] += (float) (0.3 * rng.nextGaussian());
    }
  }

  @Test
  void linear() {
    GradCheck.checkModule("Linear", new Linear(4, 3, new Rng(1)), randn(2, 2, 4));
    GradCheck.checkModule("Linear no bias", new Linear(4, 3, false, new Rng(3)), randn(4, 2, 5, 4));
  }

  @Test
  void conv2d() {
    Conv2d conv = new Conv2d(4, 6, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 2, true, new Rng(5));
    GradCheck.checkModule("Conv2d groups 2 stride 2 padding 1", conv, randn(6, 2, 4, 5, 5));
    GradCheck.checkModule("Conv2d 3x3", new Conv2d(2, 3, 3, new Rng(7)), randn(8, 1, 2, 4, 4));
  }

  @Test
  void batchNorm() {
    BatchNorm1d bn1 = new BatchNorm1d(3);
    perturb(bn1, 9);
    GradCheck.checkModule("BatchNorm1d (N, C) train", bn1, randn(10, 4, 3));
    GradCheck.checkModule("BatchNorm1d (N, C, L) train", bn1, randn(11, 2, 3, 4));
    BatchNorm2d bn2 = new BatchNorm2d(3);
    perturb(bn2, 12);
    GradCheck.checkModule("BatchNorm2d train", bn2, randn(13, 2, 3, 2, 3));
    bn2.eval();
    GradCheck.checkModule("BatchNorm2d eval", bn2, randn(14, 2, 3, 2, 3));
  }

  @Test
  void layerNormAndRmsNorm() {
    LayerNorm ln = new LayerNorm(4);
    perturb(ln, 15);
    GradCheck.checkModule("LayerNorm(4)", ln, randn(16, 2, 3, 4));
    LayerNorm ln2 = new LayerNorm(3, 4);
    perturb(ln2, 17);
    GradCheck.checkModule("LayerNorm(3, 4)", ln2, randn(18, 2, 3, 4));
    RMSNorm rms = new RMSNorm(4);
    perturb(rms, 19);
    GradCheck.checkModule("RMSNorm(4)", rms, randn(20, 2, 3, 4));
  }

  @Test
  void embedding() {
    Embedding emb = new Embedding(6, 3, new Rng(21));
    GradCheck.checkModule("Embedding", emb, longs(new long[] {5, 0, 5, 1, 3, 3, 3, 2}, 2, 4));
  }

  @Test
  void multiHeadAttention() {
    Tensor x = randn(22, 2, 3, 8);
    GradCheck.checkModule("MultiHeadAttention 2 heads", new MultiHeadAttention(8, 2, 2, false, true, new Rng(23)), x);
    GradCheck.checkModule("MultiHeadAttention causal GQA 4/2, no bias", new MultiHeadAttention(8, 4, 2, true, false, new Rng(24)), x);
    GradCheck.checkModule("MultiHeadAttention multi-query 4/1", new MultiHeadAttention(8, 4, 1, true, true, new Rng(25)), x);
    MultiHeadAttention cross = new MultiHeadAttention(8, 2, 1, false, true, new Rng(26));
    Tensor ctx = randn(27, 2, 5, 8);
    Tensor mask = Tensor.randn(new Rng(28), 2, 1, 3, 5);
    java.util.List<Tensor> in = new java.util.ArrayList<>(java.util.List.of(x, ctx));
    in.addAll(cross.parameters());
    GradCheck.check("MultiHeadAttention cross-attention with mask", i -> cross.attend(x, ctx, mask), in.toArray(new Tensor[0]));
  }

  @Test
  void sequentialConvNet() {
    Rng rng = new Rng(29);
    BatchNorm2d bn = new BatchNorm2d(3);
    perturb(bn, 30);
    Sequential net = new Sequential(
        new Conv2d(2, 3, 3, 1, 1, rng), bn, Activation.relu(), new AvgPool2d(2), Activation.flatten(),
        new Linear(12, 4, rng), Activation.tanh(), new Linear(4, 2, rng));
    GradCheck.checkModule("Sequential conv net", net, randn(31, 3, 2, 4, 4));
  }

  @Test
  void sequentialMlpWithMaxPoolAndActivations() {
    Rng rng = new Rng(32);
    Sequential net = new Sequential(new Linear(5, 6, rng), Activation.gelu(), new Linear(6, 6, rng), Activation.silu(),
        new Linear(6, 3, rng), Activation.sigmoid(), new Linear(3, 2, rng), Activation.softmax(-1));
    GradCheck.checkModule("Sequential MLP", net, randn(33, 4, 5));
    Sequential pool = new Sequential(new MaxPool2d(2), Activation.flatten(), new Linear(4, 2, rng));
    GradCheck.with().relStep(2e-3).verifyModule("Sequential max pool", pool, dev.fathom.testing.Inputs.distinct(34, 2, 1, 4, 4));
  }
}
