package dev.fathom.llm.lora;

import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;

/**
 * LoRA (Hu et al. 2021) on a model's linear layers: attach, list the trainable tensors, merge,
 * unmerge and remove. Typical fine-tuning:
 *
 * <pre>{@code
 * LlamaForCausalLM model = HfCheckpoint.load(baseDir);
 * Lora.apply(model, LoraConfig.of(8, 16, List.of("q_proj", "v_proj")), new Rng(0));
 * var opt = new AdamW(Lora.trainableParameters(model), AdamConfig.adamW(1e-3));
 * ... model.loss(ids, targets).backward(); opt.step(); opt.zeroGrad(); ...
 * LoraAdapters.save(outDir, model, Lora.config(model));
 * }</pre>
 *
 * <p>{@link #apply} freezes every parameter the model had (requiresGrad false) and adds
 * {@code lora_A}/{@code lora_B} children with trainable weights to each targeted Linear.
 * Code that reads {@code Linear.weight} without calling the layer (the KV-cache engine in
 * {@code dev.fathom.llm.generate}) sees the adapters only after {@link #merge}.
 */
public final class Lora {
  private Lora() {}

  /** Per model: its config, adapters by layer path and the parameters apply() froze. */
  private record State(LoraConfig config, Map<String, LoraLayer> layers, List<Tensor> frozen) {}

  private static final Map<Module, State> STATE = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * Adds adapters to every Linear that {@code config.targetModules()} selects and freezes all
   * other parameters.
   *
   * @param rng initialises A (Kaiming-uniform, a = √5) and drives adapter dropout
   * @return the adapters by dotted path of their base layer ({@code model.layers.0.self_attn.q_proj})
   * @throws IllegalArgumentException when the model already has adapters, a target names no
   *     module, names a module that is not a Linear, or names the output head
   */
  public static Map<String, LoraLayer> apply(Module model, LoraConfig config, Rng rng) {
    if (isApplied(model)) {
      throw new IllegalStateException("Lora.apply: the model already has LoRA adapters (r=" + config(model).r()
          + "); unload them first");
    }
    Map<String, Linear> targets = targets(model, config);
    List<Tensor> frozen = new ArrayList<>();
    for (Tensor p : model.parameters()) {
      if (p.requiresGrad()) frozen.add(p);
      p.requiresGrad(false);
    }
    Map<String, LoraLayer> layers = new LinkedHashMap<>();
    targets.forEach((name, lin) -> {
      LoraLayer l = new LoraLayer(lin, config.r(), config.scale(), config.loraDropout(), rng.split());
      l.attach();
      layers.put(name, l);
    });
    STATE.put(model, new State(config, Collections.unmodifiableMap(layers), frozen));
    return layers;
  }

