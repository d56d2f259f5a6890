package dev.fathom.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the golden files written by {@code tools/golden/make_*_golden.py} (PyTorch reference
 * values) from the test resources, and compares tensors with them.
 *
 * <p>A tensor is {@code {"shape": [...], "data": [...]}} (float32) or
 * {@code {"dtype": "int64", "shape": [...], "data": [...]}}.
 */
public final class Golden {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Golden() {}

  /** The "cases" object of {@code /golden/<name>}. */
  public static JsonNode cases(String name) {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) throw new IllegalStateException("golden file /golden/" + name + " is not on the test classpath");
      JsonNode root = JSON.readTree(in);
      JsonNode cases = root.get("cases");
      if (cases == null) throw new IllegalStateException("golden file " + name + " has no \"cases\"");
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A field of a case, failing clearly when it is absent. */
  public static JsonNode field(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null) throw new IllegalStateException("golden case has no field '" + key + "'; fields: " + iterable(node.fieldNames()));
    return v;
  }

  private static String iterable(java.util.Iterator<String> it) {
    StringBuilder sb = new StringBuilder();
    it.forEachRemaining(s -> sb.append(sb.isEmpty() ? "" : ", ").append(s));
    return sb.toString();
  }

  /** A tensor from its JSON form (a fresh tensor, not requiring grad). */
  public static Tensor tensor(JsonNode node) {
    JsonNode shapeNode = field(node, "shape"), data = field(node, "data");
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asInt();
    if (node.has("dtype") && node.get("dtype").asText().equals("int64")) {
      long[] v = new long[data.size()];
      for (int i = 0; i < v.length; i++) v[i] = data.get(i).asLong();
      return Tensor.ofLongs(v, shape);
    }
    float[] v = new float[data.size()];
    for (int i = 0; i < v.length; i++) v[i] = (float) data.get(i).asDouble();
    return Tensor.of(v, shape);
  }

  /** A tensor from {@code node.key}. */
  public static Tensor tensor(JsonNode node, String key) {
    return tensor(field(node, key));
  }

  /** An object of named tensors (a state dict) as a map in file order. */
  public static Map<String, Tensor> tensors(JsonNode obj) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    obj.fields().forEachRemaining(e -> out.put(e.getKey(), tensor(e.getValue())));
    return out;
  }

  /** {@link #assertClose} with the golden tolerance: 1e-4 relative (to each value and to the tensor's scale). */
  public static void assertClose(String what, Tensor actual, Tensor expected) {
    assertClose(what, actual, expected, 1e-4);
  }

  /**
   * Asserts equal shapes and {@code |a − e| ≤ rtol·(|e| + max|e|) + 1e-6} elementwise: relative
   * for each value, and relative to the tensor's largest value for entries near zero (where
   * float32 sums that cancel lose relative precision).
   */
  public static void assertClose(String what, Tensor actual, Tensor expected, double rtol) {
    if (!java.util.Arrays.equals(actual.shape(), expected.shape())) {
      throw new AssertionError(what + ": shape " + Shape.str(actual.shape()) + ", expected " + Shape.str(expected.shape()));
    }
    float[] a = actual.toFloatArray(), e = expected.toFloatArray();
    double scale = 0;
    for (float v : e) scale = Math.max(scale, Math.abs(v));
    int bad = 0;
    StringBuilder sb = new StringBuilder();
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      double err = Math.abs((double) a[i] - e[i]);
      double tol = rtol * (Math.abs(e[i]) + scale) + 1e-6;
      boolean ok = err <= tol || (Double.isNaN(a[i]) && Double.isNaN(e[i])) || a[i] == e[i];
      if (!ok) {
        if (bad < 8) sb.append(String.format("%n  [%d] got %.8g, expected %.8g", i, a[i], e[i]));
        bad++;
        worst = Math.max(worst, err / Math.max(scale, 1e-30));
      }
    }
    if (bad > 0) {
      throw new AssertionError(String.format("%s: %d of %d values differ (worst error %.3g of the scale %.3g)%s",
          what, bad, e.length, worst, scale, sb));
    }
  }
}
