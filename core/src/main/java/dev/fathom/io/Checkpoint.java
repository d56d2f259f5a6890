package dev.fathom.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint directory in the Hugging Face layout: {@code config.json} (the model's config
 * record as JSON) and {@code model.safetensors} (the state dict under its dotted names). Each
 * file is written atomically; the config is serialized before anything is written, and the
 * weights are written before the config, so a failed save leaves the previous checkpoint whole.
 */
public final class Checkpoint {
  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Checkpoint() {}

  /** Writes {@code config} as config.json and the model's state dict as model.safetensors into {@code dir}. */
  public static void save(Path dir, Module model, Object config, Map<String, String> metadata) throws IOException {
    String configJson = JSON.writeValueAsString(config) + "\n";
    Files.createDirectories(dir);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    if (metadata != null) meta.putAll(metadata);
    saveTensors(dir.resolve(WEIGHTS), model.stateDict(), meta);
    AtomicFiles.writeString(dir.resolve(CONFIG), configJson);
  }

  /** Reads config.json of a checkpoint directory into {@code type}. */
  public static <T> T readConfig(Path dir, Class<T> type) throws IOException {
    Path p = dir.resolve(CONFIG);
    if (!Files.isRegularFile(p)) throw new NoSuchFileException(p.toString(), null, "not a checkpoint directory: no " + CONFIG);
    try {
      return JSON.readValue(p.toFile(), type);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new FormatException(p + ": expected a " + type.getSimpleName() + " JSON object, " + e.getOriginalMessage(), e);
    }
  }

  /** Loads model.safetensors of {@code dir} into {@code model} (strict: every key must match). */
  public static void loadWeights(Path dir, Module model) throws IOException {
    model.loadStateDict(loadTensors(dir.resolve(WEIGHTS)), true);
  }

  /** Writes named tensors as a safetensors file (atomically). */
  public static void saveTensors(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    Map<String, RawTensor> raw = new LinkedHashMap<>();
    tensors.forEach((k, v) -> raw.put(k, toRaw(v)));
    Safetensors.write(file, raw, metadata == null ? Map.of() : metadata);
  }

  /** Reads every tensor of a safetensors file (floating types become FLOAT32). */
  public static Map<String, Tensor> loadTensors(Path file) throws IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (SafetensorsFile f = Safetensors.open(file)) {
      f.tensors().forEach((k, v) -> out.put(k, fromRaw(k, v)));
    } catch (IllegalArgumentException e) {
      throw new FormatException(file + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** The safetensors form of a tensor (F32, I64 or I32). */
  public static RawTensor toRaw(Tensor t) {
    long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
    return switch (t.dtype()) {
      case FLOAT32 -> RawTensor.ofFloats(shape, t.data());
      case INT64 -> RawTensor.ofLongs(shape, t.longData());
      case INT32 -> RawTensor.ofInts(shape, t.intData());
    };
  }

  /** A tensor from its safetensors form: floats as FLOAT32, I64 as INT64, other integers as INT32. */
  public static Tensor fromRaw(String name, RawTensor r) {
    long[] ls = r.shape();
    int[] shape = new int[ls.length];
    for (int i = 0; i < ls.length; i++) {
      if (ls[i] > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor '" + name + "': dim " + ls[i] + " exceeds 2^31-1");
      shape[i] = (int) ls[i];
    }
    if (r.dtype().isFloatingPoint()) return Tensor.of(r.toFloatArray(), shape);
    if (r.dtype() == StDType.I64 || r.dtype() == StDType.U64) return Tensor.ofLongs(r.toLongArray(), shape);
    return Tensor.ofInts(r.toIntArray(), shape);
  }

}
