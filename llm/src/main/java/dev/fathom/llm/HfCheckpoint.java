package dev.fathom.llm;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.Safetensors;
import dev.fathom.io.SafetensorsFile;
import dev.fathom.io.StDType;
import dev.fathom.nn.Module;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Llama-family checkpoints in the Hugging Face layout: {@code config.json},
 * {@code model.safetensors} (or shards {@code model-00001-of-0000N.safetensors} with
 * {@code model.safetensors.index.json}), and {@code generation_config.json}. Weights load from
 * F32, F16, BF16 (and F64) memory-mapped files; every file is written atomically, weights first
 * and config.json last, so a directory with a config is complete.
 */
public final class HfCheckpoint {
  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";
  public static final String GENERATION = "generation_config.json";
  public static final String TOKENIZER = "tokenizer.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HfCheckpoint() {}

  /**
   * How to write weights.
   *
   * @param dtype F32, F16 or BF16
   * @param maxShardBytes split into shards of at most this many bytes of tensor data (0: one file)
   */
  public record SaveOptions(StDType dtype, long maxShardBytes) {
    public SaveOptions {
      if (dtype != StDType.F32 && dtype != StDType.F16 && dtype != StDType.BF16) {
        throw new IllegalArgumentException("HfCheckpoint: weights can be written as F32, F16 or BF16, got " + dtype);
      }
      if (maxShardBytes < 0) throw new IllegalArgumentException("HfCheckpoint: maxShardBytes must be >= 0, got " + maxShardBytes);
    }

    public static SaveOptions f32() {
      return new SaveOptions(StDType.F32, 0);
    }
  }

  /** Saves as one F32 model.safetensors plus config.json and (if given) generation_config.json. */
  public static void save(Path dir, LlamaForCausalLM model, GenerationConfig generation) throws IOException {
    save(dir, model, generation, SaveOptions.f32());
  }

  public static void save(Path dir, LlamaForCausalLM model, GenerationConfig generation, SaveOptions options) throws IOException {
    Files.createDirectories(dir);
    writeWeights(dir, model.stateDict(), options);
    if (generation != null) AtomicFiles.writeString(dir.resolve(GENERATION), JSON.writeValueAsString(generation) + "\n");
    writeConfig(dir, model.config());
  }

