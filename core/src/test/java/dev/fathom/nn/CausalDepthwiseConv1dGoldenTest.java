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
import org.junit.jupiter.api.Test;

/**
 * {@link CausalDepthwiseConv1d} against PyTorch's {@code Conv1d(C, C, K, groups=C, padding=K−1)}
 * on the transposed input, cut to the first T steps: {@code golden/causal_conv1d.json}, written
 * by {@code tools/golden/make_causal_conv1d_golden.py}. PyTorch's state dict loads strictly
 * (same names and shapes); the output and the gradients of sum(out·grad_out) w.r.t. x, weight
 * and bias match to 1e-4.
 */
class CausalDepthwiseConv1dGoldenTest {

  @Test
  void matchesPyTorchConv1dWithCausalPadding() {
    JsonNode cases = Golden.cases("causal_conv1d.json");
    assertThat(cases.size()).isEqualTo(4);
    cases.fields().forEachRemaining(e -> check(e.getKey(), e.getValue()));
  }

  private static void check(String name, JsonNode c) {
    JsonNode cfg = field(c, "config");
    boolean withBias = field(cfg, "bias").asBoolean();
    CausalDepthwiseConv1d conv = new CausalDepthwiseConv1d(field(cfg, "channels").asInt(), field(cfg, "kernel_size").asInt(),
        withBias, new Rng(1));
    conv.loadStateDict(tensors(field(c, "state")), true);
    Tensor x = tensor(field(c, "inputs"), "x").requiresGrad(true);
    Tensor out = conv.call(x);
    assertClose(name + " out", out, tensor(c, "out"));
    out.backward(tensor(c, "grad_out"));
    JsonNode grads = field(c, "grads");
    assertClose(name + " grad x", x.grad(), tensor(grads, "x"));
    assertClose(name + " grad weight", conv.weight.grad(), tensor(grads, "weight"));
    if (withBias) assertClose(name + " grad bias", conv.bias.grad(), tensor(grads, "bias"));
    assertThat(grads.has("bias")).as(name + ": bias gradient in the golden file").isEqualTo(withBias);
  }
}
