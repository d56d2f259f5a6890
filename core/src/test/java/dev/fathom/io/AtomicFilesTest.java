package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic replacement: complete content or the old file, never a half-written one or a leftover. */
class AtomicFilesTest {

  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesAndReplaces() throws IOException {
    Path p = dir.resolve("config.json");
    AtomicFiles.writeString(p, "{\"a\": 1}");
    assertThat(Files.readString(p)).isEqualTo("{\"a\": 1}");
    AtomicFiles.writeString(p, "ünïcödé");
    assertThat(Files.readString(p)).isEqualTo("ünïcödé");
    byte[] big = new byte[300_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    AtomicFiles.write(p, out -> {
      out.write(big, 0, 1000);
      out.write(big, 1000, big.length - 1000);
      out.close();
    });
    assertThat(Files.readAllBytes(p)).isEqualTo(big);
    assertThat(names()).containsExactly("config.json");
  }

  @Test
  void failingBodyLeavesTheOldFileAndNoTemp() throws IOException {
    Path p = dir.resolve("model.safetensors");
    AtomicFiles.writeString(p, "old content");
    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    p,
                    out -> {
                      out.write(new byte[100_000]);
                      throw new IOException("disk full (simulated)");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full (simulated)");
    assertThat(Files.readString(p)).isEqualTo("old content");
    assertThat(names()).containsExactly("model.safetensors");

    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    p,
                    out -> {
                      out.write(1);
                      throw new UncheckedIOException(new IOException("runtime failure"));
                    }))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(Files.readString(p)).isEqualTo("old content");
    assertThat(names()).containsExactly("model.safetensors");
  }

  @Test
  void failingBodyForANewFileLeavesNothing() throws IOException {
    Path p = dir.resolve("new.bin");
    assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
          throw new IOException("nope");
        }))
        .hasMessage("nope");
    assertThat(names()).isEmpty();
  }

  @Test
  void missingDirectoryIsAnIoError() {
    Path p = dir.resolve("no/such/dir/file.txt");
    assertThatThrownBy(() -> AtomicFiles.writeString(p, "x")).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void relativeTargetsWork() throws IOException {
    Path rel = Path.of("target", "atomic-files-test-" + ProcessHandle.current().pid() + ".txt");
    Files.createDirectories(rel.toAbsolutePath().getParent());
    try {
      AtomicFiles.writeString(rel, "relative");
      assertThat(Files.readString(rel)).isEqualTo("relative");
    } finally {
      Files.deleteIfExists(rel);
    }
  }
}
