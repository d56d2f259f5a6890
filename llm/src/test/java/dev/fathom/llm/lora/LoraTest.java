package dev.fathom.llm.lora;

import static dev.fathom.llm.lora.LoraFixtures.ids;
import static dev.fathom.llm.lora.LoraFixtures.logits;
import static dev.fathom.llm.lora.LoraFixtures.maxAbsDiff;
import static dev.fathom.llm.lora.LoraFixtures.randomizeAdapters;
import static dev.fathom.llm.lora.LoraFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.LlamaPresets;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attaching, training, merging and removing adapters on a Llama model. */
class LoraTest {
  private static final List<String> ATTN = List.of("q_proj", "k_proj", "v_proj", "o_proj");

  @Test
  void freshAdapterLeavesLogitsUnchanged() {
    LlamaForCausalLM m = tinyModel(1);
    Tensor ids = ids(2, 2, 9, 64);
    float[] base = logits(m, ids).data();
    Map<String, LoraLayer> layers = Lora.apply(m, LoraConfig.of(8, 16, ATTN), new Rng(3));
    assertThat(layers).hasSize(8).containsKey("model.layers.1.self_attn.o_proj");
    assertThat(logits(m, ids).data()).containsExactly(base);
    LoraLayer q = layers.get("model.layers.0.self_attn.q_proj");
    assertThat(q.loraA().weight.shape()).containsExactly(8, 32);
    assertThat(q.loraB().weight.shape()).containsExactly(32, 8);
    assertThat(q.loraB().weight.data()).containsOnly(0f);
    double bound = 1 / Math.sqrt(32);  // kaiming_uniform(a=√5) on (r, in): U(±1/√in)
    for (float v : q.loraA().weight.data()) assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
    assertThat(maxAbsDiff(q.loraA().weight.data(), new float[8 * 32])).isGreaterThan(0.5 * bound);
  }

  @Test
  void stateDictUsesPeftNames() {
    LlamaForCausalLM m = tinyModel(1);
    Lora.apply(m, LoraConfig.of(4, 8, List.of("q_proj", "down_proj")), new Rng(3));
    assertThat(m.stateDict()).containsKeys("model.layers.0.self_attn.q_proj.lora_A.weight",
        "model.layers.0.self_attn.q_proj.lora_B.weight", "model.layers.1.mlp.down_proj.lora_A.weight",
        "model.layers.0.self_attn.q_proj.weight");
    assertThat(Lora.adapterStateDict(m).keySet()).containsExactly(
        "model.layers.0.self_attn.q_proj.lora_A.weight", "model.layers.0.self_attn.q_proj.lora_B.weight",
        "model.layers.0.mlp.down_proj.lora_A.weight", "model.layers.0.mlp.down_proj.lora_B.weight",
        "model.layers.1.self_attn.q_proj.lora_A.weight", "model.layers.1.self_attn.q_proj.lora_B.weight",
        "model.layers.1.mlp.down_proj.lora_A.weight", "model.layers.1.mlp.down_proj.lora_B.weight");
  }

  @Test
  void onlyAdaptersTrainAndTheyAreUnderTwoPercentOfSmall() {
    LlamaForCausalLM m = new LlamaForCausalLM(LlamaPresets.of("small", 256), new Rng(0));
    long base = m.numParameters();
    Lora.apply(m, LoraConfig.of(8, 16, ATTN), new Rng(1));
    List<Tensor> trainable = Lora.trainableParameters(m);
    assertThat(trainable).hasSize(2 * 4 * 4);
    long n = trainable.stream().mapToLong(Tensor::numel).sum();
    assertThat(n).isEqualTo(4L * 4 * (8 * 256 + 256 * 8));
    assertThat(m.numParameters()).isEqualTo(base + n);
    m.namedParameters().forEach((name, p) -> assertThat(p.requiresGrad()).as(name).isEqualTo(name.contains(".lora_")));
    double fraction = Lora.trainableFraction(m);
    System.out.printf("LoRA r=8 on q,k,v,o of small/256: %d trainable of %d (%.4f%%; %.4f%% of the base)%n",
        n, m.numParameters(), 100 * fraction, 100.0 * n / base);
    assertThat(fraction).isLessThan(0.02);
  }

  @Test
  void gradientFlowsOnlyIntoAdapters() {
    LlamaForCausalLM m = tinyModel(1);
    m.train();
    Lora.apply(m, new LoraConfig(4, 8, 0.1, ATTN, false, null, false), new Rng(3));
    randomizeAdapters(m, 4);  // non-zero B so that A gets a gradient too
    Tensor ids = ids(5, 2, 8, 64), targets = ids(6, 2, 8, 64);
    m.loss(ids, targets).backward();
    m.namedParameters().forEach((name, p) -> {
      if (name.contains(".lora_")) {
        assertThat(p.grad()).as(name).isNotNull();
        assertThat(maxAbsDiff(p.grad().data(), new float[p.numel()])).as(name).isGreaterThan(0);
      } else {
        assertThat(p.grad()).as(name).isNull();
      }
    });
  }

