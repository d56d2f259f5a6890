package dev.fathom.data;

import dev.fathom.io.FormatException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grey images of clothing in 10 classes,
 * 60000 for training and 10000 for testing, as four IDX files.
 *
 * <p>{@link #locate()} finds the files: in {@code $FATHOM_DATA},
 * {@code $FATHOM_DATA/fashion-mnist}, {@code ~/.fathom/datasets/fashion-mnist},
 * {@code /usr/share/datasets/fashion-mnist} (Debian's {@code dataset-fashion-mnist}), in that
 * order; failing those it downloads them into
 * {@code ~/.fathom/datasets/fashion-mnist} and checks their SHA-256.
 */
public final class FashionMnist {
  /** The class names, index = label. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** Image height and width in pixels. */
  public static final int SIDE = 28;

  /** The four files, as published. */
  public static final List<String> FILES =
      List.of(
          "train-images-idx3-ubyte.gz",
          "train-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz");

  /** The official download location, from the Fashion-MNIST README. */
  public static final String DEFAULT_URL_BASE =
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  /*
   * Checksums. The digests below are SHA-256 of the decompressed IDX bytes, not of the .gz
   * files: the same data circulates with different gzip containers. Debian's .gz files have
   * other MD5s (e.g. t10k-images f78720b4...) than the ones the Fashion-MNIST README publishes
   * (bef4ecab...), because Debian recompressed them; their decompressed bytes are the same.
   * These digests were computed from Debian's files and cross-checked: their decompressed MD5s
   * (t10k-images 8181f547..., t10k-labels 15d48437..., train-images f4a8712d..., train-labels
   * 9018921c...) equal those published for the gunzipped official files, whose .gz MD5s match
   * the README's (8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd...). Verifying the payload
   * accepts any faithful mirror, whatever its compression.
   */
  static final Map<String, String> PAYLOAD_SHA256 =
      Map.of(
          "train-images-idx3-ubyte.gz",
          "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
          "train-labels-idx1-ubyte.gz",
          "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
          "t10k-images-idx3-ubyte.gz",
          "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
          "t10k-labels-idx1-ubyte.gz",
          "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(20);
  private static final long BODY_TIMEOUT_MINUTES = 10;

  /**
   * One split of Fashion-MNIST: images as floats in [0, 1] and their labels.
   *
   * @param images (N, 28*28) row-major, pixel value / 255
   * @param labels (N) class indices into {@link #CLASS_NAMES}
   * @param height 28
   * @param width 28
   */
  public record LabeledImages(float[] images, int[] labels, int height, int width) {
    /**
     * Checks the shapes.
     *
     * @throws IllegalArgumentException if images is not labels.length x height x width
     */
    public LabeledImages {
      if ((long) labels.length * height * width != images.length) {
        throw new IllegalArgumentException(
            "LabeledImages: " + labels.length + " labels of " + height + "x" + width + " need "
                + (long) labels.length * height * width + " pixels, got " + images.length);
      }
    }

    /**
     * The number of images N.
     *
     * @return N
     */
    public int count() {
      return labels.length;
    }
  }

  private FashionMnist() {}

  /**
   * Loads the training (60000) or test (10000) split from the located directory.
   *
   * @param train true for the training split, false for the test split
   * @return the images scaled to [0, 1] and the labels
   * @throws DatasetNotFoundException if the files are nowhere and cannot be downloaded
   * @throws FormatException if a file is not the expected IDX data (see {@link #load(Path,
   *     boolean)})
   * @throws IOException if a file cannot be read
   */
  public static LabeledImages load(boolean train) throws IOException {
    return load(locate(), train);
  }

  /**
   * Loads a split from a directory holding the files (each as {@code .gz} or unpacked).
   *
   * @param dir the directory
   * @param train true for the training split, false for the test split
   * @return the images scaled to [0, 1] and the labels
   * @throws FormatException if the images are not u8 (N, 28, 28), the labels not u8 (N), the
   *     counts differ, or a label is above 9
   * @throws IOException if a file is missing or cannot be read
   */
  public static LabeledImages load(Path dir, boolean train) throws IOException {
    Path imageFile = require(dir, FILES.get(train ? 0 : 2));
    Path labelFile = require(dir, FILES.get(train ? 1 : 3));
    IdxArray images = IdxReader.read(imageFile);
    IdxArray labels = IdxReader.read(labelFile);
    int[] d = images.dims();
    if (images.dataType() != IdxArray.U8 || d.length != 3 || d[1] != SIDE || d[2] != SIDE) {
      throw new FormatException(
          imageFile + ": expected u8 images of shape [N, 28, 28], got " + images);
    }
    if (labels.dataType() != IdxArray.U8 || labels.dims().length != 1) {
      throw new FormatException(labelFile + ": expected u8 labels of shape [N], got " + labels);
    }
    if (labels.dims()[0] != d[0]) {
      throw new FormatException(
          imageFile + " has " + d[0] + " images but " + labelFile + " has " + labels.dims()[0]
              + " labels");
    }
    int[] y = labels.toInts();
    for (int i = 0; i < y.length; i++) {
      if (y[i] >= CLASS_NAMES.size()) {
        throw new FormatException(
            labelFile + ": label " + i + " is " + y[i] + ", expected 0 to 9");
      }
    }
    byte[] px = images.data();
    float[] x = new float[px.length];
    for (int i = 0; i < px.length; i++) {
      x[i] = (px[i] & 0xFF) / 255f;
    }
    return new LabeledImages(x, y, SIDE, SIDE);
  }

  /**
   * Finds a directory holding the four files, downloading them if none does.
   *
   * @return the directory
   * @throws DatasetNotFoundException naming every directory tried and the download, if all fail
   */
  public static Path locate() throws DatasetNotFoundException {
    return locate(defaultCandidates(), defaultDownloadDir(), DEFAULT_URL_BASE);
  }

  /**
   * Finds a directory holding the four files among {@code candidates}, in order; if none does
   * and {@code urlBase} is not null, downloads the missing files from {@code urlBase + name} into
   * {@code downloadDir} (temp file, SHA-256 check of the decompressed data, atomic rename).
   *
   * @param candidates directories to search, in order
   * @param downloadDir where downloaded files go
   * @param urlBase the download location ending in '/', or null to never download
   * @return the first directory holding all four files
   * @throws DatasetNotFoundException naming every directory tried and the download, if all fail
   */
  public static Path locate(List<Path> candidates, Path downloadDir, String urlBase)
      throws DatasetNotFoundException {
    return locate(candidates, downloadDir, urlBase, PAYLOAD_SHA256);
  }

  static Path locate(
      List<Path> candidates, Path downloadDir, String urlBase, Map<String, String> sha256)
      throws DatasetNotFoundException {
    List<String> tried = new ArrayList<>();
    for (Path dir : candidates) {
      String missing = missing(dir);
      if (missing.isEmpty()) {
        return dir;
      }
      tried.add(dir + ": " + missing);
    }
    if (urlBase == null) {
      tried.add("download: disabled");
    } else {
      try {
        download(downloadDir, urlBase, sha256);
        return downloadDir;
      } catch (IOException e) {
        tried.add("download from " + urlBase + " into " + downloadDir + ": " + describe(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        tried.add("download from " + urlBase + ": interrupted");
      }
    }
    throw new DatasetNotFoundException(
        "Fashion-MNIST not found. Tried, in order: " + String.join("; ", tried)
            + ". Install it with `apt-get install dataset-fashion-mnist`, or set FATHOM_DATA to a"
            + " directory holding " + String.join(", ", FILES),
        tried);
  }

  /**
   * The directories {@link #locate()} searches, in order, from the environment.
   *
   * @return {@code $FATHOM_DATA} and {@code $FATHOM_DATA/fashion-mnist} if the variable is set,
   *     then {@code ~/.fathom/datasets/fashion-mnist} and {@code /usr/share/datasets/fashion-mnist}
   */
  public static List<Path> defaultCandidates() {
    return candidates(System.getenv("FATHOM_DATA"), Path.of(System.getProperty("user.home")));
  }

  static List<Path> candidates(String fathomData, Path home) {
    List<Path> out = new ArrayList<>();
    if (fathomData != null && !fathomData.isBlank()) {
      out.add(Path.of(fathomData));
      out.add(Path.of(fathomData, "fashion-mnist"));
    }
    out.add(home.resolve(".fathom/datasets/fashion-mnist"));
    out.add(Path.of("/usr/share/datasets/fashion-mnist"));
    return out;
  }

  private static Path defaultDownloadDir() {
    return Path.of(System.getProperty("user.home"), ".fathom", "datasets", "fashion-mnist");
  }

  /** The file for {@code name} in {@code dir}: {@code name} itself or its unpacked twin. */
  private static Path find(Path dir, String name) {
    Path gz = dir.resolve(name);
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(name.substring(0, name.length() - ".gz".length()));
    return Files.isRegularFile(plain) ? plain : null;
  }

  private static Path require(Path dir, String name) throws NoSuchFileException {
    Path p = find(dir, name);
    if (p == null) {
      throw new NoSuchFileException(
          dir.resolve(name).toString(), null, "neither it nor its unpacked twin exists");
    }
    return p;
  }

  /** Why {@code dir} is not usable, or "" if it holds all four files. */
  private static String missing(Path dir) {
    if (!Files.isDirectory(dir)) {
      return "no such directory";
    }
    List<String> absent = new ArrayList<>();
    for (String f : FILES) {
      if (find(dir, f) == null) {
        absent.add(f);
      }
    }
    return absent.isEmpty() ? "" : "missing " + String.join(", ", absent);
  }

  private static void download(Path dir, String urlBase, Map<String, String> sha256)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    try (HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build()) {
      for (String name : FILES) {
        if (find(dir, name) != null) {
          continue;
        }
        String url = urlBase + name;
        Path part = Files.createTempFile(dir, name, ".part");
        try {
          fetch(client, url, part);
          String actual = payloadSha256(part);
          String expected = sha256.get(name);
          if (!actual.equals(expected)) {
            throw new IOException(
                url + ": SHA-256 of the decompressed data is " + actual + ", expected " + expected);
          }
          try {
            Files.move(part, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
          }
        } finally {
          Files.deleteIfExists(part);
        }
      }
    }
  }

  private static void fetch(HttpClient client, String url, Path part)
      throws IOException, InterruptedException {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(url)).timeout(HEADERS_TIMEOUT).GET().build();
    } catch (IllegalArgumentException e) {
      throw new IOException("bad URL " + url + ": " + e.getMessage(), e);
    }
    var future =
        client.sendAsync(
            request,
            HttpResponse.BodyHandlers.ofFile(
                part,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
    HttpResponse<Path> response;
    try {
      response = future.get(BODY_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IOException(url + ": not complete after " + BODY_TIMEOUT_MINUTES + " minutes", e);
    } catch (ExecutionException e) {
      throw new IOException(url + ": " + describe(e.getCause()), e.getCause());
    }
    if (response.statusCode() != 200) {
      throw new IOException(url + ": HTTP " + response.statusCode() + ", expected 200");
    }
  }

  private static String describe(Throwable e) {
    boolean ours = e.getClass() == IOException.class && e.getMessage() != null;
    if (e instanceof FormatException || ours) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** SHA-256 of a file's content after gunzip (or as is, if it is not gzip). */
  static String payloadSha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      boolean gz = raw.read() == 0x1F && raw.read() == 0x8B;
      raw.reset();
      try (InputStream in = new DigestInputStream(gz ? new StrictGzipInputStream(raw) : raw, md)) {
        in.transferTo(OutputStream.nullOutputStream());
      } catch (ZipException | EOFException e) {
        throw new FormatException(file + ": corrupt or truncated gzip data: " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
