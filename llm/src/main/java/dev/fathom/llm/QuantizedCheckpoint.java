package dev.fathom.llm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.Safetensors;
import dev.fathom.io.StDType;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quantized checkpoints: the Hugging Face layout ({@code config.json}, {@code model.safetensors})
 * with a {@code quantization_config} entry in the config ({@link QuantizationConfig}) and each
 * quantized weight stored under its usual name as a U8 tensor of shape (rows, bytes per row)
 * holding the packed bytes of its {@link QuantFormat}. The safetensors metadata records, under
 * the tensor's name, its format and logical shape, e.g. {@code "q4_0[1376,512]"}. Everything
 * else (embeddings, norms, a float head) stays F32. {@link HfCheckpoint#load} reads both kinds.
 */
public final class QuantizedCheckpoint {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9_]+)\\[(\\d+),(\\d+)\\]");

  private QuantizedCheckpoint() {}

  /**
   * Writes {@code model} with the weights named in {@code quantized} in their packed form, the
   * rest as F32; weights first, config.json (with {@code quantization_config}) last, each
   * atomically, so a directory with a config is complete.
   *
   * @throws IllegalArgumentException if a quantized name is not a parameter of the model or its shape differs
   */
  public static void save(Path dir, LlamaForCausalLM model, Map<String, QuantizedMatrix> quantized, QuantizationConfig qc,
      GenerationConfig generation) throws IOException {
    Map<String, Tensor> state = model.stateDict();
    for (Map.Entry<String, QuantizedMatrix> e : quantized.entrySet()) checkMatches(e.getKey(), e.getValue(), state.get(e.getKey()));
    Map<String, RawTensor> raw = new LinkedHashMap<>();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      QuantizedMatrix q = quantized.get(e.getKey());
      if (q == null) {
        raw.put(e.getKey(), RawTensor.ofFloats(Arrays.stream(e.getValue().shape()).asLongStream().toArray(), e.getValue().data()));
      } else {
        raw.put(e.getKey(), RawTensor.ofBytes(StDType.U8, new long[] {q.rows(), q.format().rowBytes(q.cols())}, q.packed()));
        meta.put(e.getKey(), q.format().id() + "[" + q.rows() + "," + q.cols() + "]");
      }
    }
    if (qc.quantizesActivations()) raw.putAll(W8A8Checkpoint.tensors(model.w8a8Weights()));
    ObjectNode config = JSON.valueToTree(model.config());
    config.set("quantization_config", JSON.valueToTree(qc));
    String configText = JSON.writeValueAsString(config) + "\n";
    Files.createDirectories(dir);
    Safetensors.write(dir.resolve(HfCheckpoint.WEIGHTS), raw, meta);
    Files.deleteIfExists(dir.resolve(HfCheckpoint.INDEX));
    if (generation != null) AtomicFiles.writeString(dir.resolve(HfCheckpoint.GENERATION), JSON.writeValueAsString(generation) + "\n");
    AtomicFiles.writeString(dir.resolve(HfCheckpoint.CONFIG), configText);
  }

  static void checkMatches(String name, QuantizedMatrix q, Tensor param) {
    if (param == null) throw new IllegalArgumentException("quantized weight '" + name + "': the model has no such parameter");
    int[] want = param.shape();
    if (want.length != 2 || want[0] != q.rows() || want[1] != q.cols()) {
      throw new IllegalArgumentException("quantized weight '" + name + "': shape (" + q.rows() + ", " + q.cols() + "), the parameter is "
          + Shape.str(want));
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record Holder(@JsonProperty("quantization_config") QuantizationConfig quantization) {}

  /** The {@code quantization_config} of a checkpoint's config.json, or null for a float checkpoint. */
  public static QuantizationConfig readQuantization(Path dir) throws IOException {
    return HfCheckpoint.readJson(dir.resolve(HfCheckpoint.CONFIG), Holder.class).quantization();
  }

  /**
   * The matrix a U8 tensor holds, checked against the metadata entry that names its format and
   * logical shape, the parameter's shape from config.json, and the packed size.
   *
   * @param qc the config's quantization_config (null: the checkpoint claims to be float)
   * @throws FormatException with what was expected and what came, naming the tensor
   */
  static QuantizedMatrix decode(Path dir, String name, RawTensor r, int[] shape, Map<String, String> meta, QuantizationConfig qc)
      throws FormatException {
    String where = dir + ": tensor '" + name + "'";
    if (qc == null) {
      throw new FormatException(where + " holds packed quantized bytes (U8), but config.json has no quantization_config");
    }
    String entry = meta.get(name);
    Matcher m = entry == null ? null : ENTRY.matcher(entry);
    if (m == null || !m.matches()) {
      throw new FormatException(where + " is U8 (packed quantized bytes): expected a safetensors metadata entry '" + name
          + "' like \"q4_0[rows,cols]\", got " + (entry == null ? "none" : "\"" + entry + "\""));
    }
    QuantFormat f;
    try {
      f = QuantFormat.parse(m.group(1));
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + ": " + e.getMessage(), e);
    }
    long rows = Long.parseLong(m.group(2)), cols = Long.parseLong(m.group(3));
    if (shape.length != 2 || rows != shape[0] || cols != shape[1]) {
      throw new FormatException(where + " has logical shape [" + rows + ", " + cols + "], expected " + Shape.str(shape) + " from config.json");
    }
    if (cols % f.blockSize() != 0 && !f.shortLastBlock()) {
      throw new FormatException(where + ": " + f + " needs in-features that are a multiple of " + f.blockSize() + ", got " + cols);
    }
    long[] want = {rows, f.rowBytes((int) cols)};
    if (!Arrays.equals(r.shape(), want)) {
      throw new FormatException(where + " has packed shape " + Arrays.toString(r.shape()) + ", expected " + Arrays.toString(want) + " for "
          + f + " [" + rows + ", " + cols + "]");
    }
    try {
      return QuantizedMatrix.fromPacked(f, (int) rows, (int) cols, r.toByteArray());
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + ": " + e.getMessage(), e);
    }
  }
}
