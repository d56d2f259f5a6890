package dev.fathom.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * A gzip (RFC 1952) decoder that rejects what {@link java.util.zip.GZIPInputStream} lets pass:
 * bytes after the last member that are not another gzip member are an error here, where the JDK
 * class silently stops reading. Concatenated members are decoded one after another, as gzip(1)
 * does. Every member's CRC-32 and length are checked.
 *
 * <p>Errors are {@link ZipException} (corrupt data) or {@link EOFException} (truncated data);
 * the caller turns them into a {@code FormatException} that names the file.
 */
final class StrictGzipInputStream extends InputStream {
  private static final int FTEXT_RESERVED = 0xE0;
  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;

  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private final byte[] one = new byte[1];
  private int pos;
  private int lim;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private long memberBytesOut;
  private long compressedOffset;
  private boolean done;

  StrictGzipInputStream(InputStream in) throws IOException {
    this.in = in;
    readHeader(true);
  }

  /** Bytes of the compressed stream consumed so far (for error messages). */
  long compressedOffset() {
    return compressedOffset + pos;
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (!done) {
      if (inflater.needsInput()) {
        if (pos == lim && !fill()) {
          throw new EOFException(
              "gzip data ends after " + compressedOffset() + " bytes, inside a compressed block");
        }
        inflater.setInput(buf, pos, lim - pos);
        pos = lim;
      }
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new ZipException("corrupt deflate data: " + e.getMessage());
      }
      pos = lim - inflater.getRemaining();
      if (n > 0) {
        crc.update(b, off, n);
        memberBytesOut += n;
        return n;
      }
      if (inflater.finished()) {
        endMember();
      } else if (inflater.needsDictionary()) {
        throw new ZipException("deflate stream asks for a preset dictionary, which gzip never has");
      }
    }
    return -1;
  }

  /** Frees the inflater's native memory without closing the underlying stream. */
  void end() {
    inflater.end();
  }

  @Override
  public void close() throws IOException {
    inflater.end();
    in.close();
  }

  private void endMember() throws IOException {
    long storedCrc = readUInt32Le();
    long storedSize = readUInt32Le();
    if (storedCrc != crc.getValue()) {
      throw new ZipException(
          String.format(
              "gzip trailer CRC-32 is %08x but the data has %08x", storedCrc, crc.getValue()));
    }
    if (storedSize != (memberBytesOut & 0xFFFFFFFFL)) {
      throw new ZipException(
          "gzip trailer length is " + storedSize + " but the member has " + memberBytesOut
              + " bytes (mod 2^32)");
    }
    if (peek() < 0) {
      done = true;
      return;
    }
    inflater.reset();
    crc.reset();
    memberBytesOut = 0;
    readHeader(false);
  }

  private void readHeader(boolean first) throws IOException {
    long at = compressedOffset();
    int id1 = readByte();
    int id2 = peek();
    if (id1 != 0x1F || id2 != 0x8B) {
      String got = String.format("%02x", id1) + (id2 < 0 ? "" : String.format(" %02x", id2));
      throw new ZipException(
          first
              ? "not gzip: expected magic 1f 8b, got " + got
              : "trailing bytes after the gzip data at byte " + at + ": expected end of file or"
                  + " another gzip member starting 1f 8b, got " + got);
    }
    readByte();
    int method = readByte();
    if (method != 8) {
      throw new ZipException("gzip compression method is " + method + ", expected 8 (deflate)");
    }
    int flags = readByte();
    if ((flags & FTEXT_RESERVED) != 0) {
      throw new ZipException(String.format("gzip header has reserved flag bits set: %02x", flags));
    }
    for (int i = 0; i < 6; i++) {
      readByte();
    }
    if ((flags & FEXTRA) != 0) {
      int xlen = readByte() | (readByte() << 8);
      for (int i = 0; i < xlen; i++) {
        readByte();
      }
    }
    if ((flags & FNAME) != 0) {
      skipZeroTerminated();
    }
    if ((flags & FCOMMENT) != 0) {
      skipZeroTerminated();
    }
    if ((flags & FHCRC) != 0) {
      readByte();
      readByte();
    }
  }

  private void skipZeroTerminated() throws IOException {
    while (readByte() != 0) {
      // skip one byte of a zero-terminated header field
    }
  }

  private long readUInt32Le() throws IOException {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v |= (long) readByte() << (8 * i);
    }
    return v;
  }

  private int readByte() throws IOException {
    if (pos == lim && !fill()) {
      throw new EOFException("gzip data ends after " + compressedOffset() + " bytes, inside a"
          + " header or trailer");
    }
    return buf[pos++] & 0xFF;
  }

  private int peek() throws IOException {
    if (pos == lim && !fill()) {
      return -1;
    }
    return buf[pos] & 0xFF;
  }

  private boolean fill() throws IOException {
    compressedOffset += lim;
    pos = 0;
    lim = 0;
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    lim = n;
    return true;
  }
}
