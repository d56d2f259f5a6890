package dev.fathom.nn;

import static dev.fathom.testing.Inputs.distinct;
import static dev.fathom.testing.Inputs.longs;
import static dev.fathom.testing.Inputs.randn;
import static dev.fathom.testing.Inputs.uniform;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of the functional API: linear, convolution, pooling, norms, losses, attention. */
class FunctionalGradTest {

  private static int[] p(int a, int b) {
    return new int[] {a, b};
  }

  @Test
  void linear() {
    Tensor x = randn(1, 2, 3, 4), w = randn(2, 5, 4), b = randn(3, 5);
    GradCheck.check("linear with bias", in -> F.linear(in.get(0), in.get(1), in.get(2)), x, w, b);
    GradCheck.check("linear without bias", in -> F.linear(in.get(0), in.get(1), null), x, w);
    GradCheck.check("linear 1-D input", in -> F.linear(in.get(0), in.get(1), in.get(2)), randn(4, 4), w, b);
  }

  @Test
  void conv2dStridePaddingDilationGroups() {
    Tensor x = randn(5, 2, 4, 6, 7), w = randn(6, 6, 2, 3, 3), b = randn(7, 6);
    GradCheck.check("conv2d groups=2 stride=(2,1) padding=(1,2) dilation=(1,2)",
        in -> F.conv2d(in.get(0), in.get(1), in.get(2), p(2, 1), p(1, 2), p(1, 2), 2), x, w, b);
    Tensor w1 = randn(8, 3, 4, 2, 3);
    GradCheck.check("conv2d plain, no bias", in -> F.conv2d(in.get(0), in.get(1), null, p(1, 1), p(0, 0), p(1, 1), 1), x, w1);
    Tensor wd = randn(9, 4, 1, 3, 3);
    GradCheck.check("conv2d depthwise stride 2 padding 1",
        in -> F.conv2d(in.get(0), in.get(1), null, p(2, 2), p(1, 1), p(1, 1), 4), x, wd);
    Tensor w11 = randn(10, 5, 4, 1, 1), b11 = randn(11, 5);
    GradCheck.check("conv2d 1x1", in -> F.conv2d(in.get(0), in.get(1), in.get(2), p(1, 1), p(0, 0), p(1, 1), 1), x, w11, b11);
  }

  @Test
  void pooling() {
    // Distinct values spaced 2/n apart so no max window has a near-tie.
    Tensor x = distinct(12, 2, 2, 5, 6);
    GradCheck g = GradCheck.with().relStep(2e-3);
    g.verify("maxPool2d k3 s2 p1", in -> F.maxPool2d(in.get(0), p(3, 3), p(2, 2), p(1, 1)), x);
    g.verify("maxPool2d k2 s2", in -> F.maxPool2d(in.get(0), p(2, 2), p(2, 2), p(0, 0)), x);
    g.verify("maxPool2d k(2,3) s1 p(1,1) overlapping", in -> F.maxPool2d(in.get(0), p(2, 3), p(1, 1), p(1, 1)), x);
    Tensor y = randn(13, 2, 2, 5, 6);
    GradCheck.check("avgPool2d k3 s2 p1", in -> F.avgPool2d(in.get(0), p(3, 3), p(2, 2), p(1, 1)), y);
    GradCheck.check("avgPool2d k2 s2", in -> F.avgPool2d(in.get(0), p(2, 2), p(2, 2), p(0, 0)), y);
    GradCheck.check("avgPool2d k(3,2) s(1,2) p(1,0)", in -> F.avgPool2d(in.get(0), p(3, 2), p(1, 2), p(1, 0)), y);
  }

  @Test
  void batchNormTrainAndEval() {
    Tensor w = uniform(14, 0.5f, 1.5f, 3), b = randn(15, 3);
    Tensor x2 = randn(16, 5, 3);
    Tensor rm = Tensor.zeros(3), rv = Tensor.ones(3);
    GradCheck.check("batchNorm train (N, C)", in -> F.batchNorm(in.get(0), rm, rv, in.get(1), in.get(2), true, 0.1, 1e-5), x2, w, b);
    Tensor x4 = randn(17, 2, 3, 3, 2);
    GradCheck.check("batchNorm train (N, C, H, W)", in -> F.batchNorm(in.get(0), rm, rv, in.get(1), in.get(2), true, 0.1, 1e-5), x4, w, b);
    GradCheck.check("batchNorm train, no affine", in -> F.batchNorm(in.get(0), null, null, null, null, true, 0.1, 1e-5), x4);
    Tensor em = Tensor.vector(0.1f, -0.2f, 0.3f), ev = Tensor.vector(0.5f, 1.5f, 2f);
    GradCheck.check("batchNorm eval", in -> F.batchNorm(in.get(0), em, ev, in.get(1), in.get(2), false, 0.1, 1e-5), x4, w, b);
  }

  @Test
  void layerNormAndRmsNorm() {
    Tensor x = randn(18, 2, 3, 4);
    Tensor w = uniform(19, 0.5f, 1.5f, 4), b = randn(20, 4);
    GradCheck.check("layerNorm last dim", in -> F.layerNorm(in.get(0), 1, in.get(1), in.get(2), 1e-5), x, w, b);
    Tensor w2 = uniform(21, 0.5f, 1.5f, 3, 4), b2 = randn(22, 3, 4);
    GradCheck.check("layerNorm last 2 dims", in -> F.layerNorm(in.get(0), 2, in.get(1), in.get(2), 1e-5), x, w2, b2);
    GradCheck.check("layerNorm no affine", in -> F.layerNorm(in.get(0), 1, null, null, 1e-5), x);
    GradCheck.check("rmsNorm", in -> F.rmsNorm(in.get(0), in.get(1), 1e-6), x, w);
    GradCheck.check("rmsNorm no weight", in -> F.rmsNorm(in.get(0), null, 1e-6), x);
  }

