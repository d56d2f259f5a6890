package dev.fathom.llm.generate;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.quant.W8A8Matrix;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.util.Map;

/**
 * A view of a {@link LlamaForCausalLM}'s parameters as float arrays, looked up by their Hugging
 * Face names. The arrays are the parameters' own storage, so in-place weight edits (a LoRA merge,
 * an optimizer step) are seen by the next step; a model whose tensors are replaced needs a new view.
 * The projections and the head of a quantized model ({@link LlamaForCausalLM#quantizedWeights()})
 * are its packed matrices instead, or their W8A8 matrices when activations are quantized too; the
 * embedding is looked up in its float (dequantized) copy.
 */
record ModelWeights(LlamaConfig config, float[] embed, LayerWeights[] layers, float[] finalNorm, Projection head,
    float[] cos, float[] sin, float[] invFreq) {

  /** Reads the arrays of {@code model} and makes its rotary tables cover {@code positions}. */
  static ModelWeights of(LlamaForCausalLM model, int positions) {
    LlamaConfig c = model.config();
    Map<String, Tensor> p = model.namedParameters();
    int d = c.hiddenSize(), f = c.intermediateSize(), q = c.numAttentionHeads() * c.headDim();
    int kv = c.numKeyValueHeads() * c.headDim();
    LayerWeights[] layers = new LayerWeights[c.numHiddenLayers()];
    for (int i = 0; i < layers.length; i++) {
      String pre = "model.layers." + i + ".";
      String a = pre + "self_attn.", m = pre + "mlp.";
      layers[i] = new LayerWeights(
          get(p, pre + "input_layernorm.weight", d), get(p, pre + "post_attention_layernorm.weight", d),
          proj(p, model, a + "q_proj.weight", q, d), bias(p, a + "q_proj.bias", c.qkvBias(), q),
          proj(p, model, a + "k_proj.weight", kv, d), bias(p, a + "k_proj.bias", c.qkvBias(), kv),
          proj(p, model, a + "v_proj.weight", kv, d), bias(p, a + "v_proj.bias", c.qkvBias(), kv),
          proj(p, model, a + "o_proj.weight", d, q), bias(p, a + "o_proj.bias", c.oBias(), d),
          proj(p, model, m + "gate_proj.weight", f, d), bias(p, m + "gate_proj.bias", c.mlpBias(), f),
          proj(p, model, m + "up_proj.weight", f, d), bias(p, m + "up_proj.bias", c.mlpBias(), f),
          proj(p, model, m + "down_proj.weight", d, f), bias(p, m + "down_proj.bias", c.mlpBias(), d),
          conv(p, a + "q_conv.weight", c, q), conv(p, a + "k_conv.weight", c, kv), conv(p, a + "v_conv.weight", c, kv));
    }
    float[] embed = get(p, "model.embed_tokens.weight", c.vocabSize(), d);
    // a tied head is the embedding, packed when the file holds it packed
    Projection head = proj(p, model, c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight", c.vocabSize(), d);
    model.rotary().ensure(positions);
    return new ModelWeights(c, embed, layers, get(p, "model.norm.weight", d), head,
        model.rotary().cos(), model.rotary().sin(), model.rotary().inverseFrequencies());
  }

  /** The packed matrix when the model has one under this name, else the float parameter. */
  private static Projection proj(Map<String, Tensor> p, LlamaForCausalLM model, String name, int out, int in) {
    W8A8Matrix a8 = model.w8a8Weights().get(name);
    if (a8 != null) return Projection.of(a8);
    QuantizedMatrix q = model.quantizedWeights().get(name);
    if (q != null) return Projection.of(q);
    return Projection.of(get(p, name, out, in), in);
  }

  private static float[] conv(Map<String, Tensor> p, String name, LlamaConfig c, int channels) {
    return c.convKernel() == 0 ? null : get(p, name, channels, 1, c.convKernel());
  }

  private static float[] bias(Map<String, Tensor> p, String name, boolean present, int n) {
    return present ? get(p, name, n) : null;
  }

  private static float[] get(Map<String, Tensor> p, String name, int... shape) {
    Tensor t = p.get(name);
    if (t == null) throw new IllegalStateException("model has no parameter '" + name + "'");
    if (!java.util.Arrays.equals(t.shape(), shape)) {
      throw new IllegalStateException("parameter '" + name + "': expected shape " + Shape.str(shape) + ", got " + Shape.str(t.shape()));
    }
    return t.data();
  }
}
