package dev.fathom.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file writes that readers see either complete or not at all: the content goes to a
 * temporary file in the target's directory, is forced to disk, and is renamed over the target.
 *
 * <p>A crash or an exception part-way leaves the previous file untouched; on an exception the
 * temporary file is deleted. (A crash of the JVM itself may leave a {@code .name.*.tmp} file
 * beside the target, never a half-written target.)
 */
public final class AtomicFiles {

  /*
   * Design: the temporary file is created with CREATE_NEW rather than Files.createTempFile, so
   * it gets the default permissions of a new file (umask) instead of owner-only 0600, and the
   * renamed target looks like any other file the user writes. After the rename the directory is
   * forced too, so the new directory entry survives a power cut; where a directory cannot be
   * opened for that (Windows), the rename alone is what we get.
   */

  private static final int BUFFER = 1 << 16;
  private static final int NAME_TRIES = 16;

  private AtomicFiles() {}

  /**
   * Something that writes to a value and may fail with an {@link IOException}.
   *
   * @param <T> what it writes to
   */
  @FunctionalInterface
  public interface IOConsumer<T> {
    /**
     * Writes to the value.
     *
     * @throws IOException when writing fails
     */
    void accept(T value) throws IOException;
  }

  /**
   * Replaces {@code target} atomically with what {@code body} writes.
   *
   * <p>The stream given to the body is buffered; closing it is allowed and does nothing more
   * than flush. The parent directory must exist.
   *
   * @param target file to create or replace
   * @param body writes the whole content
   * @throws IOException if the body fails (its exception, unchanged) or the temporary file cannot
   *     be written, forced or renamed; the old target is then intact and no temporary file remains
   */
  public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir == null) {
      throw new IOException("atomic write: target " + target + " has no parent directory");
    }
    Path tmp = createTemp(dir, abs.getFileName().toString());
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream raw = Channels.newOutputStream(ch);
        BufferedOutputStream buffered = new BufferedOutputStream(raw, BUFFER);
        body.accept(new FlushOnClose(buffered));
        buffered.flush();
        ch.force(true);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } finally {
      if (!moved) {
        deleteQuietly(tmp);
      }
    }
    forceDirectory(dir);
  }

  /**
   * Replaces {@code target} atomically with the UTF-8 bytes of {@code text}.
   *
   * @param target file to create or replace
   * @param text the whole content
   * @throws IOException if the file cannot be written or renamed; the old target is then intact
   */
  public static void writeString(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  private static Path createTemp(Path dir, String name) throws IOException {
    HexFormat hex = HexFormat.of();
    for (int i = 0; ; i++) {
      String suffix = hex.toHexDigits(ThreadLocalRandom.current().nextLong());
      Path tmp = dir.resolve("." + name + "." + suffix + ".tmp");
      try {
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (i + 1 >= NAME_TRIES) {
          throw new IOException(
              "atomic write: could not create a temporary file in " + dir + " after "
                  + NAME_TRIES + " tries",
              e);
        }
      }
    }
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // The body's exception is the one worth reporting; a leftover .tmp file is harmless.
    }
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Not possible on every platform (see the design note); the rename has happened.
    }
  }

  /** Lets the body close its stream without closing the file before it is forced. */
  private static final class FlushOnClose extends FilterOutputStream {
    FlushOnClose(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
