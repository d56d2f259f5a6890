package dev.fathom.io;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * An open, memory-mapped safetensors file whose header has been validated; its tensors are
 * read-only slices of the mapping, read lazily by the operating system.
 *
 * <p>Tensors obtained here are valid until {@link #close()}; after that, reading their data throws
 * {@link IllegalStateException}. Use {@link Safetensors#readAll} for copies that outlive the file.
 * The mapping belongs to a shared arena, so tensors may be read from any thread while the file is
 * open. Open one with {@link Safetensors#open}.
 */
public final class SafetensorsFile implements AutoCloseable {

  private static final int NAMES_IN_MESSAGE = 50;

  private final Path path;
  private final Arena arena;
  private final Map<String, RawTensor> tensors;
  private final Map<String, String> metadata;
  private volatile boolean closed;

  SafetensorsFile(
      Path path, Arena arena, Map<String, RawTensor> tensors, Map<String, String> metadata) {
    this.path = path;
    this.arena = arena;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** The file this was opened from. */
  public Path path() {
    return path;
  }

  /**
   * All tensors by name, in file order (ascending data offset); the map is unmodifiable.
   *
   * @throws IllegalStateException if the file is closed
   */
  public Map<String, RawTensor> tensors() {
    ensureOpen();
    return tensors;
  }

  /** The {@code __metadata__} entries in header order; empty when the header has none. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** True when the file holds a tensor of that name. */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * The tensor of that name.
   *
   * @param name key as written in the header, e.g. {@code "model.embed_tokens.weight"}
   * @return the tensor, its data a slice of the mapping
   * @throws NoSuchElementException if there is no such tensor; the message lists those there are
   * @throws IllegalStateException if the file is closed
   */
  public RawTensor get(String name) {
    ensureOpen();
    RawTensor t = tensors.get(name);
    if (t == null) {
      String names =
          tensors.keySet().stream()
              .limit(NAMES_IN_MESSAGE)
              .map(n -> "'" + n + "'")
              .collect(Collectors.joining(", "));
      String more =
          tensors.size() > NAMES_IN_MESSAGE
              ? ", ... (" + (tensors.size() - NAMES_IN_MESSAGE) + " more)"
              : "";
      throw new NoSuchElementException(
          "safetensors file " + path + " has no tensor '" + name + "'; it has " + tensors.size()
              + (tensors.isEmpty() ? "" : ": " + names + more));
    }
    return t;
  }

  /** Unmaps the file; safe to call more than once. */
  @Override
  public void close() {
    if (!closed) {
      synchronized (this) {
        if (!closed) {
          closed = true;
          arena.close();
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("safetensors file " + path + " is closed");
    }
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors"
        + (closed ? ", closed]" : "]");
  }
}
