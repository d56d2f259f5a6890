package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated, corrupted and hostile files: each rule of the format broken once, built byte by
 * byte here, must give a {@link FormatException} whose message names the problem.
 */
class SafetensorsBadInputTest {

  private static final String JSON_CHARS = "{}[],:\"0123456789-.e ";

  @TempDir Path dir;

  private int count;

  /** A file of the given raw bytes. */
  private Path raw(byte[] bytes) throws IOException {
    Path p = dir.resolve("bad" + count++ + ".safetensors");
    Files.write(p, bytes);
    return p;
  }

  /** A file: u64 LE length of the header, the header's UTF-8 bytes, then dataBytes zeros. */
  private Path file(String header, int dataBytes) throws IOException {
    return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
  }

  private Path file(byte[] header, int dataBytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    return raw(b.array());
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> openFails(Path p) {
    return assertThatThrownBy(() -> Safetensors.open(p).close()).isInstanceOf(FormatException.class);
  }

  private static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
        + ",\"data_offsets\":[" + begin + "," + end + "]}";
  }

  @Test
  void fileShorterThanTheLengthField() throws IOException {
    for (int n = 0; n < 8; n++) {
      openFails(raw(new byte[n]))
          .hasMessageContaining("expected at least 8 bytes")
          .hasMessageContaining("the file has " + n);
    }
  }

