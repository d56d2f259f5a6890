package dev.fathom.io;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format of the Hugging Face ecosystem
 * (<a href="https://github.com/huggingface/safetensors">huggingface/safetensors</a>).
 *
 * <p>Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON mapping
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} plus an optional
 * {@code "__metadata__"} object of strings; then the data region, which the offsets index.
 *
 * <pre>{@code
 * try (SafetensorsFile f = Safetensors.open(Path.of("model.safetensors"))) {
 *   float[] w = f.get("lm_head.weight").toFloatArray();
 * }
 * Safetensors.write(Path.of("out.safetensors"),
 *     Map.of("w", RawTensor.ofFloats(new long[] {2, 3}, w)), Map.of("format", "pt"));
 * }</pre>
 */
public final class Safetensors {

  /*
   * Design: reading maps the whole file and hands out slices, so opening a multi-gigabyte
   * checkpoint costs one header parse and the OS pages in only what is read. All validation (see
   * SafetensorsHeader) happens before the first slice is made, and every size is checked against
   * the file length before anything is allocated from it: the header copy is bounded by both the
   * file length and 100 MB. Writing goes through AtomicFiles, so a crash mid-write never leaves a
   * truncated checkpoint where a good one was.
   */

  private static final int COPY_CHUNK = 1 << 20;

  private Safetensors() {}