  /** Writes config.json atomically. */
  public static void writeConfig(Path dir, LlamaConfig config) throws IOException {
    AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(config) + "\n");
  }

  /** Writes named tensors as model.safetensors, or as shards with an index when they exceed the shard size. */
  public static void writeWeights(Path dir, Map<String, Tensor> state, SaveOptions options) throws IOException {
    Map<String, String> meta = Map.of("format", "pt");
    List<Map<String, RawTensor>> shards = new ArrayList<>();
    Map<String, RawTensor> current = new LinkedHashMap<>();
    long currentBytes = 0, total = 0;
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      Tensor t = e.getValue();
      RawTensor raw = RawTensor.ofFloats(options.dtype(), Arrays.stream(t.shape()).asLongStream().toArray(), t.data());
      if (options.maxShardBytes() > 0 && !current.isEmpty() && currentBytes + raw.byteSize() > options.maxShardBytes()) {
        shards.add(current);
        current = new LinkedHashMap<>();
        currentBytes = 0;
      }
      current.put(e.getKey(), raw);
      currentBytes += raw.byteSize();
      total += raw.byteSize();
    }
    shards.add(current);
    if (shards.size() == 1) {
      Safetensors.write(dir.resolve(WEIGHTS), shards.get(0), meta);
      Files.deleteIfExists(dir.resolve(INDEX));
      return;
    }
    Map<String, String> weightMap = new TreeMap<>();
    for (int i = 0; i < shards.size(); i++) {
      String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      Safetensors.write(dir.resolve(file), shards.get(i), meta);
      for (String name : shards.get(i).keySet()) weightMap.put(name, file);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", Map.of("total_size", total));
    index.put("weight_map", weightMap);
    AtomicFiles.writeString(dir.resolve(INDEX), JSON.writeValueAsString(index) + "\n");
    Files.deleteIfExists(dir.resolve(WEIGHTS));
  }

  /** Reads and validates config.json of a checkpoint directory. */
  public static LlamaConfig readConfig(Path dir) throws IOException {
    return readJson(dir.resolve(CONFIG), LlamaConfig.class);
  }

  /** Reads generation_config.json, or null when the directory has none. */
  public static GenerationConfig readGenerationConfig(Path dir) throws IOException {
    Path p = dir.resolve(GENERATION);
    return Files.isRegularFile(p) ? readJson(p, GenerationConfig.class) : null;
  }

  static <T> T readJson(Path p, Class<T> type) throws IOException {
    if (!Files.isRegularFile(p)) throw new NoSuchFileException(p.toString(), null, "expected a " + p.getFileName() + " file");
    try {
      return JSON.readValue(p.toFile(), type);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new FormatException(p + ": " + cause.getMessage(), e);
    } catch (JacksonException e) {
      throw new FormatException(p + ": expected a " + type.getSimpleName() + " JSON object, " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Loads a model: config.json, then the weights (every parameter must be present with its shape).
   * A quantized checkpoint ({@link QuantizedCheckpoint}) loads too: its packed weights are kept
   * on the model ({@link LlamaForCausalLM#quantizedWeights()}, what generation runs on) and
   * dequantized into the float parameters (what the autograd forward and evaluation use).
   */
  public static LlamaForCausalLM load(Path dir) throws IOException {
    LlamaForCausalLM model = new LlamaForCausalLM(readConfig(dir), new Rng(0));
    QuantizationConfig qc = QuantizedCheckpoint.readQuantization(dir);
    Map<String, QuantizedMatrix> quantized = loadWeights(dir, model, qc);
    if (qc != null) model.attachQuantized(qc, quantized);
    if (qc != null && qc.quantizesActivations()) {
      try (SafetensorsFile f = Safetensors.open(dir.resolve(WEIGHTS))) {
        model.attachW8A8(W8A8Checkpoint.read(dir, f, qc, quantized, model.namedParameters()));
      }
    }
    return model;
  }

  /**
   * Copies the checkpoint's weights into {@code model}'s parameters, converting F16/BF16/F64 to
   * float32. Every parameter must be present with its exact shape; tensors the model does not
   * have are an error, except rotary {@code inv_freq} buffers and a tied {@code lm_head.weight}.
   */
  public static void loadWeights(Path dir, Module model) throws IOException {
    loadWeights(dir, model, null);
  }

  /** As {@link #loadWeights(Path, Module)}, also decoding packed quantized tensors when qc is given; returns those. */
  static Map<String, QuantizedMatrix> loadWeights(Path dir, Module model, QuantizationConfig qc) throws IOException {
    Map<String, Path> files = weightFiles(dir);
    List<SafetensorsFile> open = new ArrayList<>();
    try {
      Map<String, RawTensor> raw = new LinkedHashMap<>();
      for (Map.Entry<String, Path> f : files.entrySet()) {
        SafetensorsFile sf = openCached(open, f.getValue());
        RawTensor r = sf.tensors().get(f.getKey());
        if (r == null) throw new FormatException(dir.resolve(INDEX) + ": weight_map names '" + f.getKey() + "' in "
            + f.getValue().getFileName() + ", but that file has no such tensor");
        raw.put(f.getKey(), r);
      }
      if (files.isEmpty()) open.add(Safetensors.open(dir.resolve(WEIGHTS)));
      Map<String, String> meta = new LinkedHashMap<>();
      for (SafetensorsFile sf : open) {
        sf.tensors().forEach(raw::putIfAbsent);
        meta.putAll(sf.metadata());
      }
      return copyInto(dir, model, raw, meta, qc);
    } finally {
      for (SafetensorsFile sf : open) sf.close();
    }
  }

  private static SafetensorsFile openCached(List<SafetensorsFile> open, Path p) throws IOException {
    for (SafetensorsFile sf : open) if (sf.path().equals(p)) return sf;
    SafetensorsFile sf = Safetensors.open(p);
    open.add(sf);
    return sf;
  }

  /**
   * Tensor name → file from the shard index, or an empty map when the checkpoint is one
   * model.safetensors (every tensor of that file is then taken as it comes).
   */
  private static Map<String, Path> weightFiles(Path dir) throws IOException {
    Path index = dir.resolve(INDEX), single = dir.resolve(WEIGHTS);
    Map<String, Path> out = new LinkedHashMap<>();
    if (!Files.isRegularFile(index)) {
      if (!Files.isRegularFile(single)) {
        throw new NoSuchFileException(single.toString(), null, "expected " + WEIGHTS + " or " + INDEX + " in " + dir);
      }
      return out;
    }
    JsonNode root;
    try {
      root = JSON.readTree(index.toFile());
    } catch (JacksonException e) {
      throw new FormatException(index + ": expected a JSON object with \"weight_map\", " + e.getOriginalMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) throw new FormatException(index + ": expected an object field \"weight_map\", got " + map);
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String file = e.getValue().asText("");
      if (!e.getValue().isTextual() || file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
        throw new FormatException(index + ": weight_map entry '" + e.getKey() + "' must name a file in the same directory, got "
            + e.getValue());
      }
      Path p = dir.resolve(file);
      if (!Files.isRegularFile(p)) throw new NoSuchFileException(p.toString(), null, "shard named in " + INDEX + " is missing");
      out.put(e.getKey(), p);
    }
    return out;
  }

  private static Map<String, QuantizedMatrix> copyInto(Path dir, Module model, Map<String, RawTensor> raw, Map<String, String> meta,
      QuantizationConfig qc) throws FormatException {
    Map<String, QuantizedMatrix> quantized = new LinkedHashMap<>();
    Map<String, Tensor> expected = new LinkedHashMap<>(model.namedParameters());
    expected.putAll(model.namedBuffers());
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      String name = e.getKey();
      Tensor target = e.getValue();
      RawTensor r = raw.get(name);
      if (r == null) {
        throw new FormatException(dir + ": missing tensor '" + name + "' (expected shape " + Shape.str(target.shape()) + ")");
      }
      long[] got = r.shape();
      int[] want = target.shape();
      if (r.dtype() == StDType.U8) {
        QuantizedMatrix q = QuantizedCheckpoint.decode(dir, name, r, want, meta, qc);
        q.dequantizeInto(target.data(), 0);
        quantized.put(name, q);
        continue;
      }
      boolean same = got.length == want.length;
      for (int i = 0; same && i < want.length; i++) same = got[i] == want[i];
      if (!same) {
        throw new FormatException(dir + ": tensor '" + name + "' has shape " + Arrays.toString(got) + ", expected "
            + Shape.str(want) + " from config.json");
      }
      if (!r.dtype().isFloatingPoint()) {
        throw new FormatException(dir + ": tensor '" + name + "' has dtype " + r.dtype() + ", expected a floating-point type");
      }
      float[] values = r.toFloatArray();
      System.arraycopy(values, 0, target.data(), 0, values.length);
    }
    List<String> unexpected = new ArrayList<>();
    for (String name : raw.keySet()) {
      if (expected.containsKey(name) || name.endsWith("rotary_emb.inv_freq")) continue;
      if (name.equals("lm_head.weight") && !expected.containsKey(name)) continue;  // tied head saved anyway
      if (qc != null && qc.quantizesActivations() && name.endsWith(W8A8Checkpoint.OUTLIERS)) continue;  // read by W8A8Checkpoint
      unexpected.add(name);
    }
    if (!unexpected.isEmpty()) {
      throw new FormatException(dir + ": " + unexpected.size() + " tensor(s) the model has no parameter for, e.g. "
          + unexpected.subList(0, Math.min(5, unexpected.size())) + " (config.json and weights disagree?)");
    }
    return quantized;
  }
}
