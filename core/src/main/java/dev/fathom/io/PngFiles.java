package dev.fathom.io;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** PNG files of plots and images, written atomically ({@link AtomicFiles}): every plot of the CLI goes through here. */
public final class PngFiles {
  private PngFiles() {}

  /** Writes {@code image} as a PNG. */
  public static void write(Path file, BufferedImage image) throws IOException {
    AtomicFiles.write(file, os -> ImageIO.write(image, "png", os));
  }

  /** Renders an XChart chart at its own size and writes it as a PNG. */
  public static void write(Path file, Chart<?, ?> chart) throws IOException {
    write(file, BitmapEncoder.getBufferedImage(chart));
  }

  /** The charts rendered and laid out left to right in one image (as tall as the tallest). */
  public static BufferedImage sideBySide(List<? extends Chart<?, ?>> charts) {
    List<BufferedImage> panels = charts.stream().map(c -> (BufferedImage) BitmapEncoder.getBufferedImage(c)).toList();
    int w = panels.stream().mapToInt(BufferedImage::getWidth).sum(), h = panels.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
    BufferedImage row = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = row.createGraphics();
    int x = 0;
    for (BufferedImage p : panels) {
      g.drawImage(p, x, 0, null);
      x += p.getWidth();
    }
    g.dispose();
    return row;
  }
}
