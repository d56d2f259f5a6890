package dev.fathom.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tensor operations against PyTorch: forward values and input gradients from
 * {@code golden/ops.json}, written by {@code tools/golden/make_ops_golden.py}.
 */
class OpsGoldenTest {

  /** The Java form of each golden case: float inputs (in order) and the integer operand, if any. */
  private static final Map<String, BiFunction<List<Tensor>, Tensor, Tensor>> OPS = new LinkedHashMap<>();

  private static void op(String name, BiFunction<List<Tensor>, Tensor, Tensor> fn) {
    OPS.put(name, fn);
  }

  static {
    op("add_bcast", (x, i) -> x.get(0).add(x.get(1)));
    op("sub_bcast", (x, i) -> x.get(0).sub(x.get(1)));
    op("mul_bcast", (x, i) -> x.get(0).mul(x.get(1)));
    op("div_bcast", (x, i) -> x.get(0).div(x.get(1)));
    op("pow_tensor", (x, i) -> x.get(0).pow(x.get(1)));
    op("pow_scalar3", (x, i) -> x.get(0).pow(3f));
    op("pow_scalar_half", (x, i) -> x.get(0).pow(0.5f));
    op("maximum_bcast", (x, i) -> x.get(0).maximum(x.get(1)));
    op("minimum_bcast", (x, i) -> x.get(0).minimum(x.get(1)));
    op("add_scalar", (x, i) -> x.get(0).add(1.5f));
    op("mul_scalar", (x, i) -> x.get(0).mul(-2.5f));
    op("div_scalar", (x, i) -> x.get(0).div(0.75f));
    op("rsub_scalar", (x, i) -> x.get(0).rsub(3f));
    op("neg", (x, i) -> x.get(0).neg());
    op("abs", (x, i) -> x.get(0).abs());
    op("exp", (x, i) -> x.get(0).exp());
    op("log", (x, i) -> x.get(0).log());
    op("sqrt", (x, i) -> x.get(0).sqrt());
    op("rsqrt", (x, i) -> x.get(0).rsqrt());
    op("tanh", (x, i) -> x.get(0).tanh());
    op("sigmoid", (x, i) -> x.get(0).sigmoid());
    op("relu", (x, i) -> x.get(0).relu());
    op("gelu", (x, i) -> x.get(0).gelu());
    op("gelu_tanh", (x, i) -> x.get(0).geluTanh());
    op("silu", (x, i) -> x.get(0).silu());
    op("sin", (x, i) -> x.get(0).sin());
    op("cos", (x, i) -> x.get(0).cos());
    op("clamp", (x, i) -> x.get(0).clamp(-0.5f, 0.5f));
    op("where", (x, i) -> Tensor.where(i, x.get(0), x.get(1)));
    op("masked_fill", (x, i) -> x.get(0).maskedFill(i, -3f));
    op("sum_all", (x, i) -> x.get(0).sum());
    op("sum_dim1", (x, i) -> x.get(0).sum(1, false));
    op("sum_dims02_keep", (x, i) -> x.get(0).sum(new int[] {0, 2}, true));
    op("mean_all", (x, i) -> x.get(0).mean());
    op("mean_dim_last_keep", (x, i) -> x.get(0).mean(-1, true));
    op("var_dim1", (x, i) -> x.get(0).var(1, false));
    op("var_dims12_pop_keep", (x, i) -> x.get(0).var(new int[] {1, 2}, 0, true));
    op("max_dim1", (x, i) -> x.get(0).max(1, false));
    op("min_dim2_keep", (x, i) -> x.get(0).min(2, true));
    op("max_all", (x, i) -> x.get(0).max());
    op("logsumexp_dim1", (x, i) -> x.get(0).logsumexp(1, false));
    op("logsumexp_dim0_keep", (x, i) -> x.get(0).logsumexp(0, true));
    op("softmax_dim1", (x, i) -> x.get(0).softmax(1));
    op("log_softmax_dim0", (x, i) -> x.get(0).logSoftmax(0));
    op("reshape", (x, i) -> x.get(0).reshape(4, 6));
    op("flatten_1_2", (x, i) -> x.get(0).flatten(1, 2));
    op("transpose_0_2", (x, i) -> x.get(0).transpose(0, 2));
    op("permute_2_0_1", (x, i) -> x.get(0).permute(2, 0, 1));
    op("narrow_1_1_2", (x, i) -> x.get(0).narrow(1, 1, 2));
    op("expand", (x, i) -> x.get(0).expand(2, 3, 5, 4));
    op("cat_dim1", (x, i) -> Tensor.cat(x, 1));
    op("stack_dim1", (x, i) -> Tensor.stack(x, 1));
    op("gather_dim1", (x, i) -> x.get(0).gather(1, i));
    op("index_select_dim0", (x, i) -> x.get(0).indexSelect(0, i));
    op("scatter_add_dim1", (x, i) -> x.get(0).scatterAdd(1, i, x.get(1)));
    op("masked_select", (x, i) -> x.get(0).maskedSelect(i));
    for (String mm : List.of("vec_vec", "vec_mat", "mat_vec", "mat_mat", "batched", "bcast_batch", "mat_batched", "batched_mat")) {
      op("matmul_" + mm, (x, i) -> x.get(0).matmul(x.get(1)));
    }
    op("rms_norm", (x, i) -> dev.fathom.nn.F.rmsNorm(x.get(0), x.get(1), 1e-6));
    op("layer_norm", (x, i) -> dev.fathom.nn.F.layerNorm(x.get(0), 1, x.get(1), x.get(2), 1e-5));
  }

  @Test
  void everyGoldenCaseHasAJavaOp() {
    List<String> names = new ArrayList<>();
    Golden.cases("ops.json").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyInAnyOrderElementsOf(OPS.keySet());
  }

  @TestFactory
  Stream<DynamicTest> opsMatchPyTorch() {
    JsonNode cases = Golden.cases("ops.json");
    return OPS.keySet().stream().filter(cases::has).map(name -> DynamicTest.dynamicTest(name, () -> {
      JsonNode c = cases.get(name);
      List<Tensor> inputs = new ArrayList<>();
      for (JsonNode n : c.get("inputs")) inputs.add(Golden.tensor(n).requiresGrad(true));
      Tensor index = c.has("index") ? Golden.tensor(c, "index") : null;
      Tensor out = OPS.get(name).apply(inputs, index);
      Golden.assertClose(name + " forward", out, Golden.tensor(c, "out"));
      out.backward(Golden.tensor(c, "grad_out"));
      JsonNode grads = c.get("grads");
      for (int k = 0; k < inputs.size(); k++) {
        Tensor g = inputs.get(k).grad() == null ? Tensor.zeros(inputs.get(k).shape()) : inputs.get(k).grad();
        Golden.assertClose(name + " grad of input " + k, g, Golden.tensor(grads.get(k)));
      }
    }));
  }
}
