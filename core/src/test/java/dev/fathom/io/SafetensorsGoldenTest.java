package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads safetensors files written by {@code tools/golden/make_safetensors_fixtures.py} (numpy,
 * laid out as the reference implementation does) and checks every tensor against the values
 * numpy decoded, listed in the {@code .expected.json} beside each file.
 */
class SafetensorsGoldenTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static Path resource(String name) {
    try {
      return Path.of(SafetensorsGoldenTest.class.getResource("/golden/safetensors/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode expected(String stem) throws IOException {
    return JSON.readTree(resource(stem + ".expected.json").toFile());
  }

  @Test
  void basicFixtureMatchesNumpy() throws IOException {
    checkFixture("numpy_basic");
  }

  @Test
  void unorderedHeaderGivesFileOrder() throws IOException {
    checkFixture("numpy_unordered");
    try (SafetensorsFile f = Safetensors.open(resource("numpy_unordered.safetensors"))) {
      assertThat(f.tensors().keySet()).containsExactly("c", "a", "b", "z.empty");
      assertThat(f.metadata()).isEmpty();
    }
  }

  private void checkFixture(String stem) throws IOException {
    JsonNode exp = expected(stem);
    List<String> order = new ArrayList<>();
    exp.get("data_order").forEach(n -> order.add(n.asText()));
    Map<String, String> metadata = new LinkedHashMap<>();
    exp.get("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));

    try (SafetensorsFile f = Safetensors.open(resource(stem + ".safetensors"))) {
      assertThat(f.tensors().keySet()).containsExactlyElementsOf(order);
      assertThat(f.metadata()).containsExactlyEntriesOf(metadata);
      for (Map.Entry<String, JsonNode> e : exp.get("tensors").properties()) {
        checkTensor(e.getKey(), f.get(e.getKey()), e.getValue());
      }
    }
    Map<String, RawTensor> all = Safetensors.readAll(resource(stem + ".safetensors"));
    assertThat(all.keySet()).containsExactlyElementsOf(order);
    for (Map.Entry<String, JsonNode> e : exp.get("tensors").properties()) {
      checkTensor(e.getKey(), all.get(e.getKey()), e.getValue());
    }
  }

  private static void checkTensor(String name, RawTensor t, JsonNode exp) {
    assertThat(t.dtype()).as(name).isEqualTo(StDType.parse(exp.get("dtype").asText()));
    long[] shape = new long[exp.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = exp.get("shape").get(i).asLong();
    }
    assertThat(t.shape()).as(name).containsExactly(shape);
    assertThat(HexFormat.of().formatHex(t.toByteArray())).as(name).isEqualTo(exp.get("hex").asText());

    JsonNode values = exp.get("values");
    assertThat(t.numel()).as(name).isEqualTo(values.size());
    if (t.dtype().isFloatingPoint()) {
      float[] got = t.toFloatArray();
      for (int i = 0; i < got.length; i++) {
        float want = (float) values.get(i).doubleValue();
        assertThat(Float.floatToIntBits(got[i]))
            .as("%s[%d]: %s vs %s", name, i, got[i], want)
            .isEqualTo(Float.floatToIntBits(want));
      }
      return;
    }
    boolean fitsLong = true;
    for (JsonNode v : values) {
      fitsLong &= v.bigIntegerValue().bitLength() < 64;
    }
    if (!fitsLong) {
      assertThatThrownBy(t::toLongArray).isInstanceOf(ArithmeticException.class);
      float[] got = t.toFloatArray();
      for (int i = 0; i < got.length; i++) {
        float want = new BigDecimal(values.get(i).bigIntegerValue()).floatValue();
        assertThat(got[i]).as("%s[%d]", name, i).isEqualTo(want);
      }
      return;
    }
    long[] got = t.toLongArray();
    for (int i = 0; i < got.length; i++) {
      assertThat(BigInteger.valueOf(got[i]))
          .as("%s[%d]", name, i)
          .isEqualTo(values.get(i).bigIntegerValue());
    }
  }

  @Test
  void f16EncodingMatchesNumpy() throws IOException {
    JsonNode src = expected("numpy_basic").get("f16_sources");
    float[] v = new float[src.get("values").size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) src.get("values").get(i).doubleValue();
    }
    RawTensor mine = RawTensor.ofFloats(StDType.F16, new long[] {v.length}, v);
    try (SafetensorsFile f = Safetensors.open(resource("numpy_basic.safetensors"))) {
      assertThat(mine).isEqualTo(f.get(src.get("tensor").asText()));
    }
  }

  @Test
  void writerReproducesTheReferenceLayoutByteForByte() throws IOException {
    Path source = resource("numpy_basic.safetensors");
    Map<String, RawTensor> tensors = Safetensors.readAll(source);
    Map<String, String> metadata;
    try (SafetensorsFile f = Safetensors.open(source)) {
      metadata = f.metadata();
    }
    Path out = tmp.resolve("copy.safetensors");
    Safetensors.write(out, tensors, metadata);
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(source));
  }
}
