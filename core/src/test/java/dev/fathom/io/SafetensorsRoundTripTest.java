package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write then read: every dtype, empty and scalar tensors, metadata and the header layout. */
class SafetensorsRoundTripTest {

  @TempDir Path dir;

  @Test
  void everyDtypeRoundTrips() throws IOException {
    Random rng = new Random(42);
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    long[][] shapes = {{3, 5}, {7}, {}, {2, 0, 4}, {1, 1, 3}};
    int k = 0;
    for (StDType t : StDType.values()) {
      long[] shape = shapes[k++ % shapes.length];
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      byte[] raw = new byte[(int) n * t.byteSize()];
      rng.nextBytes(raw);
      tensors.put("layer." + t.name().toLowerCase() + ".weight", RawTensor.ofBytes(t, shape, raw));
    }
    Path p = dir.resolve("all.safetensors");
    Safetensors.write(p, tensors, Map.of());

    Map<String, RawTensor> back = Safetensors.readAll(p);
    assertThat(back.keySet()).containsExactlyElementsOf(tensors.keySet());
    for (String name : tensors.keySet()) {
      assertThat(back.get(name)).as(name).isEqualTo(tensors.get(name));
    }
    try (SafetensorsFile f = Safetensors.open(p)) {
      assertThat(f.tensors()).containsExactlyEntriesOf(tensors);
      assertThat(f.metadata()).isEmpty();
    }
  }

  @Test
  void convertedValuesRoundTrip() throws IOException {
    float[] v = {1.0f, -2.5f, 65504f, 0x1p-24f, 0.1f, -0f};
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    tensors.put("f32", RawTensor.ofFloats(new long[] {2, 3}, v));
    tensors.put("f16", RawTensor.ofFloats(StDType.F16, new long[] {6}, v));
    tensors.put("bf16", RawTensor.ofFloats(StDType.BF16, new long[] {3, 2}, v));
    tensors.put("f64", RawTensor.ofFloats(StDType.F64, new long[] {6}, v));
    tensors.put("ids", RawTensor.ofLongs(new long[] {2}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE}));
    tensors.put("pos", RawTensor.ofInts(new long[] {1, 2}, new int[] {-3, 1 << 30}));
    tensors.put("scalar", RawTensor.ofFloats(new long[] {}, new float[] {2.75f}));
    tensors.put("empty", RawTensor.ofFloats(StDType.BF16, new long[] {0}, new float[0]));
    Path p = dir.resolve("conv.safetensors");
    Safetensors.write(p, tensors, Map.of());