  @Test
  void embeddingAndDropout() {
    Tensor w = randn(23, 5, 3);
    Tensor ids = longs(new long[] {4, 0, 4, 2, 2, 2}, 2, 3);
    GradCheck.check("embedding (repeated ids)", in -> F.embedding(ids, in.get(0)).exp(), w);
    Tensor x = randn(24, 4, 5);
    // A fresh generator with a fixed seed in each call: the same mask every evaluation.
    GradCheck.check("dropout p=0.3", in -> F.dropout(in.get(0), 0.3, true, new Rng(3)), x);
  }

  @Test
  void crossEntropyAndNll() {
    Tensor logits = randn(25, 5, 4);
    Tensor t = longs(new long[] {3, 0, 1, 1, 2}, 5);
    GradCheck.check("crossEntropy", in -> F.crossEntropy(in.get(0), t), logits);
    Tensor ti = longs(new long[] {3, -100, 1, 1, -100}, 5);
    GradCheck.check("crossEntropy ignoreIndex -100", in -> F.crossEntropy(in.get(0), ti), logits);
    Tensor t2 = longs(new long[] {3, 2, 2, 0, 1}, 5);
    GradCheck.check("crossEntropy ignoreIndex 2 + labelSmoothing 0.1", in -> F.crossEntropy(in.get(0), t2, 2, 0.1), logits);
    GradCheck.check("crossEntropy labelSmoothing 0.25", in -> F.crossEntropy(in.get(0), t, -100, 0.25), logits);
    Tensor t32 = Tensor.ofInts(new int[] {1, 1, 0, 3, 2}, 5);
    GradCheck.check("crossEntropy int32 targets", in -> F.crossEntropy(in.get(0), t32), logits);
    GradCheck.check("nllLoss of logSoftmax", in -> F.nllLoss(in.get(0).logSoftmax(1), t, -100), logits);
    GradCheck.check("nllLoss ignoreIndex", in -> F.nllLoss(in.get(0).logSoftmax(1), ti, -100), logits);
    GradCheck.check("nllLoss on raw input", in -> F.nllLoss(in.get(0), t2, 2), logits);
  }

  @Test
  void regressionAndDivergenceLosses() {
    Tensor a = randn(26, 3, 4), b = randn(27, 3, 4);
    GradCheck.check("mseLoss", in -> F.mseLoss(in.get(0), in.get(1)), a, b);
    Tensor logits = dev.fathom.testing.Inputs.awayFromZero(28, 0.1f, 3, 4);
    Tensor target = uniform(29, 0f, 1f, 3, 4);
    GradCheck.check("binaryCrossEntropyWithLogits", in -> F.binaryCrossEntropyWithLogits(in.get(0), in.get(1)), logits, target);
    // The loss is smooth at logit 0 (softplus), so finite differences hold there too: zero-initialized heads start there.
    Tensor zeros = Tensor.zeros(3, 4).requiresGrad(true);
    GradCheck.check("binaryCrossEntropyWithLogits at 0", in -> F.binaryCrossEntropyWithLogits(in.get(0), in.get(1)), zeros, target);
    Tensor logP = randn(30, 3, 4).logSoftmax(1).detach().requiresGrad(true);
    Tensor q = Tensor.uniform(new Rng(31), 0.1f, 1f, 3, 4);
    Tensor qn = q.div(q.sum(1, true)).requiresGrad(true);
    GradCheck.with().relStep(2e-3).verify("klDiv", in -> F.klDiv(in.get(0), in.get(1), false), logP, qn);
    Tensor logQ = randn(32, 3, 4).logSoftmax(1).detach().requiresGrad(true);
    GradCheck.check("klDiv logTarget", in -> F.klDiv(in.get(0), in.get(1), true), logP, logQ);
  }

  @Test
  void scaledDotProductAttention() {
    Tensor q = randn(33, 2, 2, 3, 4), k = randn(34, 2, 2, 5, 4), v = randn(35, 2, 2, 5, 3);
    GradCheck.check("attention", in -> F.scaledDotProductAttention(in.get(0), in.get(1), in.get(2), false, null), q, k, v);
    GradCheck.check("attention causal T<S", in -> F.scaledDotProductAttention(in.get(0), in.get(1), in.get(2), true, null), q, k, v);
    Tensor qs = randn(36, 1, 2, 4, 4), ks = randn(37, 1, 2, 4, 4), vs = randn(38, 1, 2, 4, 4);
    GradCheck.check("attention causal T=S", in -> F.scaledDotProductAttention(in.get(0), in.get(1), in.get(2), true, null), qs, ks, vs);
    // An additive mask that is itself learned (a relative-position bias), broadcast over B and H.
    Tensor mask = randn(39, 3, 5);
    GradCheck.check("attention with mask", in -> F.scaledDotProductAttention(in.get(0), in.get(1), in.get(2), false, in.get(3)), q, k, v, mask);
    Tensor q4 = randn(40, 2, 4, 3, 4);
    GradCheck.check("attention GQA 4 query heads, 2 kv heads, causal",
        in -> F.scaledDotProductAttention(in.get(0), in.get(1), in.get(2), true, null), q4, k, v);
    Tensor k1 = randn(41, 2, 1, 5, 4), v1 = randn(42, 2, 1, 5, 3);
    Tensor blocked = Tensor.of(new float[] {0, 0, Float.NEGATIVE_INFINITY, 0, 0}, 1, 1, 1, 5);
    GradCheck.check("attention multi-query with -inf mask",
        in -> F.scaledDotProductAttention(in.get(0), in.get(1), in.get(2), false, blocked), q4, k1, v1);
  }
}
