package dev.fathom.nn;

import static dev.fathom.testing.Golden.assertClose;
import static dev.fathom.testing.Golden.field;
import static dev.fathom.testing.Golden.tensor;
import static dev.fathom.testing.Golden.tensors;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.Golden;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Layers, activations and losses against PyTorch: {@code golden/nn.json}, written by
 * {@code tools/golden/make_nn_golden.py}. Modules are rebuilt by loading PyTorch's state dict
 * (strict, PyTorch key names); forward outputs and the gradients of sum(out·grad_out) must
 * match to about 1e-4 relative.
 */
class NnGoldenTest {
  private static final JsonNode CASES = Golden.cases("nn.json");

  private static JsonNode golden(String name) {
    return field(CASES, name);
  }

  /** Loads the case's state (strict), runs forward + backward on input "x", compares out and grads. */
  private static void checkModule(String name, Module m) {
    JsonNode c = golden(name);
    m.loadStateDict(tensors(field(c, "state")), true);
    Tensor x = tensor(field(c, "inputs"), "x").requiresGrad(true);
    Tensor out = m.call(x);
    assertClose(name + " out", out, tensor(c, "out"));
    out.backward(tensor(c, "grad_out"));
    checkGrads(name, c, m, Map.of("x", x));
  }

  private static void checkGrads(String name, JsonNode c, Module m, Map<String, Tensor> inputs) {
    JsonNode grads = field(c, "grads");
    Map<String, Tensor> params = m == null ? Map.of() : m.namedParameters();
    grads.fieldNames().forEachRemaining(k -> {
      Tensor t = inputs.containsKey(k) ? inputs.get(k) : params.get(k);
      assertThat(t).as(name + ": no parameter or input named " + k).isNotNull();
      assertThat(t.grad()).as(name + ": no gradient for " + k).isNotNull();
      assertClose(name + " grad " + k, t.grad(), tensor(grads, k));
    });
  }

  private static void checkFunction(String name, Function<Map<String, Tensor>, Tensor> fn) {
    JsonNode c = golden(name);
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    field(c, "inputs").fields().forEachRemaining(e -> inputs.put(e.getKey(), tensor(e.getValue()).requiresGrad(true)));
    Tensor out = fn.apply(inputs);
    assertClose(name + " out", out, tensor(c, "out"));
    out.backward(tensor(c, "grad_out"));
    checkGrads(name, c, null, inputs);
  }

  private static int[] pair(JsonNode config, String key) {
    JsonNode v = field(config, key);
    return v.isArray() ? new int[] {v.get(0).asInt(), v.get(1).asInt()} : new int[] {v.asInt(), v.asInt()};
  }

  @Test
  void linear() {
    checkModule("linear", new Linear(4, 5, new Rng(1)));
    checkModule("linear_no_bias", new Linear(4, 3, false, new Rng(1)));
  }

  @Test
  void conv2d() {
    for (String name : new String[] {"conv2d", "conv2d_dilated"}) {
      JsonNode cfg = field(golden(name), "config");
      boolean bias = field(golden(name), "state").has("bias");
      Conv2d conv = new Conv2d(cfg.get("in").asInt(), cfg.get("out").asInt(), pair(cfg, "kernel"), pair(cfg, "stride"),
          pair(cfg, "padding"), pair(cfg, "dilation"), cfg.get("groups").asInt(), bias, new Rng(2));
      checkModule(name, conv);
    }
  }

  @Test
  void pooling() {
    for (String name : new String[] {"max_pool2d_k3_s2_p1", "max_pool2d_k2", "avg_pool2d_k3_s2_p1", "avg_pool2d_k2"}) {
      JsonNode cfg = field(golden(name), "config");
      int k = cfg.get("kernel").asInt(), s = cfg.get("stride").asInt(), p = cfg.get("padding").asInt();
      checkModule(name, name.startsWith("max") ? new MaxPool2d(k, s, p) : new AvgPool2d(k, s, p));
    }
  }

  @Test
  void batchNorm2dTrainingStepsRunningStatsAndEval() {
    BatchNorm2d bn = new BatchNorm2d(3);
    checkModule("batchnorm2d", bn);
    JsonNode c = golden("batchnorm2d");
    Tensor out2 = bn.call(tensor(c, "x2"));
    assertClose("batchnorm2d second step", out2, tensor(c, "out2"));
    Map<String, Tensor> after = tensors(field(c, "state_after"));
    assertClose("running_mean", bn.runningMean, after.get("running_mean"));
    assertClose("running_var", bn.runningVar, after.get("running_var"));
    assertThat(bn.numBatchesTracked.getLong(0)).isEqualTo(after.get("num_batches_tracked").getLong(0)).isEqualTo(2);
    bn.eval();
    assertClose("batchnorm2d eval", bn.call(tensor(c, "x_eval")), tensor(c, "out_eval"));
    assertClose("running_mean unchanged by eval", bn.runningMean, after.get("running_mean"));
  }