    Map<String, RawTensor> back = Safetensors.readAll(p);
    assertThat(back.get("f32").toFloatArray()).containsExactly(v);
    // 0.1 is not a half: it reads back as its nearest binary16, 0.0999755859375.
    assertThat(back.get("f16").toFloatArray())
        .containsExactly(1.0f, -2.5f, 65504f, 0x1p-24f, 0.0999755859375f, -0f);
    // bfloat16 keeps 8 significant bits: 65504 -> 65536, 0.1 -> 0.10009765625; 2^-24 is exact.
    assertThat(back.get("bf16").toFloatArray())
        .containsExactly(1.0f, -2.5f, 65536f, 0x1p-24f, 0.10009765625f, -0f);
    assertThat(back.get("f64").toFloatArray()).containsExactly(v);
    assertThat(back.get("ids").toLongArray()).containsExactly(Long.MIN_VALUE, Long.MAX_VALUE);
    assertThat(back.get("pos").toIntArray()).containsExactly(-3, 1 << 30);
    assertThat(back.get("pos").shape()).containsExactly(1, 2);
    assertThat(back.get("scalar").shape()).isEmpty();
    assertThat(back.get("scalar").toFloatArray()).containsExactly(2.75f);
    assertThat(back.get("empty").numel()).isZero();
    assertThat(back.get("empty").dtype()).isEqualTo(StDType.BF16);
  }

  @Test
  void headerLayoutFollowsTheReference() throws IOException {
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    tensors.put("z", RawTensor.ofFloats(new long[] {1}, new float[] {1f}));
    tensors.put("a", RawTensor.ofInts(new long[] {2}, new int[] {1, 2}));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("quote", "a \"b\" ✓");
    Path p = dir.resolve("layout.safetensors");
    Safetensors.write(p, tensors, metadata);

    byte[] file = Files.readAllBytes(p);
    long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertThat(n % 8).isZero();
    assertThat(file.length).isEqualTo(8 + n + 4 + 8);
    String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header.stripTrailing())
        .isEqualTo(
            "{\"__metadata__\":{\"format\":\"pt\",\"quote\":\"a \\\"b\\\" ✓\"},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}");
    assertThat(header.substring(header.stripTrailing().length())).matches(" *");

    try (SafetensorsFile f = Safetensors.open(p)) {
      assertThat(f.metadata()).containsExactlyEntriesOf(metadata);
      assertThat(f.tensors().keySet()).containsExactly("z", "a");
    }
  }

  @Test
  void emptyMetadataIsLeftOutAndEmptyFileWorks() throws IOException {
    Path p = dir.resolve("none.safetensors");
    Safetensors.write(p, Map.of(), Map.of());
    byte[] file = Files.readAllBytes(p);
    assertThat(file).hasSize(16);
    assertThat(new String(file, 8, 8, StandardCharsets.UTF_8)).isEqualTo("{}      ");
    try (SafetensorsFile f = Safetensors.open(p)) {
      assertThat(f.tensors()).isEmpty();
      assertThat(f.metadata()).isEmpty();
    }
    Map<String, RawTensor> one = Map.of("x", RawTensor.ofFloats(new long[] {1}, new float[] {1f}));
    Safetensors.write(p, one, Map.of());
    String text = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("__metadata__");
  }

  @Test
  void getNamesTheAvailableTensorsAndClosedFilesRefuse() throws IOException {
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    tensors.put("embed.weight", RawTensor.ofFloats(new long[] {2}, new float[] {1f, 2f}));
    tensors.put("lm_head.weight", RawTensor.ofFloats(new long[] {2}, new float[] {3f, 4f}));
    Path p = dir.resolve("get.safetensors");
    Safetensors.write(p, tensors, Map.of());
    RawTensor mapped;
    try (SafetensorsFile f = Safetensors.open(p)) {
      assertThat(f.contains("embed.weight")).isTrue();
      assertThatThrownBy(() -> f.get("head.weight"))
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("has no tensor 'head.weight'")
          .hasMessageContaining("it has 2: 'embed.weight', 'lm_head.weight'");
      mapped = f.get("lm_head.weight");
      assertThat(mapped.toFloatArray()).containsExactly(3f, 4f);
      assertThat(mapped.data().isReadOnly()).isTrue();
    }
    assertThatThrownBy(mapped::toFloatArray).isInstanceOf(IllegalStateException.class);
    SafetensorsFile f = Safetensors.open(p);
    f.close();
    f.close();
    assertThatThrownBy(() -> f.get("embed.weight")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void writeRejectsReservedNamesAndNulls() {
    Path p = dir.resolve("bad.safetensors");
    RawTensor t = RawTensor.ofFloats(new long[] {1}, new float[] {1f});
    assertThatThrownBy(() -> Safetensors.write(p, Map.of("__metadata__", t), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("k", null);
    assertThatThrownBy(() -> Safetensors.write(p, Map.of("x", t), meta))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("metadata value for key 'k'");
    assertThat(p).doesNotExist();
  }

  @Test
  void failedWriteKeepsTheOldFile() throws IOException {
    Path p = dir.resolve("keep.safetensors");
    Map<String, RawTensor> good = Map.of("x", RawTensor.ofFloats(new long[] {1}, new float[] {1f}));
    Safetensors.write(p, good, Map.of());
    byte[] before = Files.readAllBytes(p);

    // Tensors whose mapping is closed fail while the data is copied, after the header is out.
    Path other = dir.resolve("other.safetensors");
    RawTensor y = RawTensor.ofFloats(new long[] {2}, new float[] {1f, 2f});
    Safetensors.write(other, Map.of("y", y), Map.of());
    Map<String, RawTensor> stale;
    try (SafetensorsFile f = Safetensors.open(other)) {
      stale = f.tensors();
    }
    assertThatThrownBy(() -> Safetensors.write(p, stale, Map.of()))
        .isInstanceOf(IllegalStateException.class);
    assertThat(Files.readAllBytes(p)).isEqualTo(before);
    try (var files = Files.list(dir)) {
      assertThat(files.map(x -> x.getFileName().toString()))
          .containsExactlyInAnyOrder("keep.safetensors", "other.safetensors");
    }
  }

  @Test
  void unalignedDataIsReadable() throws IOException {
    // A 1-byte tensor first puts every later tensor at an odd offset within the file.
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    tensors.put("flag", RawTensor.ofBytes(StDType.BOOL, new long[] {1}, new byte[] {1}));
    tensors.put("w", RawTensor.ofFloats(new long[] {3}, new float[] {1.5f, -2f, 3.25f}));
    tensors.put("h", RawTensor.ofFloats(StDType.F16, new long[] {2}, new float[] {0.5f, 8f}));
    tensors.put("i", RawTensor.ofLongs(new long[] {1}, new long[] {-9}));
    Path p = dir.resolve("odd.safetensors");
    Safetensors.write(p, tensors, Map.of());
    try (SafetensorsFile f = Safetensors.open(p)) {
      MemorySegment w = f.get("w").data();
      assertThat(w.address() % 4).isNotZero();
      assertThat(f.get("w").toFloatArray()).containsExactly(1.5f, -2f, 3.25f);
      assertThat(f.get("h").toFloatArray()).containsExactly(0.5f, 8f);
      assertThat(f.get("i").toLongArray()).containsExactly(-9);
    }
  }
}
