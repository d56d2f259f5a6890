package dev.fathom.nn;

import static dev.fathom.testing.Golden.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.autograd.Grad;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The module contract for every layer: state-dict keys, shapes and parameter counts as PyTorch
 * has them ({@code contract} in {@code golden/nn.json}), state-dict round trip, strict and
 * non-strict loading, shape mismatches, and train/eval behaviour.
 */
class ModuleContractTest {

  /** A layer under test: how to build it from a seed, and an input for it. */
  private record Layer(String name, Function<Rng, Module> make, Tensor input) {}

  private static final List<Layer> LAYERS = List.of(
      new Layer("Linear(4,3)", rng -> new Linear(4, 3, rng), randn(1, 2, 4)),
      new Layer("Linear(4,3,bias=False)", rng -> new Linear(4, 3, false, rng), randn(2, 2, 4)),
      new Layer("Conv2d(4,6,3,groups=2)",
          rng -> new Conv2d(4, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2, true, rng),
          randn(3, 2, 4, 5, 5)),
      new Layer("Conv2d(3,5,3,bias=False)",
          rng -> new Conv2d(3, 5, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false, rng),
          randn(4, 1, 3, 4, 4)),
      new Layer("BatchNorm1d(4)", rng -> new BatchNorm1d(4), randn(5, 6, 4)),
      new Layer("BatchNorm2d(3)", rng -> new BatchNorm2d(3), randn(6, 2, 3, 3, 3)),
      new Layer("LayerNorm(4)", rng -> new LayerNorm(4), randn(7, 2, 3, 4)),
      new Layer("LayerNorm(3,4)", rng -> new LayerNorm(3, 4), randn(8, 2, 3, 4)),
      new Layer("RMSNorm(4)", rng -> new RMSNorm(4), randn(9, 2, 3, 4)),
      new Layer("Embedding(7,3)", rng -> new Embedding(7, 3, rng), Tensor.ofLongs(new long[] {1, 6, 0, 6}, 2, 2)),
      new Layer("Attention(8,4,2,bias)", rng -> new MultiHeadAttention(8, 4, 2, true, true, rng), randn(10, 2, 3, 8)),
      new Layer("Attention(8,2,1,nobias)", rng -> new MultiHeadAttention(8, 2, 1, false, false, rng), randn(11, 2, 3, 8)),
      new Layer("Sequential", rng -> new Sequential(new Conv2d(2, 4, 3, 1, 1, rng), new BatchNorm2d(4), Activation.relu(),
          new MaxPool2d(2), Activation.flatten(), new Linear(36, 3, rng)), randn(12, 2, 2, 6, 6)));

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Rng(seed), shape);
  }

  /** Random values in every float parameter and buffer (running_var kept positive), so defaults do not hide bugs. */
  private static void randomize(Module m, long seed) {
    Rng rng = new Rng(seed);
    m.stateDict().forEach((k, t) -> {
      if (t.dtype() == DType.INT64) {
        t.longData()[0] = 3 + rng.nextInt(5);
        return;
      }
      float[] d = t.data();
      for (int i = 0; i < d.length; i++) d[i] = k.endsWith("running_var") ? 0.5f + rng.nextFloat() : (float) rng.nextGaussian();
    });
  }

  private static Tensor run(Module m, Tensor x) {
    try (var g = Grad.disabled()) {
      return m.call(x);
    }
  }

  @TestFactory
  Stream<DynamicTest> stateDictKeysShapesAndParameterCountsMatchPyTorch() {
    JsonNode contract = field(Golden.cases("nn.json"), "contract");
    assertThat(LAYERS).extracting(Layer::name).containsExactlyInAnyOrderElementsOf(iterable(contract.fieldNames()));
    return LAYERS.stream().map(l -> DynamicTest.dynamicTest(l.name(), () -> {
      JsonNode expected = field(contract, l.name());
      Module m = l.make().apply(new Rng(1));
      List<String> keys = new ArrayList<>();
      for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) keys.add(e.getKey() + " " + Shape.str(e.getValue().shape()));
      List<String> torchKeys = new ArrayList<>();
      for (JsonNode k : field(expected, "keys")) {
        int[] s = new int[k.get(1).size()];
        for (int i = 0; i < s.length; i++) s[i] = k.get(1).get(i).asInt();
        torchKeys.add(k.get(0).asText() + " " + Shape.str(s));
      }
      assertThat(keys).as(l.name() + " state dict").containsExactlyElementsOf(torchKeys);
      assertThat(m.numParameters()).as(l.name() + " parameters").isEqualTo(field(expected, "num_parameters").asLong());
      for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
        assertThat(p.getValue().requiresGrad()).as(p.getKey() + " requires grad").isTrue();
      }
      for (Map.Entry<String, Tensor> b : m.namedBuffers().entrySet()) {
        assertThat(b.getValue().requiresGrad()).as(b.getKey() + " is a buffer").isFalse();
      }
    }));
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @TestFactory
  Stream<DynamicTest> stateDictRoundTripGivesIdenticalOutputs() {
    return LAYERS.stream().map(l -> DynamicTest.dynamicTest(l.name(), () -> {
      Module a = l.make().apply(new Rng(1));
      randomize(a, 2);
      Module b = l.make().apply(new Rng(99));
      a.eval();
      b.eval();
      assertThat(run(b, l.input()).toFloatArray()).as("differently seeded modules differ before loading")
          .isNotEqualTo(run(a, l.input()).toFloatArray());
      LoadResult r = b.loadStateDict(a.stateDict(), true);
      assertThat(r.isClean()).isTrue();
      assertThat(run(b, l.input()).toFloatArray()).isEqualTo(run(a, l.input()).toFloatArray());
      // Loading copies values: changing the source afterwards leaves the target alone.
      Map<String, List<Float>> before = snapshot(b);
      randomize(a, 3);
      assertThat(snapshot(b)).isEqualTo(before);
      // Parameters are updated in place: the tensors an optimizer holds stay the same objects.
      List<Tensor> params = b.parameters();
      b.loadStateDict(a.stateDict(), true);
      assertThat(b.parameters()).containsExactlyElementsOf(params);
    }));
  }

  /** The state's values, for equality checks. */
  private static Map<String, List<Float>> snapshot(Module m) {
    Map<String, List<Float>> out = new LinkedHashMap<>();
    m.stateDict().forEach((k, t) -> {
      List<Float> v = new ArrayList<>();
      for (int i = 0; i < t.numel(); i++) v.add(t.getFlat(i));
      out.put(k, v);
    });
    return out;
  }

  @TestFactory
  Stream<DynamicTest> strictLoadingNamesMissingAndUnexpectedKeys() {
    return LAYERS.stream().map(l -> DynamicTest.dynamicTest(l.name(), () -> {
      Module src = l.make().apply(new Rng(1));
      randomize(src, 4);
      Map<String, Tensor> state = new LinkedHashMap<>(src.stateDict());
      String dropped = state.keySet().iterator().next();
      state.remove(dropped);
      state.put("bogus.weight", Tensor.zeros(2));
      Module dst = l.make().apply(new Rng(5));
      assertThatThrownBy(() -> dst.loadStateDict(state, true)).isInstanceOf(StateDictException.class)
          .hasMessageContaining(dropped).hasMessageContaining("bogus.weight");
      LoadResult r = dst.loadStateDict(state, false);
      assertThat(r.missingKeys()).containsExactly(dropped);
      assertThat(r.unexpectedKeys()).containsExactly("bogus.weight");
      assertThat(r.isClean()).isFalse();
      // Every other entry was loaded.
      Map<String, Tensor> own = dst.stateDict();
      for (Map.Entry<String, Tensor> e : state.entrySet()) {
        if (!own.containsKey(e.getKey())) continue;
        assertThat(own.get(e.getKey()).toFloatArray()).as(e.getKey()).isEqualTo(e.getValue().toFloatArray());
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> wrongShapeNamesKeyAndBothShapes() {
    return LAYERS.stream().map(l -> DynamicTest.dynamicTest(l.name(), () -> {
      Module m = l.make().apply(new Rng(1));
      Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
      String key = state.keySet().iterator().next();
      int[] good = state.get(key).shape();
      int[] bad = good.clone();
      bad[0] += 1;
      state.put(key, Tensor.zeros(bad));
      for (boolean strict : new boolean[] {true, false}) {
        assertThatThrownBy(() -> m.loadStateDict(state, strict)).isInstanceOf(StateDictException.class)
            .hasMessageContaining(key).hasMessageContaining(Shape.str(good)).hasMessageContaining(Shape.str(bad));
      }
    }));
  }

  @Test
  void dropoutIsIdentityInEvalAndScalesInTraining() {
    Dropout d = new Dropout(0.25, new Rng(1));
    Tensor x = Tensor.ones(100, 100);
    d.eval();
    assertThat(d.isTraining()).isFalse();
    assertThat(d.call(x).toFloatArray()).isEqualTo(x.toFloatArray());
    d.train();
    float[] y = d.call(x).toFloatArray();
    int zeros = 0;
    for (float v : y) {
      if (v == 0f) zeros++;
      else assertThat(v).isEqualTo(1f / 0.75f);
    }
    assertThat(zeros / 10000.0).isBetween(0.23, 0.27);
  }

  @Test
  void batchNormUsesRunningStatisticsInEval() {
    BatchNorm2d bn = new BatchNorm2d(2);
    randomize(bn, 6);
    float[] rm = bn.runningMean.toFloatArray(), rv = bn.runningVar.toFloatArray();
    float[] w = bn.weight.toFloatArray(), b = bn.bias.toFloatArray();
    long tracked = bn.numBatchesTracked.getLong(0);
    Tensor x = randn(13, 3, 2, 2, 2);
    bn.eval();
    Tensor y = run(bn, x);
    for (int i = 0; i < x.numel(); i++) {
      int c = (i / 4) % 2;
      double expected = (x.getFlat(i) - rm[c]) / Math.sqrt(rv[c] + 1e-5) * w[c] + b[c];
      assertThat((double) y.getFlat(i)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(bn.runningMean.toFloatArray()).isEqualTo(rm);
    assertThat(bn.numBatchesTracked.getLong(0)).isEqualTo(tracked);
    // In training the batch statistics normalize: per-channel mean 0 and variance 1 before the affine map.
    bn.train();
    Tensor z = run(bn, x);
    for (int c = 0; c < 2; c++) {
      double s = 0, s2 = 0;
      for (int i = 0; i < x.numel(); i++) {
        if ((i / 4) % 2 != c) continue;
        double v = (z.getFlat(i) - b[c]) / w[c];
        s += v;
        s2 += v * v;
      }
      assertThat(s / 12).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-5));
      assertThat(s2 / 12).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-3));
    }
    assertThat(bn.runningMean.toFloatArray()).isNotEqualTo(rm);
    assertThat(bn.numBatchesTracked.getLong(0)).isEqualTo(tracked + 1);
  }

  @Test
  void trainAndEvalReachEveryDescendant() {
    Rng rng = new Rng(7);
    Sequential net = new Sequential(new Linear(3, 3, rng), new Dropout(0.5, rng), new Sequential(new BatchNorm1d(3)));
    net.eval();
    assertThat(net.namedModules().values()).allMatch(m -> !m.isTraining());
    net.train();
    assertThat(net.namedModules().values()).allMatch(Module::isTraining);
    assertThat(net.namedModules().keySet()).containsExactly("", "0", "1", "2", "2.0");
    assertThat(net.stateDict().keySet()).containsExactly("0.weight", "0.bias", "2.0.weight", "2.0.bias",
        "2.0.running_mean", "2.0.running_var", "2.0.num_batches_tracked");
  }

  @Test
  void defaultInitializationMatchesPyTorch() {
    // Linear and Conv2d: kaiming_uniform(a = √5) = U(±1/√fanIn) for the weight, U(±1/√fanIn) for the bias.
    Linear lin = new Linear(64, 48, new Rng(9));
    assertUniform("Linear weight", lin.weight, 1 / 8.0);
    for (float v : lin.bias.data()) assertThat(Math.abs(v)).as("Linear bias").isLessThanOrEqualTo(1 / 8f);
    assertThat(lin.bias.data()).as("Linear bias is initialized").doesNotContain(0f);
    Conv2d conv = new Conv2d(4, 64, 3, new Rng(10));
    assertUniform("Conv2d weight", conv.weight, 1 / 6.0);
    // Embedding: N(0, 1). Norms: weight 1, bias 0; BatchNorm running stats 0 and 1.
    float[] e = new Embedding(100, 40, new Rng(11)).weight.data();
    double s = 0, s2 = 0;
    for (float v : e) {
      s += v;
      s2 += v * v;
    }
    assertThat(s / e.length).isCloseTo(0, org.assertj.core.data.Offset.offset(0.05));
    assertThat(s2 / e.length).isCloseTo(1, org.assertj.core.data.Offset.offset(0.08));
    BatchNorm2d bn = new BatchNorm2d(3);
    assertThat(bn.weight.toFloatArray()).containsOnly(1f);
    assertThat(bn.bias.toFloatArray()).containsOnly(0f);
    assertThat(bn.runningMean.toFloatArray()).containsOnly(0f);
    assertThat(bn.runningVar.toFloatArray()).containsOnly(1f);
    assertThat(bn.numBatchesTracked.getLong(0)).isZero();
    assertThat(new LayerNorm(4).weight.toFloatArray()).containsOnly(1f);
    assertThat(new RMSNorm(4).weight.toFloatArray()).containsOnly(1f);
    // The same seed gives the same module.
    assertThat(new Linear(5, 3, new Rng(3)).weight.toFloatArray()).isEqualTo(new Linear(5, 3, new Rng(3)).weight.toFloatArray());
  }

  /** All values inside ±bound, and mean and variance those of U(±bound) (variance bound²/3). */
  private static void assertUniform(String what, Tensor t, double bound) {
    float[] d = t.data();
    double s = 0, s2 = 0;
    for (float v : d) {
      assertThat(Math.abs(v)).as(what).isLessThanOrEqualTo((float) bound);
      s += v;
      s2 += v * v;
    }
    double mean = s / d.length, var = s2 / d.length - mean * mean;
    assertThat(mean).as(what + " mean").isCloseTo(0, org.assertj.core.data.Offset.offset(bound * 4 / Math.sqrt(3 * d.length)));
    assertThat(var / (bound * bound / 3)).as(what + " variance / expected").isBetween(0.8, 1.2);
  }

  @Test
  void zeroGradClearsEveryParameter() {
    Module m = new MultiHeadAttention(8, 2, 1, false, true, new Rng(8));
    m.call(randn(14, 1, 2, 8)).sum().backward();
    assertThat(m.parameters()).allMatch(p -> p.grad() != null);
    m.zeroGrad();
    assertThat(m.parameters()).allMatch(p -> p.grad() == null);
  }
}
