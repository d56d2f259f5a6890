package dev.fathom.compress;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the two matrices outside the decoder blocks are stored beside the quantized projections:
 * the token embedding ({@code model.embed_tokens.weight}) and the output head ({@code
 * lm_head.weight}). Each is {@value #FLOAT} (kept float32), {@value #PER_TENSOR} (the per-tensor
 * 4-bit baseline, {@link PerTensorBaseline}) or a {@link GroupGrid} name, rounded to nearest.
 *
 * <p>{@link #defaultsFor} follows llama.cpp's quantize: the embedding takes the file's format, the
 * head a wider one when the file is 4-bit (llama.cpp: q6_K; here q8_0, the widest block format),
 * since the head's error lands on the logits with no later layer to average it out. The float-kept
 * grids used to compare GPTQ and AWQ (int3g128, ...) keep both float, as their papers do.
 *
 * <p>With a tied head the embedding is the head: only {@link #embed} applies.
 *
 * @param embed the embedding's rounding
 * @param head the head's rounding
 */
public record OuterTensors(String embed, String head) {
  /** Kept float32. */
  public static final String FLOAT = "float";
  /** The per-tensor 4-bit baseline ({@link PerTensorBaseline}). */
  public static final String PER_TENSOR = "int4pt";
  /** The embedding's parameter name. */
  public static final String EMBED = "model.embed_tokens.weight";
  /** The untied head's parameter name. */
  public static final String HEAD = "lm_head.weight";

  /** @throws IllegalArgumentException if a name is none of float, int4pt or a grid's */
  public OuterTensors {
    embed = check(embed, "embedding");
    head = check(head, "head");
  }

  /** Both float32. */
  public static OuterTensors floats() {
    return new OuterTensors(FLOAT, FLOAT);
  }

  /**
   * llama.cpp's choice for a file quantized to {@code format} (a grid's name or {@value
   * #PER_TENSOR}): q8_0 and int8 files hold both matrices in their own format; 4-bit files (q4_0,
   * int4g128, and the per-tensor baseline, so that it is compared with q4_0 on equal terms) hold the
   * embedding in their format and the head in q8_0; grids without a packed format keep both float.
   */
  public static OuterTensors defaultsFor(String format) {
    if (format.equalsIgnoreCase(PER_TENSOR)) return new OuterTensors(PER_TENSOR, QuantFormat.Q8_0.id());
    QuantFormat f = GroupGrid.parse(format).format();
    if (f == null) return floats();
    return switch (f) {
      case Q8_0, INT8 -> new OuterTensors(f.id(), f.id());
      case Q4_0, INT4_G128 -> new OuterTensors(f.id(), QuantFormat.Q8_0.id());
    };
  }

  /** Whether both stay float. */
  public boolean allFloat() {
    return embed.equals(FLOAT) && head.equals(FLOAT);
  }

  /**
   * Checks that both can be stored packed (float or a packed format's grid), as a packed checkpoint needs.
   *
   * @throws IllegalArgumentException naming the one that cannot
   */
  public void checkPackable() {
    for (String[] p : new String[][] {{"embedding", embed}, {"head", head}}) {
      if (!p[1].equals(FLOAT) && (p[1].equals(PER_TENSOR) || GroupGrid.parse(p[1]).format() == null)) {
        throw new IllegalArgumentException("a packed checkpoint stores the " + p[0] + " as float or in a packed format ("
            + QuantFormat.knownNames() + "), got " + p[1]);
      }
    }
  }

  /**
   * Checks that the grids suit the matrices' in-features (the hidden size), before any work.
   *
   * @throws IllegalArgumentException naming the matrix and the grid
   */
  public void checkColumns(LlamaForCausalLM model) {
    int cols = model.config().hiddenSize();
    for (String[] p : new String[][] {{EMBED, embed}, {HEAD, head}}) {
      if (p[1].equals(FLOAT) || p[1].equals(PER_TENSOR)) continue;
      try {
        GroupGrid.parse(p[1]).checkColumns(cols);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(p[0] + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Rounds the embedding of {@code model} in place (before any calibration, so that GPTQ and AWQ
   * see the embedding the file will hold).
   *
   * @return its packed matrix by name when it has a packed format, else an empty map
   */
  public Map<String, QuantizedMatrix> roundEmbedding(LlamaForCausalLM model) {
    return roundOne(model, EMBED, embed);
  }

  /** Rounds the untied head in place (nothing for a tied one); returns its packed matrix as {@link #roundEmbedding}. */
  public Map<String, QuantizedMatrix> roundHead(LlamaForCausalLM model) {
    if (model.config().tieWordEmbeddings()) return Map.of();
    return roundOne(model, HEAD, head);
  }

  /** The modules_not_converted entries of a file with these outer tensors: the norms, and whatever stays float. */
  public List<String> notConverted(boolean tied) {
    List<String> out = new ArrayList<>();
    if (embed.equals(FLOAT)) out.add("model.embed_tokens");
    out.addAll(List.of("model.norm", "input_layernorm", "post_attention_layernorm"));
    if (!tied && head.equals(FLOAT)) out.add("lm_head");
    return out;
  }

  @Override
  public String toString() {
    return "embedding " + embed + ", head " + head;
  }

  private static Map<String, QuantizedMatrix> roundOne(LlamaForCausalLM model, String name, String how) {
    if (how.equals(FLOAT)) return Map.of();
    Tensor t = model.namedParameters().get(name);
    if (t == null) throw new IllegalStateException("model has no parameter '" + name + "'");
    if (how.equals(PER_TENSOR)) {
      PerTensorBaseline.roundToGrid(t.data());
      return Map.of();
    }
    GroupGrid grid = GroupGrid.parse(how);
    int rows = t.size(0), cols = t.size(1);
    try {
      grid.checkColumns(cols);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
    GridWeights g = GridWeights.roundToNearest(grid, t.data(), rows, cols);
    System.arraycopy(g.values(), 0, t.data(), 0, g.values().length);
    Map<String, QuantizedMatrix> out = new LinkedHashMap<>();
    if (grid.format() != null) out.put(name, g.toMatrix());
    return out;
  }

  private static String check(String how, String which) {
    if (how == null) throw new IllegalArgumentException("the " + which + "'s format: expected float, int4pt or a grid name, got null");
    String s = how.toLowerCase(java.util.Locale.ROOT);
    if (s.equals(FLOAT) || s.equals(PER_TENSOR)) return s;
    try {
      return GroupGrid.parse(s).id();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + which + "'s format: expected float, int4pt or one of " + GroupGrid.knownNames() + ", got " + how,
          e);
    }
  }
}
