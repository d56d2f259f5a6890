package dev.fathom.llm;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fathom.kernel.BlockSparseLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a Llama-family decoder, read from and written to a Hugging Face
 * {@code config.json} with its field names. One record covers the variants: Llama (optional
 * {@code attention_bias}, {@code mlp_bias}, llama3 {@code rope_scaling}), Qwen2 ({@code model_type}
 * "qwen2": biases on q/k/v but not o) and Mistral ({@code sliding_window}). Missing optional
 * fields take Hugging Face's defaults; missing required ones and inconsistent values are
 * rejected with a message naming the field, what was expected and what came.
 *
 * <p>Fathom's attention variants (issue: long context) add fields Hugging Face's Llama ignores:
 * {@code attention_type} ({@link AttentionType}: absent or "full", "block_sparse", "linear"), the
 * block-sparse pattern in BigBird's names ({@code block_size}, {@code num_random_blocks}, plus
 * {@code num_local_blocks} and {@code num_global_blocks}; defaults 64, 1, 3, 1 when the type is
 * block_sparse, dropped otherwise), and {@code conv_kernel_size}: a depthwise causal convolution
 * of that width over time on q, k and v before attention (Primer's multi-dconv-head attention, So
 * et al. 2021), with any attention type. A checkpoint with these fields loads in Hugging Face as a
 * plain Llama with different numbers, so such models are Fathom's own.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LlamaConfig(
    @JsonProperty("architectures") List<String> architectures,
    @JsonProperty("model_type") String modelType,
    @JsonProperty("vocab_size") Integer vocabSize,
    @JsonProperty("hidden_size") Integer hiddenSize,
    @JsonProperty("intermediate_size") Integer intermediateSize,
    @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
    @JsonProperty("num_attention_heads") Integer numAttentionHeads,
    @JsonProperty("num_key_value_heads") Integer numKeyValueHeads,
    @JsonProperty("head_dim") Integer headDim,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
    @JsonProperty("rms_norm_eps") Double rmsNormEps,
    @JsonProperty("rope_theta") Double ropeTheta,
    @JsonProperty("rope_scaling") RopeScaling ropeScaling,
    @JsonProperty("attention_bias") Boolean attentionBias,
    @JsonProperty("mlp_bias") Boolean mlpBias,
    @JsonProperty("sliding_window") Integer slidingWindow,
    @JsonProperty("use_sliding_window") Boolean useSlidingWindow,
    @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
    @JsonProperty("bos_token_id") Integer bosTokenId,
    @JsonProperty("eos_token_id")
        @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY, JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED})
        List<Integer> eosTokenId,
    @JsonProperty("initializer_range") Double initializerRange,
    @JsonProperty("torch_dtype") String torchDtype,
    @JsonProperty("attention_type") String attentionType,
    @JsonProperty("block_size") Integer blockSize,
    @JsonProperty("num_local_blocks") Integer numLocalBlocks,
    @JsonProperty("num_global_blocks") Integer numGlobalBlocks,
    @JsonProperty("num_random_blocks") Integer numRandomBlocks,
    @JsonProperty("conv_kernel_size") Integer convKernelSize) {

  /** The model types this implementation covers. */
  public static final List<String> MODEL_TYPES = List.of("llama", "qwen2", "mistral");

  public LlamaConfig {
    if (modelType == null) modelType = "llama";
    if (!MODEL_TYPES.contains(modelType)) {
      throw new IllegalArgumentException("model_type: expected one of " + MODEL_TYPES + ", got \"" + modelType + "\"");
    }
    if (architectures == null || architectures.isEmpty()) architectures = List.of(defaultArchitecture(modelType));
    architectures = List.copyOf(architectures);
    requirePositive("vocab_size", vocabSize);
    requirePositive("hidden_size", hiddenSize);
    requirePositive("intermediate_size", intermediateSize);
    requirePositive("num_hidden_layers", numHiddenLayers);
    requirePositive("num_attention_heads", numAttentionHeads);
    if (numKeyValueHeads == null) numKeyValueHeads = numAttentionHeads;
    requirePositive("num_key_value_heads", numKeyValueHeads);
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException("num_key_value_heads: expected a divisor of num_attention_heads=" + numAttentionHeads
          + ", got " + numKeyValueHeads);
    }
    if (headDim == null) {
      if (hiddenSize % numAttentionHeads != 0) {
        throw new IllegalArgumentException("num_attention_heads: expected a divisor of hidden_size=" + hiddenSize
            + " (or an explicit head_dim), got " + numAttentionHeads);
      }
      headDim = hiddenSize / numAttentionHeads;
    }
    requirePositive("head_dim", headDim);
    if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim: expected an even size for rotary embeddings, got " + headDim);
    if (hiddenAct == null) hiddenAct = "silu";
    if (!hiddenAct.equals("silu")) throw new IllegalArgumentException("hidden_act: expected \"silu\" (SwiGLU), got \"" + hiddenAct + "\"");
    if (maxPositionEmbeddings == null) maxPositionEmbeddings = 2048;
    requirePositive("max_position_embeddings", maxPositionEmbeddings);
    if (rmsNormEps == null) rmsNormEps = 1e-6;
    if (!(rmsNormEps > 0) || rmsNormEps >= 1) throw new IllegalArgumentException("rms_norm_eps: expected a value in (0, 1), got " + rmsNormEps);
    if (ropeTheta == null) ropeTheta = 10000.0;
    if (!(ropeTheta > 1) || ropeTheta.isInfinite()) throw new IllegalArgumentException("rope_theta: expected a finite value > 1, got " + ropeTheta);
    if (ropeScaling != null && ropeScaling.ropeType().equals("default")) ropeScaling = null;
    if (attentionBias == null) attentionBias = modelType.equals("qwen2");
    if (mlpBias == null) mlpBias = false;
    if (useSlidingWindow == null) useSlidingWindow = !modelType.equals("qwen2");
    if (slidingWindow != null && slidingWindow <= 0) {
      throw new IllegalArgumentException("sliding_window: expected a positive window or null, got " + slidingWindow);
    }
    if (tieWordEmbeddings == null) tieWordEmbeddings = false;
    if (bosTokenId != null && (bosTokenId < 0 || bosTokenId >= vocabSize)) {
      throw new IllegalArgumentException("bos_token_id: expected an id in [0, " + vocabSize + "), got " + bosTokenId);
    }
    if (eosTokenId != null) {
      for (Integer id : eosTokenId) {
        if (id == null || id < 0 || id >= vocabSize) {
          throw new IllegalArgumentException("eos_token_id: expected ids in [0, " + vocabSize + "), got " + eosTokenId);
        }
      }
      eosTokenId = List.copyOf(eosTokenId);
    }
    if (initializerRange == null) initializerRange = 0.02;
    if (torchDtype == null) torchDtype = "float32";
    AttentionType type = attentionType == null ? AttentionType.FULL : AttentionType.parse(attentionType);
    attentionType = type == AttentionType.FULL ? null : type.id();  // full is the default, left out of config.json
    if (type != AttentionType.FULL && slidingWindow != null && useSlidingWindow) {
      throw new IllegalArgumentException("sliding_window: expected none with attention_type \"" + type.id() + "\", got " + slidingWindow);
    }
    if (type == AttentionType.BLOCK_SPARSE) {
      if (blockSize == null) blockSize = 64;
      if (numLocalBlocks == null) numLocalBlocks = 3;
      if (numGlobalBlocks == null) numGlobalBlocks = 1;
      if (numRandomBlocks == null) numRandomBlocks = 1;
      if (blockSize <= 0 || blockSize % 64 != 0) {
        throw new IllegalArgumentException("block_size: expected a positive multiple of 64 (the attention tile), got " + blockSize);
      }
      requirePositive("num_local_blocks", numLocalBlocks);
      if (numGlobalBlocks < 0) throw new IllegalArgumentException("num_global_blocks: expected >= 0, got " + numGlobalBlocks);
      if (numRandomBlocks < 0) throw new IllegalArgumentException("num_random_blocks: expected >= 0, got " + numRandomBlocks);
    } else {
      blockSize = numLocalBlocks = numGlobalBlocks = numRandomBlocks = null;
    }
    if (convKernelSize != null && (convKernelSize < 1 || convKernelSize > 64)) {
      throw new IllegalArgumentException("conv_kernel_size: expected a width in [1, 64] or none, got " + convKernelSize);
    }
  }

  private static String defaultArchitecture(String modelType) {
    return switch (modelType) {
      case "qwen2" -> "Qwen2ForCausalLM";
      case "mistral" -> "MistralForCausalLM";
      default -> "LlamaForCausalLM";
    };
  }

  private static void requirePositive(String field, Integer v) {
    if (v == null) throw new IllegalArgumentException(field + ": expected a positive integer, got none (field missing)");
    if (v <= 0) throw new IllegalArgumentException(field + ": expected a positive integer, got " + v);
  }

  /**
   * A plain Llama config (no biases, untied unless asked, no sliding window), with defaults for
   * everything else.
   */
  public static LlamaConfig llama(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
      int maxPositions, boolean tieEmbeddings) {
    return new LlamaConfig(null, "llama", vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, null, null,
        maxPositions, 1e-5, 10000.0, null, false, false, null, null, tieEmbeddings, null, null, null, null,
        null, null, null, null, null, null);
  }

  // ------------------------------------------------------------ derived

  /** Whether q_proj, k_proj and v_proj have biases (Llama attention_bias, always in Qwen2). */
  @JsonIgnore
  public boolean qkvBias() {
    return attentionBias;
  }

  /** Whether o_proj has a bias (Llama attention_bias; never in Qwen2). */
  @JsonIgnore
  public boolean oBias() {
    return attentionBias && !modelType.equals("qwen2");
  }

  /** The attention window in tokens (each query sees itself and window − 1 earlier keys), or 0 for none. */
  @JsonIgnore
  public int window() {
    return slidingWindow != null && useSlidingWindow ? slidingWindow : 0;
  }

  /** Query heads per key/value head. */
  @JsonIgnore
  public int groups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** The number of parameters a model of this config has (tied embeddings counted once). */
  @JsonIgnore
  public long parameterCount() {
    long d = hiddenSize, q = (long) numAttentionHeads * headDim, kv = (long) numKeyValueHeads * headDim, f = intermediateSize;
    long attn = d * q + 2 * d * kv + q * d + (qkvBias() ? q + 2 * kv : 0) + (oBias() ? d : 0);
    long mlp = 3 * d * f + (mlpBias ? 2 * f + d : 0);
    long conv = (long) convKernel() * (q + 2 * kv);  // depthwise q/k/v kernels, no bias
    long perLayer = attn + conv + mlp + 2 * d;
    long emb = (long) vocabSize * d;
    return emb + numHiddenLayers * perLayer + d + (tieWordEmbeddings ? 0 : emb);
  }

  /** A copy with another vocabulary size (e.g. after training a tokenizer). */
  public LlamaConfig withVocabSize(int newVocab) {
    return new LlamaConfig(architectures, modelType, newVocab, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
        numKeyValueHeads, headDim, hiddenAct, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, attentionBias,
        mlpBias, slidingWindow, useSlidingWindow, tieWordEmbeddings, bosTokenId, eosTokenId, initializerRange, torchDtype,
        attentionType, blockSize, numLocalBlocks, numGlobalBlocks, numRandomBlocks, convKernelSize);
  }

  /**
   * A copy whose attention sees only the last {@code window} positions: a Mistral config (the
   * Llama layout plus {@code sliding_window}, which Hugging Face's Llama would ignore), so the
   * checkpoint loads as MistralForCausalLM elsewhere.
   *
   * @throws IllegalArgumentException for a window below 1, or a Qwen2 config
   */
  public LlamaConfig withSlidingWindow(int window) {
    if (window < 1) throw new IllegalArgumentException("sliding_window: expected >= 1, got " + window);
    if (modelType.equals("qwen2")) throw new IllegalArgumentException("sliding_window: expected a llama or mistral config, got qwen2");
    return new LlamaConfig(null, "mistral", vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
        numKeyValueHeads, headDim, hiddenAct, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, attentionBias,
        mlpBias, window, true, tieWordEmbeddings, bosTokenId, eosTokenId, initializerRange, torchDtype,
        attentionType, blockSize, numLocalBlocks, numGlobalBlocks, numRandomBlocks, convKernelSize);
  }

  /** A copy with the given special token ids (null leaves them unset). */
  public LlamaConfig withSpecialTokens(Integer bos, List<Integer> eos) {
    return new LlamaConfig(architectures, modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
        numKeyValueHeads, headDim, hiddenAct, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, attentionBias,
        mlpBias, slidingWindow, useSlidingWindow, tieWordEmbeddings, bos, eos == null ? null : new ArrayList<>(eos),
        initializerRange, torchDtype, attentionType, blockSize, numLocalBlocks, numGlobalBlocks, numRandomBlocks, convKernelSize);
  }

  /**
   * A copy with another MLP width and head counts ({@code head_dim} made explicit, so it stays),
   * everything else kept: what structured pruning leaves.
   */
  public LlamaConfig withWidths(int intermediate, int heads, int kvHeads) {
    return new LlamaConfig(architectures, modelType, vocabSize, hiddenSize, intermediate, numHiddenLayers, heads, kvHeads, headDim,
        hiddenAct, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, attentionBias, mlpBias, slidingWindow, useSlidingWindow,
        tieWordEmbeddings, bosTokenId, eosTokenId, initializerRange, torchDtype, attentionType, blockSize, numLocalBlocks,
        numGlobalBlocks, numRandomBlocks, convKernelSize);
  }

  /**
   * A copy with another attention: {@code type} with its defaults (a block-sparse pattern takes
   * block_size 64, 3 local, 1 global and 1 random block) and a q/k/v convolution of width
   * {@code convKernel} (null for none). Full attention keeps a sliding window; the other types
   * need none.
   *
   * @throws IllegalArgumentException for a sliding window with another type, or a bad width
   */
  public LlamaConfig withAttention(AttentionType type, Integer convKernel) {
    String id = type == AttentionType.FULL ? null : type.id();
    return new LlamaConfig(architectures, modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
        numKeyValueHeads, headDim, hiddenAct, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, attentionBias, mlpBias,
        slidingWindow, useSlidingWindow, tieWordEmbeddings, bosTokenId, eosTokenId, initializerRange, torchDtype, id,
        type == attention() ? blockSize : null, type == attention() ? numLocalBlocks : null,
        type == attention() ? numGlobalBlocks : null, type == attention() ? numRandomBlocks : null, convKernel);
  }

  /** A copy whose block-sparse pattern has these numbers (the type becomes block_sparse). */
  public LlamaConfig withBlockSparse(int blockSize, int localBlocks, int globalBlocks, int randomBlocks) {
    return new LlamaConfig(architectures, modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
        numKeyValueHeads, headDim, hiddenAct, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, attentionBias, mlpBias,
        slidingWindow, useSlidingWindow, tieWordEmbeddings, bosTokenId, eosTokenId, initializerRange, torchDtype,
        AttentionType.BLOCK_SPARSE.id(), blockSize, localBlocks, globalBlocks, randomBlocks, convKernelSize);
  }

  /** A copy whose context (max_position_embeddings) is {@code positions}. */
  public LlamaConfig withMaxPositions(int positions) {
    return new LlamaConfig(architectures, modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
        numKeyValueHeads, headDim, hiddenAct, positions, rmsNormEps, ropeTheta, ropeScaling, attentionBias, mlpBias,
        slidingWindow, useSlidingWindow, tieWordEmbeddings, bosTokenId, eosTokenId, initializerRange, torchDtype, attentionType,
        blockSize, numLocalBlocks, numGlobalBlocks, numRandomBlocks, convKernelSize);
  }

  /** The attention the layers run (full when config.json names none). */
  @JsonIgnore
  public AttentionType attention() {
    return attentionType == null ? AttentionType.FULL : AttentionType.parse(attentionType);
  }

  /**
   * The block-sparse pattern of layer {@code layer} (its random blocks are drawn with the layer
   * index as seed, so layers differ and a decoder finds the same blocks as training).
   *
   * @throws IllegalStateException when the attention is not block_sparse
   */
  public BlockSparseLayout blockLayout(int layer) {
    if (attention() != AttentionType.BLOCK_SPARSE) {
      throw new IllegalStateException("blockLayout: expected attention_type block_sparse, got " + attention().id());
    }
    return new BlockSparseLayout(blockSize, numLocalBlocks, numGlobalBlocks, numRandomBlocks, layer);
  }

  /** Width of the depthwise causal convolution on q, k and v, or 0 for none. */
  @JsonIgnore
  public int convKernel() {
    return convKernelSize == null ? 0 : convKernelSize;
  }
}