  /**
   * Memory-maps a safetensors file and validates its header.
   *
   * @param path file to open
   * @return the open file; close it to unmap
   * @throws FormatException if the file is not valid safetensors (the message says what and where)
   * @throws IOException if the file cannot be opened or mapped
   */
  public static SafetensorsFile open(Path path) throws IOException {
    String where = path.toString();
    if (Files.exists(path) && !Files.isRegularFile(path)) {
      throw new IOException("safetensors: expected a regular file, got " + where);
    }
    Arena arena = Arena.ofShared();
    boolean ok = false;
    try {
      MemorySegment file;
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        long size = ch.size();
        if (size < 8) {
          throw new FormatException(
              "safetensors file " + where + ": expected at least 8 bytes (the header length), "
                  + "the file has " + size);
        }
        file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      }
      long size = file.byteSize();
      long n = file.get(ElementCodec.I64_LE, 0);
      if (n < 0 || n > SafetensorsHeader.MAX_HEADER_BYTES) {
        throw new FormatException(
            "safetensors file " + where + ": header length is " + Long.toUnsignedString(n)
                + " bytes, more than the " + SafetensorsHeader.MAX_HEADER_BYTES + " allowed");
      }
      if (n > size - 8) {
        throw new FormatException(
            "safetensors file " + where + ": header length is " + n + " bytes but only "
                + (size - 8) + " bytes follow the 8-byte length field");
      }
      byte[] headerBytes = file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
      SafetensorsHeader header = SafetensorsHeader.parse(headerBytes, size - 8 - n, where);
      MemorySegment data = file.asSlice(8 + n);
      Map<String, RawTensor> tensors = new LinkedHashMap<>();
      for (SafetensorsHeader.Entry e : header.entries) {
        MemorySegment slice = data.asSlice(e.begin(), e.end() - e.begin());
        tensors.put(e.name(), new RawTensor(e.dtype(), e.shape(), slice));
      }
      SafetensorsFile result =
          new SafetensorsFile(path, arena, Collections.unmodifiableMap(tensors), header.metadata);
      ok = true;
      return result;
    } finally {
      if (!ok) {
        arena.close();
      }
    }
  }

  /**
   * Reads every tensor of a safetensors file into memory and closes the file.
   *
   * @param path file to read
   * @return a new map in file order (ascending data offset), each tensor's data a heap copy
   *     (an automatically freed off-heap copy for a tensor above 2 GiB)
   * @throws FormatException if the file is not valid safetensors
   * @throws IOException if the file cannot be read
   */
  public static Map<String, RawTensor> readAll(Path path) throws IOException {
    try (SafetensorsFile f = open(path)) {
      Map<String, RawTensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, RawTensor> e : f.tensors().entrySet()) {
        out.put(e.getKey(), e.getValue().detached());
      }
      return out;
    }
  }

  /**
   * Writes tensors and metadata as a safetensors file, atomically (see {@link AtomicFiles}).
   *
   * <p>The header lists {@code __metadata__} first (only when there is any), then the tensors in
   * the map's iteration order, and is padded with spaces to a multiple of 8 bytes as the reference
   * implementation does; the data follows in the same order, packed with no gaps. Use an ordered
   * map ({@link LinkedHashMap}) for a reproducible file.
   *
   * @param path file to create or replace
   * @param tensors tensors by name; names must not be {@code "__metadata__"}
   * @param metadata free-form string pairs, e.g. {@code {"format": "pt"}}; may be empty
   * @throws IllegalArgumentException if a name is {@code "__metadata__"} or the header would
   *     exceed the 100 MB that readers accept
   * @throws NullPointerException if a name, tensor, key or value is null
   * @throws IOException if the file cannot be written; the previous file is then intact
   */
  public static void write(Path path, Map<String, RawTensor> tensors, Map<String, String> metadata)
      throws IOException {
    byte[] header = header(tensors, metadata);
    byte[] length = new byte[8];
    MemorySegment.ofArray(length).set(ElementCodec.I64_LE, 0, header.length);
    AtomicFiles.write(
        path,
        out -> {
          out.write(length);
          out.write(header);
          byte[] buf = new byte[COPY_CHUNK];
          for (RawTensor t : tensors.values()) {
            copy(t.data(), out, buf);
          }
        });
  }

  /** The header JSON, padded with spaces to a multiple of 8 bytes. */
  static byte[] header(Map<String, RawTensor> tensors, Map<String, String> metadata)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = SafetensorsHeader.JSON.createGenerator(bytes)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
          g.writeStringField(
              requireNonNull(e.getKey(), "metadata key"),
              requireNonNull(e.getValue(), "metadata value for key '" + e.getKey() + "'"));
        }
        g.writeEndObject();
      }
      long offset = 0;
      for (Map.Entry<String, RawTensor> e : tensors.entrySet()) {
        String name = requireNonNull(e.getKey(), "tensor name");
        RawTensor t = requireNonNull(e.getValue(), "tensor '" + name + "'");
        if (SafetensorsHeader.METADATA_KEY.equals(name)) {
          throw new IllegalArgumentException(
              "safetensors write: tensor name '" + name + "' is reserved for metadata");
        }
        long end = Math.addExact(offset, t.byteSize());
        g.writeObjectFieldStart(name);
        g.writeStringField("dtype", t.dtype().name());
        long[] shape = t.shape();
        g.writeFieldName("shape");
        g.writeArray(shape, 0, shape.length);
        g.writeFieldName("data_offsets");
        g.writeArray(new long[] {offset, end}, 0, 2);
        g.writeEndObject();
        offset = end;
      }
      g.writeEndObject();
    }
    int pad = (8 - bytes.size() % 8) % 8;
    for (int i = 0; i < pad; i++) {
      bytes.write(' ');
    }
    if (bytes.size() > SafetensorsHeader.MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(
          "safetensors write: header would be " + bytes.size() + " bytes, more than the "
              + SafetensorsHeader.MAX_HEADER_BYTES + " readers accept");
    }
    return bytes.toByteArray();
  }

  private static void copy(MemorySegment data, OutputStream out, byte[] buf) throws IOException {
    long size = data.byteSize();
    for (long off = 0; off < size; off += buf.length) {
      int len = (int) Math.min(buf.length, size - off);
      MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, buf, 0, len);
      out.write(buf, 0, len);
    }
  }

  private static <T> T requireNonNull(T v, String what) {
    if (v == null) {
      throw new NullPointerException("safetensors write: " + what + " is null");
    }
    return v;
  }
}
