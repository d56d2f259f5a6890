package dev.fathom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.fathom.io.FormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir Path tmp;

  private static boolean debianPresent() {
    return FashionMnist.FILES.stream().allMatch(f -> Files.isRegularFile(DEBIAN.resolve(f)));
  }

  /** Tiny stand-ins for the four files: 2 images of 28x28 per split, gzip-compressed. */
  private static Map<String, byte[]> tinyFiles() throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    byte[] px = new byte[2 * 28 * 28];
    px[0] = (byte) 255;
    px[1] = (byte) 51;
    for (String split : List.of("train", "t10k")) {
      files.put(split + "-images-idx3-ubyte.gz",
          IdxReaderTest.gzip(IdxArray.ofU8(new int[] {2, 28, 28}, px).toBytes()));
      files.put(split + "-labels-idx1-ubyte.gz",
          IdxReaderTest.gzip(IdxArray.ofU8(new int[] {2}, new byte[] {9, 0}).toBytes()));
    }
    return files;
  }

  private static void writeAll(Path dir, Map<String, byte[]> files) throws IOException {
    Files.createDirectories(dir);
    for (var e : files.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }

  @Test
  void readsTheRealTestSet() throws IOException {
    assumeTrue(debianPresent(), "dataset-fashion-mnist is not installed");
    FashionMnist.LabeledImages test = FashionMnist.load(DEBIAN, false);
    assertThat(test.count()).isEqualTo(10000);
    assertThat(test.images()).hasSize(10000 * 784);
    assertThat(test.labels()[0]).isEqualTo(9);
    assertThat(FashionMnist.CLASS_NAMES.get(test.labels()[0])).isEqualTo("Ankle boot");
    int[] perClass = new int[10];
    for (int y : test.labels()) {
      perClass[y]++;
    }
    assertThat(perClass).containsOnly(1000);
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : test.images()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(min).isEqualTo(0f);
    assertThat(max).isEqualTo(1f);
  }

  @Test
  void debianFilesMatchThePinnedPayloadDigests() throws IOException {
    assumeTrue(debianPresent(), "dataset-fashion-mnist is not installed");
    for (String f : FashionMnist.FILES) {
      assertThat(FashionMnist.payloadSha256(DEBIAN.resolve(f)))
          .as(f)
          .isEqualTo(FashionMnist.PAYLOAD_SHA256.get(f));
    }
  }

  @Test
  void loadScalesAndChecksShapes() throws IOException {
    writeAll(tmp, tinyFiles());
    FashionMnist.LabeledImages train = FashionMnist.load(tmp, true);
    assertThat(train.count()).isEqualTo(2);
    assertThat(train.images()[0]).isEqualTo(1f);
    assertThat(train.images()[1]).isEqualTo(0.2f);
    assertThat(train.labels()).containsExactly(9, 0);

    Files.write(tmp.resolve("t10k-labels-idx1-ubyte.gz"),
        IdxReaderTest.gzip(IdxArray.ofU8(new int[] {3}, new byte[] {1, 2, 3}).toBytes()));
    assertThatThrownBy(() -> FashionMnist.load(tmp, false))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("has 2 images but")
        .hasMessageContaining("has 3 labels");

    Files.write(tmp.resolve("t10k-images-idx3-ubyte.gz"),
        IdxArray.ofU8(new int[] {3, 32, 32}, new byte[3 * 32 * 32]).toBytes());
    assertThatThrownBy(() -> FashionMnist.load(tmp, false))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(
            "expected u8 images of shape [N, 28, 28], got IdxArray[u8 [3, 32, 32]]");
  }

  @Test
  void acceptsUnpackedFiles() throws IOException {
    for (var e : tinyFiles().entrySet()) {
      String plain = e.getKey().substring(0, e.getKey().length() - 3);
      Files.write(tmp.resolve(plain), new GZIPInputStream(
          new ByteArrayInputStream(e.getValue())).readAllBytes());
    }
    assertThat(FashionMnist.locate(List.of(tmp), tmp.resolve("dl"), null)).isEqualTo(tmp);
    assertThat(FashionMnist.load(tmp, false).labels()).containsExactly(9, 0);
  }

  @Test
  void defaultSearchOrder() {
    Path home = Path.of("/home/u");
    assertThat(FashionMnist.candidates("/data", home))
        .containsExactly(
            Path.of("/data"),
            Path.of("/data/fashion-mnist"),
            Path.of("/home/u/.fathom/datasets/fashion-mnist"),
            Path.of("/usr/share/datasets/fashion-mnist"));
    assertThat(FashionMnist.candidates(null, home))
        .containsExactly(
            Path.of("/home/u/.fathom/datasets/fashion-mnist"),
            Path.of("/usr/share/datasets/fashion-mnist"));
  }

  @Test
  void locateReturnsTheFirstCompleteDirectory() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path partial = tmp.resolve("partial");
    Map<String, byte[]> files = tinyFiles();
    String one = "train-images-idx3-ubyte.gz";
    writeAll(partial, Map.of(one, files.get(one)));
    Path second = tmp.resolve("second");
    Path third = tmp.resolve("third");
    writeAll(second, files);
    writeAll(third, files);
    assertThat(FashionMnist.locate(List.of(empty, partial, second, third), tmp.resolve("dl"), null))
        .isEqualTo(second);
  }

  @Test
  @Timeout(20)
  void errorNamesEveryPlaceTriedAndHowToInstall() throws IOException {
    Path missing = tmp.resolve("nope");
    Path partial = tmp.resolve("partial");
    writeAll(partial, Map.of("train-labels-idx1-ubyte.gz", new byte[] {1}));
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort + "/";
    Path dl = tmp.resolve("dl");
    var e =
        assertThrows(
            DatasetNotFoundException.class,
            () -> FashionMnist.locate(List.of(missing, partial), dl, url));
    assertThat(e.getMessage())
        .contains(missing + ": no such directory")
        .contains(partial + ": missing train-images-idx3-ubyte.gz, t10k-images-idx3-ubyte.gz,"
            + " t10k-labels-idx1-ubyte.gz")
        .contains(
            "download from " + url + " into " + dl + ": " + url + "train-images-idx3-ubyte.gz")
        .contains("ConnectException")
        .contains("apt-get install dataset-fashion-mnist")
        .contains("FATHOM_DATA")
        .doesNotContain("\n");
    assertThat(e.tried()).hasSize(3);
    assertThat(e.getMessage().indexOf(missing.toString()))
        .isLessThan(e.getMessage().indexOf(partial.toString()));

    var disabled =
        assertThrows(
            DatasetNotFoundException.class,
            () -> FashionMnist.locate(List.of(missing), dl, null));
    assertThat(disabled.tried())
        .containsExactly(missing + ": no such directory", "download: disabled");
  }

  @Test
  @Timeout(20)
  void downloadsVerifiesAndMovesIntoPlace() throws IOException {
    Map<String, byte[]> files = tinyFiles();
    Map<String, String> digests = new HashMap<>();
    Path ref = Files.createDirectories(tmp.resolve("ref"));
    writeAll(ref, files);
    for (String f : FashionMnist.FILES) {
      digests.put(f, FashionMnist.payloadSha256(ref.resolve(f)));
    }
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/fm/", ex -> {
      requests.incrementAndGet();
      String name = ex.getRequestURI().getPath().substring("/fm/".length());
      byte[] body = files.get(name);
      if (body == null) {
        ex.sendResponseHeaders(404, -1);
      } else {
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
      ex.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/fm/";
      Path dl = tmp.resolve("cache/fashion-mnist");
      assertThat(FashionMnist.locate(List.of(tmp.resolve("none")), dl, base, digests))
          .isEqualTo(dl);
      assertThat(requests.get()).isEqualTo(4);
      try (var listing = Files.list(dl)) {
        assertThat(listing.map(p -> p.getFileName().toString()).sorted().toList())
            .containsExactlyElementsOf(FashionMnist.FILES.stream().sorted().toList());
      }
      assertThat(FashionMnist.load(dl, true).labels()).containsExactly(9, 0);

      // A second call finds the cache among the candidates: no request.
      assertThat(FashionMnist.locate(List.of(dl), dl, base, digests)).isEqualTo(dl);
      assertThat(requests.get()).isEqualTo(4);

      // A wrong digest rejects the file and leaves nothing behind.
      Path bad = tmp.resolve("bad");
      Map<String, String> wrong = new HashMap<>(digests);
      wrong.put("train-labels-idx1-ubyte.gz", "00".repeat(32));
      var e =
          assertThrows(
              DatasetNotFoundException.class,
              () -> FashionMnist.locate(List.of(), bad, base, wrong));
      assertThat(e.getMessage())
          .contains("train-labels-idx1-ubyte.gz: SHA-256 of the decompressed data is "
              + digests.get("train-labels-idx1-ubyte.gz") + ", expected " + "00".repeat(32));
      try (var listing = Files.list(bad)) {
        assertThat(listing.map(p -> p.getFileName().toString()).toList())
            .containsExactly("train-images-idx3-ubyte.gz");
      }

      // A 404 is reported with its status.
      var notFound =
          assertThrows(
              DatasetNotFoundException.class,
              () -> FashionMnist.locate(List.of(), tmp.resolve("nf"), base + "missing/", digests));
      assertThat(notFound.getMessage()).contains("HTTP 404, expected 200");
    } finally {
      server.stop(0);
    }
  }
}