  @Test
  void mergeAndUnmergeGiveTheSameLogits() {
    LlamaForCausalLM m = tinyModel(1);
    Tensor ids = ids(2, 2, 9, 64);
    float[] base = logits(m, ids).data();
    Linear q0 = (Linear) m.namedModules().get("model.layers.0.self_attn.q_proj");
    float[] w0 = q0.weight.data().clone();
    Lora.apply(m, LoraConfig.of(4, 8, List.of(LoraConfig.ALL_LINEAR)), new Rng(3));
    assertThat(Lora.layers(m)).hasSize(14).doesNotContainKey("lm_head");
    randomizeAdapters(m, 4);
    float[] adapted = logits(m, ids).data();
    assertThat(maxAbsDiff(adapted, base)).isGreaterThan(1e-2);
    Lora.merge(m);
    assertThat(Lora.isMerged(m)).isTrue();
    float[] merged = logits(m, ids).data();
    assertThat(maxAbsDiff(merged, adapted)).isLessThanOrEqualTo(1e-5);
    // code that reads the weight directly sees the adapted layer
    Tensor x = Tensor.randn(new Rng(7), 3, 32);
    LoraLayer l = Lora.layers(m).get("model.layers.0.self_attn.q_proj");
    try (var g = Grad.disabled()) {
      Lora.unmerge(m);
      float[] hooked = q0.call(x).data();
      Lora.merge(m);
      assertThat(maxAbsDiff(F.linear(x, q0.weight, q0.bias).data(), hooked)).isLessThanOrEqualTo(1e-5);
      assertThat(maxAbsDiff(q0.call(x).data(), hooked)).isLessThanOrEqualTo(1e-5);
    }
    Lora.unmerge(m);
    assertThat(l.isMerged()).isFalse();
    assertThat(maxAbsDiff(logits(m, ids).data(), adapted)).isLessThanOrEqualTo(1e-5);
    assertThat(maxAbsDiff(q0.weight.data(), w0)).isLessThanOrEqualTo(1e-6);
  }

  @Test
  void unloadRestoresTheBaseModel() {
    LlamaForCausalLM m = tinyModel(1);
    Tensor ids = ids(2, 1, 7, 64);
    float[] base = logits(m, ids).data();
    var keys = m.stateDict().keySet();
    Lora.apply(m, LoraConfig.of(4, 8, ATTN), new Rng(3));
    randomizeAdapters(m, 4);
    Lora.merge(m);
    Lora.unload(m);
    assertThat(Lora.isApplied(m)).isFalse();
    assertThat(m.stateDict().keySet()).isEqualTo(keys);
    assertThat(m.parameters()).allMatch(Tensor::requiresGrad);
    assertThat(maxAbsDiff(logits(m, ids).data(), base)).isLessThanOrEqualTo(1e-5);
    Lora.apply(m, LoraConfig.of(2, 2, List.of("v_proj")), new Rng(3));  // can be applied again
    assertThat(Lora.layers(m)).hasSize(2);
  }

  @Test
  void mergeAndUnloadKeepsTheAdaptedWeights() {
    LlamaForCausalLM m = tinyModel(1);
    Tensor ids = ids(2, 1, 7, 64);
    Lora.apply(m, LoraConfig.of(4, 8, ATTN), new Rng(3));
    randomizeAdapters(m, 4);
    float[] adapted = logits(m, ids).data();
    Lora.mergeAndUnload(m);
    assertThat(Lora.isApplied(m)).isFalse();
    assertThat(m.stateDict().keySet()).noneMatch(k -> k.contains("lora_"));
    assertThat(maxAbsDiff(logits(m, ids).data(), adapted)).isLessThanOrEqualTo(1e-5);
  }

  @Test
  void badTargetsAreRejectedWithoutTouchingTheModel() {
    LlamaForCausalLM m = tinyModel(1);
    assertThatThrownBy(() -> Lora.apply(m, LoraConfig.of(4, 8, List.of("q_proj", "qkv")), new Rng(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target_modules [qkv] match no module of LlamaForCausalLM")
        .hasMessageContaining("q_proj");
    assertThatThrownBy(() -> Lora.apply(m, LoraConfig.of(4, 8, List.of("self_attn")), new Rng(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a LlamaAttention; expected Linear layers");
    assertThatThrownBy(() -> Lora.apply(m, LoraConfig.of(4, 8, List.of("lm_head")), new Rng(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output head 'lm_head'");
    assertThat(Lora.isApplied(m)).isFalse();
    assertThat(m.parameters()).allMatch(Tensor::requiresGrad);
    Lora.apply(m, LoraConfig.of(4, 8, ATTN), new Rng(0));
    assertThatThrownBy(() -> Lora.apply(m, LoraConfig.of(4, 8, ATTN), new Rng(0)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has LoRA adapters");
    assertThatThrownBy(() -> Lora.merge(tinyModel(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no adapters");
  }

  @Test
  void dropoutActsOnlyInTraining() {
    LlamaForCausalLM m = tinyModel(1);
    Lora.apply(m, new LoraConfig(4, 8, 0.5, List.of("q_proj"), false, null, false), new Rng(3));
    randomizeAdapters(m, 4);
    Linear q0 = Lora.layers(m).get("model.layers.0.self_attn.q_proj").base();
    Tensor x = Tensor.randn(new Rng(7), 2, 32);
    try (var g = Grad.disabled()) {
      m.eval();
      assertThat(q0.call(x).data()).containsExactly(q0.call(x).data());
      m.train();
      assertThat(maxAbsDiff(q0.call(x).data(), q0.call(x).data())).isGreaterThan(0);
    }
  }
}
