package dev.fathom.llm.lora;

import dev.fathom.io.AtomicFiles;
import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.Safetensors;
import dev.fathom.io.SafetensorsFile;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters on disk in PEFT's layout: a directory with {@code adapter_config.json}
 * ({@link LoraConfig}) and {@code adapter_model.safetensors} holding, per adapted layer,
 * {@code base_model.model.<path>.lora_A.weight} (r, in) and {@code base_model.model.<path>.lora_B.weight}
 * (out, r), e.g. {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}.
 * Files are written atomically, weights first and the config last.
 */
public final class LoraAdapters {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  /** PEFT's prefix: the PeftModel's {@code base_model} (a LoraModel) wraps the user's {@code model}. */
  public static final String PREFIX = "base_model.model.";

  private LoraAdapters() {}

  /** Writes the model's adapters with the config they were applied with. */
  public static void save(Path dir, Module model) throws IOException {
    save(dir, model, Lora.config(model));
  }

  /**
   * Writes the model's adapters (float32) and {@code config} in PEFT's layout.
   *
   * @param config written as adapter_config.json; it must agree with the applied adapters in r,
   *     scale and selected layers (it may differ in base_model_name_or_path, inference_mode, dropout)
   * @throws IllegalStateException when the model has no adapters
   * @throws IllegalArgumentException when {@code config} does not describe them
   */
  public static void save(Path dir, Module model, LoraConfig config) throws IOException {
    LoraConfig applied = Lora.config(model);
    if (config.r() != applied.r() || config.scale() != applied.scale()
        || !Lora.targets(model, config).keySet().equals(Lora.layers(model).keySet())) {
      throw new IllegalArgumentException("LoraAdapters.save: config (r=" + config.r() + ", scale=" + config.scale()
          + ", target_modules=" + config.targetModules() + ") does not describe the applied adapters (r=" + applied.r()
          + ", scale=" + applied.scale() + ", target_modules=" + applied.targetModules() + ")");
    }
    Map<String, RawTensor> raw = new LinkedHashMap<>();
    Lora.adapterStateDict(model).forEach((name, t) ->
        raw.put(PREFIX + name, RawTensor.ofFloats(Arrays.stream(t.shape()).asLongStream().toArray(), t.data())));
    Files.createDirectories(dir);
    Safetensors.write(dir.resolve(WEIGHTS), raw, Map.of("format", "pt"));
    AtomicFiles.writeString(dir.resolve(CONFIG), config.toJson());
  }

  /** Reads and validates adapter_config.json. */
  public static LoraConfig readConfig(Path dir) throws IOException {
    Path p = dir.resolve(CONFIG);
    if (!Files.isRegularFile(p)) throw new NoSuchFileException(p.toString(), null, "expected a PEFT adapter directory with " + CONFIG);
    return LoraConfig.fromJson(Files.readString(p), p.toString());
  }

  /**
   * Attaches the adapters of {@code dir} to a base model (e.g. from {@code HfCheckpoint.load}).
   * Everything is checked before the model is touched: every expected tensor present with shape
   * (r, in) or (out, r) for the config's r, no tensor the model has no adapter for, floating-point
   * dtypes.
   *
   * @return the adapter config; the model then has unmerged adapters, as after {@link Lora#apply}
   * @throws FormatException naming the file, the tensor and both shapes on any mismatch
   * @throws NoSuchFileException when a file is missing
   */
  public static LoraConfig load(Path dir, Module model) throws IOException {
    LoraConfig config = readConfig(dir);
    if (Lora.isApplied(model)) {
      throw new IllegalStateException("LoraAdapters.load: the model already has LoRA adapters; unload them first");
    }
    Map<String, Linear> targets;
    try {
      targets = Lora.targets(model, config);
    } catch (IllegalArgumentException e) {
      throw new FormatException(dir.resolve(CONFIG) + ": " + e.getMessage(), e);
    }
    Path file = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "expected " + WEIGHTS + " beside " + CONFIG
          + " (PyTorch pickles, adapter_model.bin, are not read)");
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    try (SafetensorsFile sf = Safetensors.open(file)) {
      Map<String, RawTensor> raw = sf.tensors();
      for (Map.Entry<String, Linear> e : targets.entrySet()) {
        Linear lin = e.getValue();
        String a = PREFIX + e.getKey() + "." + LoraLayer.A + ".weight", b = PREFIX + e.getKey() + "." + LoraLayer.B + ".weight";
        values.put(a, checked(file, raw, a, new int[] {config.r(), lin.inFeatures}, config.r()));
        values.put(b, checked(file, raw, b, new int[] {lin.outFeatures, config.r()}, config.r()));
      }
      List<String> unexpected = new ArrayList<>();
      for (String name : raw.keySet()) if (!values.containsKey(name)) unexpected.add(name);
      if (!unexpected.isEmpty()) {
        throw new FormatException(file + ": " + unexpected.size() + " tensor(s) match no adapter of target_modules "
            + config.targetModules() + ", e.g. " + unexpected.subList(0, Math.min(5, unexpected.size()))
            + " (expected keys like '" + values.keySet().iterator().next() + "')");
      }
    }
    Map<String, LoraLayer> layers = Lora.apply(model, config, new Rng(0));
    layers.forEach((name, l) -> {
      copy(values.get(PREFIX + name + "." + LoraLayer.A + ".weight"), l.loraA().weight);
      copy(values.get(PREFIX + name + "." + LoraLayer.B + ".weight"), l.loraB().weight);
    });
    return config;
  }

  private static float[] checked(Path file, Map<String, RawTensor> raw, String name, int[] want, int r) throws FormatException {
    RawTensor t = raw.get(name);
    if (t == null) throw new FormatException(file + ": missing tensor '" + name + "' (expected shape " + Shape.str(want) + ")");
    long[] got = t.shape();
    boolean same = got.length == want.length;
    for (int i = 0; same && i < want.length; i++) same = got[i] == want[i];
    if (!same) {
      throw new FormatException(file + ": tensor '" + name + "' has shape " + Arrays.toString(got) + ", expected "
          + Shape.str(want) + " (r=" + r + " from " + CONFIG + ")");
    }
    if (!t.dtype().isFloatingPoint()) {
      throw new FormatException(file + ": tensor '" + name + "' has dtype " + t.dtype() + ", expected a floating-point type");
    }
    return t.toFloatArray();
  }

  private static void copy(float[] src, Tensor dst) {
    System.arraycopy(src, 0, dst.data(), 0, src.length);
  }
}
