package dev.fathom.cli;

import dev.fathom.data.CsvReader;
import dev.fathom.data.IdxArray;
import dev.fathom.data.IdxReader;
import dev.fathom.data.Table;
import dev.fathom.io.FormatException;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.tensor.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Reads the inputs {@code fathom predict} takes: IDX images (plain or gzip), PNG images, CSV rows. */
final class Inputs {
  private Inputs() {}

  /** The examples of {@code file} as a batch tensor shaped (N, inputShape...). */
  static Tensor read(Path file, ClassifierConfig c) throws IOException {
    if (!Files.isRegularFile(file)) throw new CliException("--input: no such file '" + file + "'", 1);
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    int[] in = c.inputShape();
    if (name.endsWith(".csv")) {
      Table t = CsvReader.readFeatures(file);
      float[] x = DataSources.tabularFeatures(c, t);
      return Tensor.of(x, t.rows(), in[0]);
    }
    if (!c.featureNames().isEmpty()) throw new CliException("--input: this model takes CSV rows with columns " + c.featureNames(), 1);
    if (name.endsWith(".png")) return png(file, in);
    return idx(file, in);
  }

  private static Tensor idx(Path file, int[] in) throws IOException {
    IdxArray a = IdxReader.read(file);
    int[] d = a.dims();
    int h = in[1], w = in[2];
    boolean single = d.length == 2 && d[0] == h && d[1] == w;
    boolean many = d.length == 3 && d[1] == h && d[2] == w;
    if (!single && !many) {
      throw new FormatException(file + ": expected IDX images of " + h + "x" + w + " (dims [N, " + h + ", " + w + "]), got dims " + Arrays.toString(d));
    }
    float[] x = a.toFloats();
    if (a.dataType() == IdxArray.U8) for (int i = 0; i < x.length; i++) x[i] /= 255f;
    return Tensor.of(x, single ? 1 : d[0], 1, h, w);
  }

  private static Tensor png(Path file, int[] in) throws IOException {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new FormatException(file + ": not a readable PNG image (" + e.getMessage() + ")", e);
    }
    if (img == null) throw new FormatException(file + ": not a PNG image (no image reader recognised its bytes)");
    int h = in[1], w = in[2];
    BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = gray.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, w, h, null);
    g.dispose();
    float[] x = new float[h * w];
    var raster = gray.getRaster();
    for (int yy = 0; yy < h; yy++) for (int xx = 0; xx < w; xx++) x[yy * w + xx] = raster.getSample(xx, yy, 0) / 255f;
    return Tensor.of(x, 1, 1, h, w);
  }
}
