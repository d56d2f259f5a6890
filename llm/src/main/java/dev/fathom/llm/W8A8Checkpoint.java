package dev.fathom.llm;

import dev.fathom.io.FormatException;
import dev.fathom.io.RawTensor;
import dev.fathom.io.SafetensorsFile;
import dev.fathom.io.StDType;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.quant.W8A8Matrix;
import dev.fathom.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The W8A8 part of a quantized checkpoint ({@code quantization_config.activation_bits = 8}): the
 * int8 weights are ordinary {@link QuantizedCheckpoint} tensors; a weight with LLM.int8 outlier
 * columns ({@code outlier_columns[name]}, k of them) also has an F32 tensor
 * {@code <name>_outliers} (rows, k) holding those columns' float weights.
 */
final class W8A8Checkpoint {
  /** Name suffix of the float outlier-column weights. */
  static final String OUTLIERS = "_outliers";

  private W8A8Checkpoint() {}

  /** The extra tensors to save for {@code w8a8}: the float outlier columns of each weight that has some. */
  static Map<String, RawTensor> tensors(Map<String, W8A8Matrix> w8a8) {
    Map<String, RawTensor> out = new LinkedHashMap<>();
    w8a8.forEach((name, m) -> {
      int k = m.outlierColumns().length;
      if (k > 0) out.put(name + OUTLIERS, RawTensor.ofFloats(new long[] {m.rows(), k}, m.outlierWeights()));
    });
    return out;
  }

  /**
   * The W8A8 matrices of a loaded checkpoint, checked against {@code qc}; the float parameters get
   * the outlier columns' float values (the rest already holds the dequantized int8 weights).
   *
   * @throws FormatException naming the tensor when columns are out of range, the float tensor is
   *     missing, of the wrong shape or dtype, or not finite, or outlier_columns names a weight that is not int8
   */
  static Map<String, W8A8Matrix> read(Path dir, SafetensorsFile file, QuantizationConfig qc, Map<String, QuantizedMatrix> quantized,
      Map<String, Tensor> params) throws FormatException {
    for (String name : qc.outlierColumns().keySet()) {
      if (!quantized.containsKey(name)) {
        throw new FormatException(dir + ": quantization_config.outlier_columns names '" + name + "', which is not an int8 weight of the checkpoint");
      }
    }
    Map<String, W8A8Matrix> out = new LinkedHashMap<>();
    for (Map.Entry<String, QuantizedMatrix> e : quantized.entrySet()) {
      String name = e.getKey(), where = dir + ": tensor '" + name + OUTLIERS + "'";
      QuantizedMatrix q = e.getValue();
      int[] cols = qc.outlierColumnsOf(name);
      float[] kept = new float[0];
      if (cols.length > 0) {
        RawTensor r = file.tensors().get(name + OUTLIERS);
        long[] want = {q.rows(), cols.length};
        if (r == null) throw new FormatException(where + " is missing: outlier_columns lists " + cols.length + " columns for '" + name + "'");
        if (r.dtype() != StDType.F32 || !Arrays.equals(r.shape(), want)) {
          throw new FormatException(where + ": expected F32 " + Arrays.toString(want) + ", got " + r.dtype() + " " + Arrays.toString(r.shape()));
        }
        kept = r.toFloatArray();
      }
      try {
        W8A8Matrix m = new W8A8Matrix(q, cols, kept);
        m.dequantizeInto(params.get(name).data(), 0);
        out.put(name, m);
      } catch (IllegalArgumentException ex) {
        throw new FormatException(dir + ": '" + name + "': " + ex.getMessage(), ex);
      }
    }
    return out;
  }
}
