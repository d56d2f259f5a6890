package dev.fathom.llm.lora;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fathom.io.FormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * LoRA hyper-parameters, read and written as PEFT's {@code adapter_config.json}.
 *
 * <p>The adapter on a linear layer W is y = W·x + scale · B·A·dropout(x) with A (r, in) and
 * B (out, r); scale = loraAlpha / r, or loraAlpha / √r with rank-stabilised LoRA (Kalajdzievski
 * 2023). In JSON the fields carry PEFT's names: {@code r}, {@code lora_alpha},
 * {@code lora_dropout}, {@code target_modules}, {@code use_rslora},
 * {@code base_model_name_or_path}, {@code inference_mode}; the fixed fields are written as
 * {@code peft_type "LORA"}, {@code task_type "CAUSAL_LM"}, {@code bias "none"},
 * {@code fan_in_fan_out false} and {@code modules_to_save null}, and other values of them are
 * rejected when read. Unknown fields are ignored, except PEFT options that would change the math
 * ({@code use_dora}, {@code rank_pattern}, {@code alpha_pattern}, {@code layers_to_transform}),
 * which are rejected when set.
 *
 * @param r rank, at least 1
 * @param loraAlpha scaling numerator, finite and positive
 * @param loraDropout dropout probability on the adapter's input, in [0, 1)
 * @param targetModules module names to adapt: a Linear whose dotted path equals an entry or ends
 *     with "." + entry ({@code q_proj}, {@code self_attn.o_proj}); or the single entry
 *     {@link #ALL_LINEAR} for every Linear except the output head
 * @param useRslora scale by loraAlpha / √r instead of loraAlpha / r
 * @param baseModelNameOrPath the base model the adapter belongs to (informational, may be null)
 * @param inferenceMode PEFT's flag for adapters saved for inference (informational)
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules, boolean useRslora,
    String baseModelNameOrPath, boolean inferenceMode) {

  /** The {@code target_modules} value that selects every linear layer but the output head. */
  public static final String ALL_LINEAR = "all-linear";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public LoraConfig {
    if (r < 1) throw new IllegalArgumentException("LoraConfig: r must be >= 1, got " + r);
    if (!(loraAlpha > 0) || Double.isInfinite(loraAlpha)) {
      throw new IllegalArgumentException("LoraConfig: lora_alpha must be finite and > 0, got " + loraAlpha);
    }
    if (!(loraDropout >= 0 && loraDropout < 1)) {
      throw new IllegalArgumentException("LoraConfig: lora_dropout must be in [0, 1), got " + loraDropout);
    }
    if (targetModules == null || targetModules.isEmpty()) {
      throw new IllegalArgumentException("LoraConfig: target_modules must name at least one module, got " + targetModules);
    }
    for (String t : targetModules) {
      if (t == null || t.isBlank() || t.startsWith(".") || t.endsWith(".")) {
        throw new IllegalArgumentException("LoraConfig: target_modules entries must be module names such as q_proj, got "
            + (t == null ? "null" : "\"" + t + "\""));
      }
    }
    if (targetModules.contains(ALL_LINEAR) && targetModules.size() > 1) {
      throw new IllegalArgumentException("LoraConfig: target_modules \"" + ALL_LINEAR
          + "\" must stand alone, got " + targetModules);
    }
    targetModules = List.copyOf(targetModules);
  }

  /** rank r, alpha, the given targets; no dropout, plain alpha/r scaling. */
  public static LoraConfig of(int r, double loraAlpha, List<String> targetModules) {
    return new LoraConfig(r, loraAlpha, 0.0, targetModules, false, null, false);
  }

  /** The factor on B·A: loraAlpha / r, or loraAlpha / √r with {@link #useRslora}. */
  public double scale() {
    return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
  }

  /** Whether targets select every Linear but the head. */
  public boolean allLinear() {
    return targetModules.equals(List.of(ALL_LINEAR));
  }

  /** Whether the module at dotted path {@code name} is selected by {@link #targetModules}. */
  public boolean targets(String name) {
    if (allLinear()) return true;
    for (String t : targetModules) if (name.equals(t) || name.endsWith("." + t)) return true;
    return false;
  }

  public LoraConfig withBaseModel(String nameOrPath) {
    return new LoraConfig(r, loraAlpha, loraDropout, targetModules, useRslora, nameOrPath, inferenceMode);
  }

  public LoraConfig withInferenceMode(boolean value) {
    return new LoraConfig(r, loraAlpha, loraDropout, targetModules, useRslora, baseModelNameOrPath, value);
  }

  // ------------------------------------------------------------ JSON (adapter_config.json)

  /** This config as the text of PEFT's adapter_config.json. */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("peft_type", "LORA");
    o.put("task_type", "CAUSAL_LM");
    o.put("base_model_name_or_path", baseModelNameOrPath);
    o.put("inference_mode", inferenceMode);
    o.put("r", r);
    if (loraAlpha == Math.rint(loraAlpha) && Math.abs(loraAlpha) < 1e15) o.put("lora_alpha", (long) loraAlpha);
    else o.put("lora_alpha", loraAlpha);
    o.put("lora_dropout", loraDropout);
    if (allLinear()) o.put("target_modules", ALL_LINEAR);
    else targetModules.forEach(o.putArray("target_modules")::add);
    o.put("bias", "none");
    o.put("fan_in_fan_out", false);
    o.putNull("modules_to_save");
    o.put("use_rslora", useRslora);
    try {
      return JSON.writeValueAsString(o) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses adapter_config.json text.
   *
   * @param source where the text came from, for messages
   * @throws FormatException naming the field and what was expected when a value is missing or wrong
   */
  public static LoraConfig fromJson(String text, String source) throws FormatException {
    JsonNode o;
    try {
      o = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new FormatException(source + ": expected a JSON object (PEFT adapter_config.json), " + e.getOriginalMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new FormatException(source + ": expected a JSON object (PEFT adapter_config.json), got "
          + (o == null ? "nothing" : o.getNodeType()));
    }
    fixed(o, "peft_type", "LORA", false, source);
    fixed(o, "task_type", "CAUSAL_LM", true, source);
    fixed(o, "bias", "none", true, source);
    JsonNode fifo = o.get("fan_in_fan_out");
    if (fifo != null && !fifo.isNull() && !(fifo.isBoolean() && !fifo.asBoolean())) {
      throw new FormatException(source + ": fan_in_fan_out must be false (weights stored as (out, in)), got " + fifo);
    }
    JsonNode mts = o.get("modules_to_save");
    if (mts != null && !mts.isNull() && !(mts.isArray() && mts.isEmpty())) {
      throw new FormatException(source + ": modules_to_save must be null (fully trained extra modules are not supported), got " + mts);
    }
    unsupported(o, "use_dora", source);
    unsupported(o, "layers_to_transform", source);
    unsupported(o, "rank_pattern", source);
    unsupported(o, "alpha_pattern", source);
    JsonNode rNode = required(o, "r", source);
    if (!rNode.isIntegralNumber() || !rNode.canConvertToInt()) {
      throw new FormatException(source + ": r must be a positive integer, got " + rNode);
    }
    double alpha = number(required(o, "lora_alpha", source), "lora_alpha", source);
    JsonNode dropNode = o.get("lora_dropout");
    double dropout = dropNode == null || dropNode.isNull() ? 0.0 : number(dropNode, "lora_dropout", source);
    List<String> targets = targets(required(o, "target_modules", source), source);
    boolean rslora = bool(o, "use_rslora", source);
    boolean inference = bool(o, "inference_mode", source);
    JsonNode base = o.get("base_model_name_or_path");
    if (base != null && !base.isNull() && !base.isTextual()) {
      throw new FormatException(source + ": base_model_name_or_path must be a string or null, got " + base);
    }
    try {
      return new LoraConfig(rNode.asInt(), alpha, dropout, targets, rslora, base == null || base.isNull() ? null : base.asText(),
          inference);
    } catch (IllegalArgumentException e) {
      throw new FormatException(source + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode o, String field, String source) throws FormatException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) throw new FormatException(source + ": missing field \"" + field + "\"");
    return v;
  }

  private static void fixed(JsonNode o, String field, String want, boolean optional, String source) throws FormatException {
    JsonNode v = o.get(field);
    if ((v == null || v.isNull()) && optional) return;
    if (v == null || !v.isTextual() || !v.asText().equals(want)) {
      throw new FormatException(source + ": " + field + " must be \"" + want + "\", got " + (v == null ? "nothing" : v)
          + (field.equals("bias") ? " (trained biases are not supported)" : ""));
    }
  }

  private static void unsupported(JsonNode o, String field, String source) throws FormatException {
    JsonNode v = o.get(field);
    boolean unset = v == null || v.isNull() || (v.isBoolean() && !v.asBoolean()) || (v.isContainerNode() && v.isEmpty());
    if (!unset) throw new FormatException(source + ": " + field + " is not supported, got " + v + " (expected it unset)");
  }

  private static double number(JsonNode v, String field, String source) throws FormatException {
    if (!v.isNumber()) throw new FormatException(source + ": " + field + " must be a number, got " + v);
    return v.asDouble();
  }

  private static boolean bool(JsonNode o, String field, String source) throws FormatException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) return false;
    if (!v.isBoolean()) throw new FormatException(source + ": " + field + " must be true or false, got " + v);
    return v.asBoolean();
  }

  private static List<String> targets(JsonNode v, String source) throws FormatException {
    if (v.isTextual()) {
      if (v.asText().equals(ALL_LINEAR)) return List.of(ALL_LINEAR);
      throw new FormatException(source + ": target_modules must be a list of module names or \"" + ALL_LINEAR
          + "\", got the string " + v + " (regular expressions are not supported)");
    }
    if (!v.isArray() || v.isEmpty()) {
      throw new FormatException(source + ": target_modules must be a non-empty list of module names or \"" + ALL_LINEAR
          + "\", got " + v);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) throw new FormatException(source + ": target_modules entries must be strings, got " + e);
      out.add(e.asText());
    }
    return out;
  }
}