  /**
   * The Linear layers {@code config} selects in {@code model}, by dotted path, without changing
   * anything. The output head ({@code lm_head}) is never selected: {@code all-linear} skips it
   * and naming it is an error.
   *
   * @throws IllegalArgumentException as {@link #apply}
   */
  public static Map<String, Linear> targets(Module model, LoraConfig config) {
    Map<String, Linear> out = new LinkedHashMap<>();
    Set<String> linearNames = new TreeSet<>();
    Set<String> matched = new LinkedHashSet<>();
    for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
      String name = e.getKey();
      Module m = e.getValue();
      if (m instanceof Linear) linearNames.add(name.substring(name.lastIndexOf('.') + 1));
      if (name.isEmpty() || !config.targets(name)) continue;
      boolean head = name.equals("lm_head") || name.endsWith(".lm_head");
      if (config.allLinear()) {
        if (m instanceof Linear lin && !head) out.put(name, lin);
        continue;
      }
      for (String t : config.targetModules()) if (name.equals(t) || name.endsWith("." + t)) matched.add(t);
      if (head) {
        throw new IllegalArgumentException("LoRA: target_modules " + config.targetModules() + " selects the output head '" + name
            + "', which the model applies without calling the layer; adapt other layers");
      }
      if (!(m instanceof Linear lin)) {
        throw new IllegalArgumentException("LoRA: target_modules " + config.targetModules() + " selects '" + name + "', a "
            + m.getClass().getSimpleName() + "; expected Linear layers such as " + linearNames);
      }
      out.put(name, lin);
    }
    List<String> unmatched = new ArrayList<>(config.targetModules());
    unmatched.removeAll(matched);
    if (!config.allLinear() && !unmatched.isEmpty()) {
      throw new IllegalArgumentException("LoRA: target_modules " + unmatched + " match no module of "
          + model.getClass().getSimpleName() + "; its Linear layers are " + linearNames);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("LoRA: target_modules " + config.targetModules() + " select no Linear layer of "
          + model.getClass().getSimpleName());
    }
    return out;
  }

  /** Whether {@link #apply} has attached adapters to this model (and they were not unloaded). */
  public static boolean isApplied(Module model) {
    return STATE.containsKey(model);
  }

  /** The config the adapters were applied with. @throws IllegalStateException when none are applied */
  public static LoraConfig config(Module model) {
    return state(model).config();
  }

  /** The adapters by dotted path of their base layer. @throws IllegalStateException when none are applied */
  public static Map<String, LoraLayer> layers(Module model) {
    return state(model).layers();
  }

  /** The tensors to optimise: the parameters that require gradients (after {@link #apply}, the adapters' A and B). */
  public static List<Tensor> trainableParameters(Module model) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor p : model.parameters()) if (p.requiresGrad()) out.add(p);
    return out;
  }

  /**
   * The adapters' weights under the model's own names ({@code model.layers.0.self_attn.q_proj.lora_A.weight}),
   * A before B per layer, the tensors themselves (not copies).
   */
  public static Map<String, Tensor> adapterStateDict(Module model) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    layers(model).forEach((name, l) -> {
      out.put(name + "." + LoraLayer.A + ".weight", l.loraA().weight);
      out.put(name + "." + LoraLayer.B + ".weight", l.loraB().weight);
    });
    return out;
  }

  /** Number of adapter parameters over the number of all parameters (adapters included), as PEFT prints it. */
  public static double trainableFraction(Module model) {
    long trainable = 0;
    for (Tensor p : trainableParameters(model)) trainable += p.numel();
    return (double) trainable / model.numParameters();
  }

  /** Folds every adapter into its base weight: W += scale·B·A; the low-rank path is then off. */
  public static void merge(Module model) {
    layers(model).values().forEach(LoraLayer::merge);
  }

  /** Undoes {@link #merge}: W −= scale·B·A; the low-rank path is on again. */
  public static void unmerge(Module model) {
    layers(model).values().forEach(LoraLayer::unmerge);
  }

  /** Whether the adapters are folded into the base weights. */
  public static boolean isMerged(Module model) {
    return layers(model).values().stream().allMatch(LoraLayer::isMerged);
  }

  /**
   * Removes the adapters: the model is the base model again (merged adapters are unmerged first)
   * and the parameters {@link #apply} froze are trainable again.
   */
  public static void unload(Module model) {
    State s = state(model);
    s.layers().values().forEach(LoraLayer::detach);
    s.frozen().forEach(p -> p.requiresGrad(true));
    STATE.remove(model);
  }

  /**
   * Merges, then removes the adapters: the base weights keep W + scale·B·A, and the parameters
   * {@link #apply} froze are trainable again (a plain model with the fine-tuned weights).
   */
  public static void mergeAndUnload(Module model) {
    State s = state(model);
    for (LoraLayer l : s.layers().values()) {
      l.merge();
      l.detachKeepingMerge();
    }
    s.frozen().forEach(p -> p.requiresGrad(true));
    STATE.remove(model);
  }

  private static State state(Module model) {
    State s = STATE.get(model);
    if (s == null) throw new IllegalStateException("LoRA: " + model.getClass().getSimpleName() + " has no adapters (call Lora.apply or LoraAdapters.load)");
    return s;
  }
}
