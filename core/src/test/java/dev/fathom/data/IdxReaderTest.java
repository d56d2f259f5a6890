package dev.fathom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.io.FormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(b);
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /** A header (magic + dims) followed by {@code payload}. */
  private static byte[] idx(int type, int[] dims, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(payload).array();
  }

  @Test
  void u8RoundTripPlainAndGzip() throws IOException {
    byte[] px = new byte[2 * 3 * 4];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 11);
    }
    IdxArray a = IdxArray.ofU8(new int[] {2, 3, 4}, px);
    byte[] file = a.toBytes();
    assertThat(Arrays.copyOf(file, 8)).containsExactly(0, 0, 8, 3, 0, 0, 0, 2);

    IdxArray plain = IdxReader.read(write("a.idx", file));
    IdxArray gz = IdxReader.read(write("a-no-suffix", gzip(file)));
    assertThat(plain).isEqualTo(a);
    assertThat(gz).isEqualTo(a);
    assertThat(plain.dims()).containsExactly(2, 3, 4);
    assertThat(plain.toInts()[23]).isEqualTo((23 * 11) & 0xFF);
    assertThat(plain.toFloats()[23]).isEqualTo((23 * 11) & 0xFF);
  }

  @Test
  void everyTypeDecodesBigEndian() throws IOException {
    int[] dims = {3};
    assertThat(IdxReader.read(write("i8", idx(0x09, dims, new byte[] {-1, 0, 127}))).toInts())
        .containsExactly(-1, 0, 127);
    ByteBuffer shorts = ByteBuffer.allocate(6);
    byte[] i16 = shorts.putShort((short) -2).putShort((short) 300).putShort((short) 7).array();
    assertThat(IdxReader.read(write("i16", idx(0x0B, dims, i16))).toInts())
        .containsExactly(-2, 300, 7);
    int[] ints = {-70000, 0, 1 << 30};
    IdxArray i32 = IdxArray.ofInts(dims, ints);
    assertThat(IdxReader.read(write("i32", gzip(i32.toBytes()))).toInts()).containsExactly(ints);
    float[] floats = {-1.5f, 0f, 3.25e10f};
    IdxArray f32 = IdxArray.ofFloats(dims, floats);
    IdxArray back = IdxReader.read(write("f32", f32.toBytes()));
    assertThat(back.dataType()).isEqualTo(IdxArray.F32);
    assertThat(back.toFloats()).containsExactly(floats);
    byte[] f64 = ByteBuffer.allocate(24).putDouble(0.1).putDouble(-2).putDouble(1e300).array();
    assertThat(IdxReader.read(write("f64", idx(0x0E, dims, f64))).toFloats())
        .containsExactly(0.1f, -2f, Float.POSITIVE_INFINITY);
    assertThatThrownBy(back::toInts)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("f32");
  }

  @Test
  void zeroSizedDimensionIsEmpty() throws IOException {
    IdxArray a = IdxReader.read(write("e", idx(0x08, new int[] {0, 28, 28}, new byte[0])));
    assertThat(a.size()).isZero();
    assertThat(a.dims()).containsExactly(0, 28, 28);
  }

  @Test
  void readsFromAStream() throws IOException {
    IdxArray a = IdxArray.ofU8(new int[] {4}, new byte[] {1, 2, 3, 4});
    assertThat(IdxReader.read(new ByteArrayInputStream(gzip(a.toBytes())), "mem")).isEqualTo(a);
    assertThatThrownBy(() -> IdxReader.read(new ByteArrayInputStream(new byte[] {0, 0, 8}), "mem"))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith("mem: has 3 bytes");
  }

  @Test
  void wrongMagic() throws IOException {
    Path p = write("zip", new byte[] {0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 1, 9});
    assertThatThrownBy(() -> IdxReader.read(p))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("expected IDX magic 00 00 <type> <ndim>, got 50 4b 03 04");
  }

  @Test
  void unknownTypeAndBadDimensionCount() throws IOException {
    Path t = write("t", idx(0x0A, new int[] {1}, new byte[] {1}));
    assertThatThrownBy(() -> IdxReader.read(t))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("unknown IDX data type 0x0a");
    Path d0 = write("d0", new byte[] {0, 0, 8, 0});
    assertThatThrownBy(() -> IdxReader.read(d0))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("declares 0 dimensions in byte 3, expected 1 to 8");
    Path d9 = write("d9", new byte[] {0, 0, 8, 9});
    assertThatThrownBy(() -> IdxReader.read(d9)).hasMessageContaining("declares 9 dimensions");
    Path shortDims = write("sd", new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0});
    assertThatThrownBy(() -> IdxReader.read(shortDims))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("3 dimensions (12 bytes) but the data ends after 10 bytes");
  }

  @Test
  void negativeDimension() throws IOException {
    Path p = write("neg", idx(0x08, new int[] {2, -1}, new byte[0]));
    assertThatThrownBy(() -> IdxReader.read(p))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("dimension 1 is -1 (4294967295 unsigned)");
  }

  @Test
  void countsLargerThanTheFile() throws IOException {
    Path p = write("short", idx(0x08, new int[] {10, 10}, new byte[99]));
    assertThatThrownBy(() -> IdxReader.read(p))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("claims dims [10, 10] of u8 = 100 data bytes, but the file has 99");
    Path gz = write("short.gz", gzip(idx(0x0D, new int[] {5}, new byte[19])));
    assertThatThrownBy(() -> IdxReader.read(gz))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("(after gunzip)")
        .hasMessageContaining("= 20 data bytes, but the data ends after 19");
  }

  @Test
  @Timeout(5)
  void lyingHugeHeaderFailsFastWithoutAllocating() throws IOException {
    // 2^31 elements: over the cap, rejected from the header alone.
    Path over = write("over", idx(0x08, new int[] {65536, 32768}, new byte[1000]));
    assertThatThrownBy(() -> IdxReader.read(over))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("more than the 2147483639 bytes");
    int big = 1 << 30;
    Path overflow = write("ovf", idx(0x0E, new int[] {big, big, big, big}, new byte[8]));
    assertThatThrownBy(() -> IdxReader.read(overflow)).hasMessageContaining("more than the");
    // 2^30 elements under the cap, on 1 KB: plain files check the size, gzip reads in chunks.
    byte[] lying = idx(0x08, new int[] {1 << 15, 1 << 15}, new byte[1000]);
    assertThatThrownBy(() -> IdxReader.read(write("lie", lying)))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("= 1073741824 data bytes, but the file has 1000");
    assertThatThrownBy(() -> IdxReader.read(write("lie.gz", gzip(lying))))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("= 1073741824 data bytes, but the data ends after 1000");
  }

  @Test
  void trailingBytes() throws IOException {
    byte[] ok = IdxArray.ofU8(new int[] {3}, new byte[] {1, 2, 3}).toBytes();
    byte[] extra = Arrays.copyOf(ok, ok.length + 2);
    assertThatThrownBy(() -> IdxReader.read(write("x", extra)))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("2 trailing bytes after the 3 data bytes");
    assertThatThrownBy(() -> IdxReader.read(write("x.gz", gzip(extra))))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("2 trailing bytes");
    byte[] gz = gzip(ok);
    byte[] garbageAfterGzip = Arrays.copyOf(gz, gz.length + 5);
    Path p = write("g.gz", garbageAfterGzip);
    assertThatThrownBy(() -> IdxReader.read(p))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("trailing bytes after the gzip data at byte " + gz.length);
  }

  @Test
  void concatenatedGzipMembersAreOneStream() throws IOException {
    byte[] file = IdxArray.ofU8(new int[] {6}, new byte[] {1, 2, 3, 4, 5, 6}).toBytes();
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.write(gzip(Arrays.copyOf(file, 7)));
    both.write(gzip(Arrays.copyOfRange(file, 7, file.length)));
    assertThat(IdxReader.read(write("cat.gz", both.toByteArray())).toInts())
        .containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void truncatedAndCorruptGzip() throws IOException {
    byte[] payload = new byte[5000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 7 + i / 13);
    }
    byte[] gz = gzip(IdxArray.ofU8(new int[] {5000}, payload).toBytes());
    Path truncated = write("t.gz", Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> IdxReader.read(truncated))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(truncated.toString())
        .hasMessageContaining("corrupt or truncated gzip data");
    Path noTrailer = write("nt.gz", Arrays.copyOf(gz, gz.length - 3));
    assertThatThrownBy(() -> IdxReader.read(noTrailer))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("corrupt or truncated gzip data");
    byte[] flipped = gz.clone();
    flipped[gz.length - 6] ^= 0x55; // inside the CRC-32 of the trailer
    assertThatThrownBy(() -> IdxReader.read(write("crc.gz", flipped)))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("CRC-32");
    byte[] garbage = new byte[300];
    garbage[0] = 0x1F;
    garbage[1] = (byte) 0x8B;
    garbage[2] = 8;
    Arrays.fill(garbage, 10, garbage.length, (byte) 0xFF); // deflate block type 11: reserved
    Path g = write("garbage.gz", garbage);
    assertThatThrownBy(() -> IdxReader.read(g))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(g.toString())
        .hasMessageContaining("corrupt deflate data");
  }

  @Test
  void recordRejectsInconsistentPayload() {
    assertThatThrownBy(() -> new IdxArray(new int[] {2, 2}, IdxArray.U8, new byte[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("need 4 bytes, data has 3");
  }
}