  @Test
  void batchNorm1d() {
    JsonNode cfg = field(golden("batchnorm1d"), "config");
    BatchNorm1d bn = new BatchNorm1d(4, cfg.get("eps").asDouble(), cfg.get("momentum").asDouble());
    checkModule("batchnorm1d", bn);
    Map<String, Tensor> after = tensors(field(golden("batchnorm1d"), "state_after"));
    assertClose("running_mean", bn.runningMean, after.get("running_mean"));
    assertClose("running_var", bn.runningVar, after.get("running_var"));
  }

  @Test
  void layerNorm() {
    checkModule("layernorm", new LayerNorm(4));
    checkModule("layernorm_2d", new LayerNorm(new int[] {3, 4}, 1e-3, true));
  }

  @Test
  void embedding() {
    JsonNode c = golden("embedding");
    Embedding emb = new Embedding(7, 3, new Rng(3));
    emb.loadStateDict(tensors(field(c, "state")), true);
    Tensor out = emb.call(tensor(c, "ids"));
    assertClose("embedding out", out, tensor(c, "out"));
    out.backward(tensor(c, "grad_out"));
    assertClose("embedding grad", emb.weight.grad(), tensor(field(c, "grads"), "weight"));
  }

  @Test
  void activations() {
    checkFunction("gelu", in -> in.get("x").gelu());
    checkFunction("gelu_tanh", in -> in.get("x").geluTanh());
    checkFunction("silu", in -> in.get("x").silu());
    checkFunction("sigmoid", in -> in.get("x").sigmoid());
    checkFunction("tanh", in -> in.get("x").tanh());
    checkFunction("gelu", in -> Activation.gelu().call(in.get("x")));
    checkFunction("silu", in -> Activation.silu().call(in.get("x")));
  }

  @Test
  void softmaxAndLogSoftmax() {
    for (int d : new int[] {0, 1, 2, -1}) {
      int dim = golden("softmax_dim" + d).get("dim").asInt();
      checkFunction("softmax_dim" + d, in -> F.softmax(in.get("x"), dim));
      checkFunction("log_softmax_dim" + d, in -> F.logSoftmax(in.get("x"), dim));
    }
  }

  @Test
  void crossEntropyWithSmoothingAndIgnoreIndex() {
    for (String name : new String[] {"cross_entropy", "cross_entropy_smoothing", "cross_entropy_ignore",
        "cross_entropy_ignore_smoothing", "cross_entropy_ignore2_smoothing"}) {
      JsonNode c = golden(name);
      Tensor targets = tensor(c, "targets");
      int ignore = c.get("ignore_index").asInt();
      double smoothing = c.get("label_smoothing").asDouble();
      checkFunction(name, in -> F.crossEntropy(in.get("logits"), targets, ignore, smoothing));
    }
  }

  @Test
  void otherLosses() {
    Tensor targets = tensor(golden("nll_loss_ignore"), "targets");
    checkFunction("nll_loss_ignore", in -> F.nllLoss(in.get("logp"), targets, -100));
    checkFunction("mse_loss", in -> F.mseLoss(in.get("a"), in.get("b")));
    checkFunction("bce_with_logits", in -> F.binaryCrossEntropyWithLogits(in.get("z"), in.get("y")));
    checkFunction("kl_div", in -> F.klDiv(in.get("inp"), in.get("tgt"), false));
    checkFunction("kl_div_log_target", in -> F.klDiv(in.get("inp"), in.get("tgt"), true));
  }

  @Test
  void attentionWithGroupedQueryHeads() {
    checkFunction("attention_gqa_causal", in -> F.scaledDotProductAttention(in.get("q"), in.get("k"), in.get("v"), true, null));
    Tensor mask = tensor(golden("attention_gqa_mask"), "mask");
    checkFunction("attention_gqa_mask", in -> F.scaledDotProductAttention(in.get("q"), in.get("k"), in.get("v"), false, mask));
  }

  @Test
  void convBnReluPoolLinearModelEndToEnd() {
    JsonNode c = golden("model");
    Rng rng = new Rng(4);
    Sequential model = new Sequential(new Conv2d(2, 4, 3, 1, 1, rng), new BatchNorm2d(4), Activation.relu(), new MaxPool2d(2),
        Activation.flatten(), new Linear(36, 3, rng));
    LoadResult r = model.loadStateDict(tensors(field(c, "state")), true);
    assertThat(r.isClean()).isTrue();
    Tensor x = tensor(c, "x").requiresGrad(true);
    Tensor logits = model.call(x);
    assertClose("model logits", logits, tensor(c, "logits"));
    Tensor loss = F.crossEntropy(logits, tensor(c, "targets"));
    assertClose("model loss", loss, tensor(c, "loss"));
    loss.backward();
    checkGrads("model", c, model, Map.of("x", x));
    Map<String, Tensor> after = tensors(field(c, "state_after"));
    Map<String, Tensor> own = model.stateDict();
    assertThat(own.keySet()).containsExactlyElementsOf(after.keySet());
    for (String k : after.keySet()) {
      if (k.endsWith("num_batches_tracked")) assertThat(own.get(k).getLong(0)).isEqualTo(after.get(k).getLong(0));
      else assertClose("model state_after " + k, own.get(k), after.get(k));
    }
  }
}
