package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.insight.RemovalCurve;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.PngFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The pictures of {@code fathom value}: the removal curve and the lowest-valued images. */
final class ValuePlots {
  private ValuePlots() {}

  static void removal(Path file, RemovalCurve.Result r, String method) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart c = new XYChartBuilder().width(640).height(440).title("Removal curve: " + shortName(method)).xAxisTitle("training data removed (%)")
        .yAxisTitle("held-out accuracy").build();
    double[] x = Arrays.stream(r.fractions()).map(f -> 100 * f).toArray();
    c.addSeries("highest value first", x, r.highFirst());
    c.addSeries("lowest value first", x, r.lowFirst());
    c.addSeries("random", x, r.random());
    c.getStyler().setYAxisDecimalPattern("0.000");
    c.getStyler().setXAxisDecimalPattern("0");
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
    PngFiles.write(file, c);
  }

  private static String shortName(String label) {
    int p = label.indexOf(" (");
    return p > 0 ? label.substring(0, p) : label;
  }

  /**
   * The {@code count} lowest-valued rows of a table as CSV: index (data row), value, label (after
   * flipping), the original label when flipped, then the features before standardization.
   */
  static void lowestRows(Path file, ValueData d, double[] values, int count) throws IOException {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
    int f = d.train().features();
    StringBuilder csv = new StringBuilder("index,value,label,was");
    for (String name : d.featureNames()) csv.append(',').append(csvField(name));
    csv.append('\n');
    for (int s = 0; s < Math.min(count, values.length); s++) {
      int i = order[s];
      csv.append(d.source()[i]).append(',').append(String.format(java.util.Locale.ROOT, "%.6g", values[i])).append(',')
          .append(csvField(d.classNames().get(d.train().y()[i]))).append(',').append(d.flipped()[i] ? csvField(d.classNames().get(d.original()[i])) : "");
      for (int k = 0; k < f; k++) csv.append(',').append(d.rawTrain()[i * f + k]);
      csv.append('\n');
    }
    AtomicFiles.writeString(file, csv.toString());
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** A grid of the {@code count} lowest-valued images, each captioned with its label (and the true one when flipped). */
  static void lowest(Path file, ValueData d, double[] values, int count) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
    int shown = Math.min(count, values.length), cols = 8, rows = (shown + cols - 1) / cols, scale = 3;
    int cw = d.width() * scale + 8, ch = d.height() * scale + 30;
    BufferedImage img = new BufferedImage(cols * cw, rows * ch, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    int dim = d.train().features();
    for (int s = 0; s < shown; s++) {
      int i = order[s], x0 = (s % cols) * cw + 4, y0 = (s / cols) * ch + 4;
      for (int r = 0; r < d.height(); r++) {
        for (int c = 0; c < d.width(); c++) {
          int v = 255 - Math.round(255 * Math.min(1, Math.max(0, d.train().x()[i * dim + r * d.width() + c])));
          g.setColor(new Color(v, v, v));
          g.fillRect(x0 + c * scale, y0 + r * scale, scale, scale);
        }
      }
      String label = FashionMnist.CLASS_NAMES.get(d.train().y()[i]);
      g.setColor(d.flipped()[i] ? new Color(190, 20, 20) : Color.BLACK);
      g.drawString(label, x0, y0 + d.height() * scale + 11);
      if (d.flipped()[i]) g.drawString("was " + FashionMnist.CLASS_NAMES.get(d.original()[i]), x0, y0 + d.height() * scale + 22);
    }
    g.dispose();
    PngFiles.write(file, img);
  }
}
