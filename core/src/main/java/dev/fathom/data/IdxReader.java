package dev.fathom.data;

import dev.fathom.io.FormatException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), plain or gzip-compressed; gzip is recognised by its magic
 * bytes {@code 1f 8b}, not by the file name.
 *
 * <p>Layout: bytes 0 and 1 are zero, byte 2 the element type ({@link IdxArray#U8} ...), byte 3
 * the number of dimensions; then one big-endian 32-bit int per dimension; then the elements,
 * big-endian, row-major. The file must end exactly there.
 */
public final class IdxReader {
  /** The most dimensions a header may declare. */
  public static final int MAX_DIMS = 8;

  /** The largest payload accepted: the largest Java byte array. */
  public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private static final int FIRST_CHUNK = 1 << 20;
  private static final long TRAILING_COUNT_CAP = 1 << 20;

  /*
   * Hostile headers: the header's claim is never trusted for allocation. A plain file's size is
   * known, so a claim larger than the file fails before any allocation. A gzip stream's size is
   * not known, so the payload buffer starts at 1 MiB and doubles only as data actually arrives;
   * a 1 KB file claiming 2^30 elements fails after reading 1 KB, having allocated 1 MiB.
   */

  private IdxReader() {}

  /**
   * Reads an IDX file, plain or gzip-compressed.
   *
   * @param path the file
   * @return the array
   * @throws FormatException if the file is not a well-formed IDX file (bad magic, unknown type,
   *     more than {@link #MAX_DIMS} dimensions, negative dimensions, a payload over
   *     {@link #MAX_BYTES}, fewer or more data bytes than the header declares) or its gzip
   *     compression is corrupt or truncated; the message names the file
   * @throws IOException if the file cannot be read
   */
  public static IdxArray read(Path path) throws IOException {
    long fileSize = Files.size(path);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      if (b0 == 0x1F && b1 == 0x8B) {
        return readGzip(raw, path.toString());
      }
      return decode(raw, path.toString(), fileSize, false);
    }
  }

  /**
   * Reads an IDX array from a stream, plain or gzip-compressed; the stream is read to its end but
   * not closed.
   *
   * @param in the stream
   * @param source a name for the stream in error messages, e.g. a file name or URL
   * @return the array
   * @throws FormatException if the data is not a well-formed IDX array (see {@link #read(Path)})
   * @throws IOException if the stream cannot be read
   */
  public static IdxArray read(InputStream in, String source) throws IOException {
    InputStream raw = in.markSupported() ? in : new BufferedInputStream(in, 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    if (b0 == 0x1F && b1 == 0x8B) {
      return readGzip(raw, source);
    }
    return decode(raw, source, -1, false);
  }

  private static IdxArray readGzip(InputStream raw, String source) throws IOException {
    StrictGzipInputStream gz = null;
    try {
      gz = new StrictGzipInputStream(raw);
      return decode(gz, source, -1, true);
    } catch (ZipException | EOFException e) {
      throw new FormatException(source + ": corrupt or truncated gzip data: " + e.getMessage(), e);
    } finally {
      if (gz != null) {
        gz.end();
      }
    }
  }

  private static IdxArray decode(InputStream in, String source, long fileSize, boolean gzip)
      throws IOException {
    String where = gzip ? source + " (after gunzip)" : source;
    byte[] magic = new byte[4];
    int got = readUpTo(in, magic, 0, 4);
    if (got < 4) {
      throw new FormatException(
          where + ": has " + got + " bytes, an IDX header needs at least 4 (00 00 type ndim)");
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw new FormatException(
          where + ": expected IDX magic 00 00 <type> <ndim>, got " + hex(magic, 4));
    }
    byte type = magic[2];
    int elementSize = IdxArray.elementSize(type);
    if (elementSize < 0) {
      throw new FormatException(
          String.format(
              "%s: unknown IDX data type 0x%02x in byte 2 (expected 08 u8, 09 i8, 0b i16, 0c i32,"
                  + " 0d f32 or 0e f64)",
              where, type & 0xFF));
    }
    int ndim = magic[3] & 0xFF;
    if (ndim < 1 || ndim > MAX_DIMS) {
      throw new FormatException(
          where + ": IDX header declares " + ndim + " dimensions in byte 3, expected 1 to "
              + MAX_DIMS);
    }
    byte[] dimBytes = new byte[4 * ndim];
    got = readUpTo(in, dimBytes, 0, dimBytes.length);
    if (got < dimBytes.length) {
      throw new FormatException(
          where + ": IDX header declares " + ndim + " dimensions (" + 4 * ndim + " bytes) but the"
              + " data ends after " + (4 + got) + " bytes");
    }
    int[] dims = new int[ndim];
    for (int i = 0; i < ndim; i++) {
      dims[i] = ((dimBytes[4 * i] & 0xFF) << 24) | ((dimBytes[4 * i + 1] & 0xFF) << 16)
          | ((dimBytes[4 * i + 2] & 0xFF) << 8) | (dimBytes[4 * i + 3] & 0xFF);
      if (dims[i] < 0) {
        throw new FormatException(
            where + ": IDX dimension " + i + " is " + dims[i] + " (" + (dims[i] & 0xFFFFFFFFL)
                + " unsigned), expected 0 to " + Integer.MAX_VALUE);
      }
    }
    long count = elementCount(dims);
    long headerSize = 4 + 4L * ndim;
    if (count < 0 || count > MAX_BYTES / elementSize) {
      throw new FormatException(
          where + ": IDX header claims dims " + Arrays.toString(dims) + " of "
              + IdxArray.typeName(type) + ", more than the " + MAX_BYTES + " bytes an IdxArray can"
              + " hold");
    }
    long bytes = count * elementSize;
    if (fileSize >= 0 && fileSize != headerSize + bytes) {
      if (fileSize < headerSize + bytes) {
        throw new FormatException(
            where + ": IDX header claims dims " + Arrays.toString(dims) + " of "
                + IdxArray.typeName(type) + " = " + bytes + " data bytes, but the file has "
                + (fileSize - headerSize) + " after its " + headerSize + "-byte header");
      }
      throw new FormatException(
          where + ": " + (fileSize - headerSize - bytes) + " trailing bytes after the "
              + bytes + " data bytes that dims " + Arrays.toString(dims) + " of "
              + IdxArray.typeName(type) + " need");
    }
    byte[] data = new byte[(int) Math.min(bytes, FIRST_CHUNK)];
    long filled = 0;
    while (filled < bytes) {
      if (filled == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(bytes, 2L * data.length));
      }
      int n = in.read(data, (int) filled, data.length - (int) filled);
      if (n < 0) {
        throw new FormatException(
            where + ": IDX header claims dims " + Arrays.toString(dims) + " of "
                + IdxArray.typeName(type) + " = " + bytes + " data bytes, but the data ends after "
                + filled);
      }
      filled += n;
    }
    if (in.read() >= 0) {
      long extra = 1 + countUpTo(in, TRAILING_COUNT_CAP);
      throw new FormatException(
          where + ": " + (extra > TRAILING_COUNT_CAP ? "more than " + TRAILING_COUNT_CAP : extra)
              + " trailing bytes after the " + bytes + " data bytes that dims "
              + Arrays.toString(dims) + " of " + IdxArray.typeName(type) + " need");
    }
    return new IdxArray(dims, type, data);
  }

  /** The product of the dimensions, or -1 if it exceeds {@link #MAX_BYTES}. */
  private static long elementCount(int[] dims) {
    for (int d : dims) {
      if (d == 0) {
        return 0;
      }
    }
    long count = 1;
    for (int d : dims) {
      if (count > MAX_BYTES / d) {
        return -1;
      }
      count *= d;
    }
    return count;
  }

  private static long countUpTo(InputStream in, long cap) throws IOException {
    byte[] scratch = new byte[8192];
    long total = 0;
    int n;
    while (total <= cap && (n = in.read(scratch)) >= 0) {
      total += n;
    }
    return total;
  }

  private static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int n = in.read(b, off + total, len - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(String.format("%02x", b[i] & 0xFF));
    }
    return sb.toString();
  }
}