  @Test
  void headerLengthBeyondTheFile() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + 50).order(ByteOrder.LITTLE_ENDIAN).putLong(100);
    openFails(raw(b.array()))
        .hasMessageContaining("header length is 100 bytes but only 50 bytes follow");
  }

  @Test
  void headerLengthAboveTheLimit() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L);
    openFails(raw(b.array()))
        .hasMessageContaining("header length is 200000000 bytes, more than the 100000000 allowed");
    ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
    openFails(raw(huge.array())).hasMessageContaining("18446744073709551615");
  }

  @Test
  void headerNotUtf8() throws IOException {
    byte[] h = "{\"a\":1}".getBytes(StandardCharsets.US_ASCII);
    h[2] = (byte) 0xC3; // a lead byte followed by 'a', not a continuation byte
    openFails(file(h, 0)).hasMessageContaining("expected UTF-8 text").hasMessageContaining("header byte 2");
    byte[] cut = {'{', (byte) 0xE2, (byte) 0x9C};
    openFails(file(cut, 0)).hasMessageContaining("expected UTF-8 text");
  }

  @Test
  void headerNotAJsonObject() throws IOException {
    openFails(file("", 0)).hasMessageContaining("expected a JSON object, got an empty header");
    openFails(file("        ", 0)).hasMessageContaining("empty header");
    openFails(file("[1,2]", 0)).hasMessageContaining("expected a JSON object, got an array");
    openFails(file("\"x\"", 0)).hasMessageContaining("got a string");
    openFails(file("{\"a\":", 0)).hasMessageContaining("invalid JSON");
    openFails(file("{abc}", 0)).hasMessageContaining("invalid JSON at header character 1");
    openFails(file("{} {}", 0)).hasMessageContaining("expected only spaces after the JSON object");
    openFails(file("{}\0\0\0\0\0\0", 0)).hasMessageContaining("invalid JSON");
    openFails(file("{" + entry("a", "U8", "[1]", 0, 1) + "," + entry("a", "U8", "[1]", 1, 2) + "}", 2))
        .hasMessageContaining("invalid JSON")
        .hasMessageContaining("Duplicate");
  }

  @Test
  void entryMissingAField() throws IOException {
    openFails(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("tensor 'w': expected fields dtype, shape and data_offsets, found no dtype");
    openFails(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("found no shape");
    openFails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4))
        .hasMessageContaining("found no data_offsets");
  }

  @Test
  void entryWithWrongJsonTypes() throws IOException {
    openFails(file("{\"w\":[1,2]}", 0))
        .hasMessageContaining("tensor 'w': expected an object with dtype, shape and data_offsets, got an array");
    openFails(file("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("tensor 'w': expected dtype to be a string, got a number 32");
    openFails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("tensor 'w': shape: expected an array, got a string \"1\"");
    openFails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"b\":0}}}", 4))
        .hasMessageContaining("data_offsets: expected an array, got an object");
    openFails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("shape element 0: expected a non-negative integer, got an array");
  }

  @Test
  void unknownDtype() throws IOException {
    openFails(file("{" + entry("w", "F128", "[1]", 0, 16) + "}", 16))
        .hasMessageContaining("tensor 'w' has unknown dtype 'F128'; expected one of F64, F32");
  }

  @Test
  void negativeOrNonIntegerDims() throws IOException {
    openFails(file("{" + entry("w", "F32", "[2,-1]", 0, 8) + "}", 8))
        .hasMessageContaining("tensor 'w': shape element 1: expected a non-negative integer, got -1");
    openFails(file("{" + entry("w", "F32", "[2.5]", 0, 8) + "}", 8))
        .hasMessageContaining("shape element 0: expected a non-negative integer, got a number 2.5");
    openFails(file("{" + entry("w", "F32", "[\"2\"]", 0, 8) + "}", 8))
        .hasMessageContaining("got a string \"2\"");
    openFails(file("{" + entry("w", "F32", "[2e0]", 0, 8) + "}", 8))
        .hasMessageContaining("got a number 2e0");
    openFails(file("{" + entry("w", "F32", "[null]", 0, 8) + "}", 8)).hasMessageContaining("got null");
    openFails(file("{" + entry("w", "F32", "[99999999999999999999]", 0, 8) + "}", 8))
        .hasMessageContaining("below 2^63, got 99999999999999999999");
  }

  @Test
  void numelOverflow() throws IOException {
    openFails(file("{" + entry("w", "F32", "[4294967296,4294967296]", 0, 8) + "}", 8))
        .hasMessageContaining("tensor 'w': shape [4294967296, 4294967296] of F32 has more bytes than a 64-bit count");
    openFails(file("{" + entry("w", "F64", "[2305843009213693952]", 0, 8) + "}", 8))
        .hasMessageContaining("more bytes than a 64-bit count");
  }

  @Test
  void badDataOffsets() throws IOException {
    String w = "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":";
    openFails(file(w + "[8,4]}}", 8))
        .hasMessageContaining("tensor 'w': expected data_offsets [begin, end] with 0 <= begin <= end, got [8, 4]");
    openFails(file(w + "[4]}}", 8)).hasMessageContaining("got [4]");
    openFails(file(w + "[0,2,4]}}", 8)).hasMessageContaining("got [0, 2, 4]");
    openFails(file(w + "[-1,3]}}", 8))
        .hasMessageContaining("data_offsets element 0: expected a non-negative integer, got -1");
    openFails(file(w + "[0.0,4]}}", 8)).hasMessageContaining("got a number 0.0");
  }

  @Test
  void endBeyondTheDataRegion() throws IOException {
    openFails(file("{" + entry("lm_head.weight", "F32", "[4,4]", 0, 64) + "}", 60))
        .hasMessageContaining("tensor 'lm_head.weight' ends at byte 64 but the data region has 60 bytes");
  }

  @Test
  void sizeDisagreesWithShape() throws IOException {
    openFails(file("{" + entry("w", "F32", "[2,3]", 0, 20) + "}", 24))
        .hasMessageContaining(
            "tensor 'w' of dtype F32 and shape [2, 3] needs 24 bytes but data_offsets [0, 20] span 20");
  }

  @Test
  void overlappingTensors() throws IOException {
    String h = "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 12, 28) + "}";
    openFails(file(h, 28))
        .hasMessageContaining("expected tensors not to overlap, but 'a' (bytes [0, 16)) and 'b' (bytes [12, 28)) do");
    // Overlap with a tensor that is not the previous one in offset order.
    String h2 = "{" + entry("big", "U8", "[10]", 0, 10) + "," + entry("x", "U8", "[2]", 2, 4) + ","
        + entry("y", "U8", "[2]", 6, 8) + "}";
    openFails(file(h2, 10)).hasMessageContaining("'big' (bytes [0, 10)) and 'x'");
    // Identical ranges overlap too; empty tensors never do.
    String h3 = "{" + entry("a", "U8", "[2]", 0, 2) + "," + entry("b", "U8", "[2]", 0, 2) + "}";
    openFails(file(h3, 2)).hasMessageContaining("overlap");
    String ok = "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("e", "U8", "[0]", 2, 2) + "}";
    try (SafetensorsFile f = Safetensors.open(file(ok, 4))) {
      assertThat(f.tensors().keySet()).containsExactly("a", "e");
    }
  }

  @Test
  void metadataValuesMustBeStrings() throws IOException {
    openFails(file("{\"__metadata__\":{\"format\":\"pt\",\"epoch\":3}}", 0))
        .hasMessageContaining("expected __metadata__ value for key 'epoch' to be a string, got a number 3");
    openFails(file("{\"__metadata__\":{\"nested\":{\"a\":\"b\"}}}", 0))
        .hasMessageContaining("key 'nested' to be a string, got an object");
    openFails(file("{\"__metadata__\":[\"a\"]}", 0))
        .hasMessageContaining("expected __metadata__ to be an object of strings, got an array");
    try (SafetensorsFile f = Safetensors.open(file("{\"__metadata__\":null}", 0))) {
      assertThat(f.metadata()).isEmpty();
    }
  }

  @Test
  void truncationsOfARealFileAreFormatExceptions() throws IOException {
    byte[] whole = Files.readAllBytes(SafetensorsGoldenTest.resource("numpy_basic.safetensors"));
    int dataStart = 8 + (int) ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    // Every cut in the length field and the start of the header, then a stride through the
    // header (cuts that leave invalid UTF-8 or JSON) and the data (cuts inside each tensor).
    TreeSet<Integer> cuts = new TreeSet<>();
    for (int len = 0; len <= 24; len++) {
      cuts.add(len);
    }
    for (int len = 24; len < dataStart; len += 16) {
      cuts.add(len);
    }
    for (int len = dataStart - 2; len < whole.length; len += 5) {
      cuts.add(len);
    }
    cuts.add(whole.length - 1);
    Path p = dir.resolve("cut.safetensors");
    for (int len : cuts) {
      Files.write(p, Arrays.copyOf(whole, len));
      try {
        Safetensors.open(p).close();
        fail("a file cut to " + len + " of " + whole.length + " bytes opened");
      } catch (FormatException expected) {
        assertThat(expected.getMessage()).contains(p.toString());
      }
    }
  }

  @Test
  void corruptedHeadersNeverEscapeAsOtherExceptions() throws IOException {
    byte[] whole = Files.readAllBytes(SafetensorsGoldenTest.resource("numpy_basic.safetensors"));
    long n = ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    Random rng = new Random(7);
    Path p = dir.resolve("fuzz.safetensors");
    int rejected = 0;
    for (int trial = 0; trial < 200; trial++) {
      byte[] b = whole.clone();
      for (int flips = 1 + rng.nextInt(3); flips > 0; flips--) {
        int at = rng.nextInt((int) n + 8);
        b[at] =
            (byte)
                (rng.nextInt(4) == 0
                    ? rng.nextInt(256)
                    : JSON_CHARS.charAt(rng.nextInt(JSON_CHARS.length())));
      }
      Files.write(p, b);
      try (SafetensorsFile f = Safetensors.open(p)) {
        for (RawTensor t : f.tensors().values()) {
          t.toByteArray();
        }
      } catch (FormatException expected) {
        rejected++;
      }
    }
    assertThat(rejected).isGreaterThan(60);
  }
}
