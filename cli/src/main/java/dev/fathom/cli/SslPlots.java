package dev.fathom.cli;

import dev.fathom.io.PngFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The pretraining loss curve of {@code fathom ssl pretrain}. */
final class SslPlots {
  private SslPlots() {}

  /** Loss per step and its moving average over 50 steps. */
  static void loss(Path file, double[] steps, String method) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (steps.length == 0) return;
    double[] x = new double[steps.length], avg = new double[steps.length];
    double sum = 0;
    for (int i = 0; i < steps.length; i++) {
      x[i] = i + 1;
      sum += steps[i];
      if (i >= 50) sum -= steps[i - 50];
      avg[i] = sum / Math.min(i + 1, 50);
    }
    XYChart c = new XYChartBuilder().width(640).height(420).title(method + " pretraining loss").xAxisTitle("step").yAxisTitle("loss").build();
    c.getStyler().setMarkerSize(0);
    c.addSeries("step", x, steps);
    c.addSeries("mean of 50", x, avg);
    PngFiles.write(file, c);
  }
}
