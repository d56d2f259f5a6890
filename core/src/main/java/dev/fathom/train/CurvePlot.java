package dev.fathom.train;

import dev.fathom.io.PngFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Writes loss and accuracy curves per epoch as one PNG (loss left, accuracy right), after every epoch. */
public final class CurvePlot implements Callback {
  private final Path file;

  public CurvePlot(Path file) {
    this.file = file;
    System.setProperty("java.awt.headless", "true");
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) throws IOException {
    write(file, trainer.history());
  }

  /** Renders the curves of {@code history} into {@code file}. */
  public static void write(Path file, List<EpochResult> history) throws IOException {
    if (history.isEmpty()) return;
    double[] x = history.stream().mapToDouble(EpochResult::epoch).toArray();
    XYChart loss = chart("Loss", "loss");
    loss.addSeries("train", x, history.stream().mapToDouble(EpochResult::trainLoss).toArray());
    XYChart acc = chart("Accuracy", "accuracy");
    acc.addSeries("train", x, history.stream().mapToDouble(EpochResult::trainAccuracy).toArray());
    if (history.stream().noneMatch(e -> Double.isNaN(e.valLoss()))) {
      loss.addSeries("test", x, history.stream().mapToDouble(EpochResult::valLoss).toArray());
      acc.addSeries("test", x, history.stream().mapToDouble(EpochResult::valAccuracy).toArray());
    }
    PngFiles.write(file, PngFiles.sideBySide(List.of(loss, acc)));
  }

  private static XYChart chart(String title, String yLabel) {
    XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle("epoch").yAxisTitle(yLabel).build();
    c.getStyler().setMarkerSize(6);
    c.getStyler().setYAxisDecimalPattern("0.000");
    c.getStyler().setXAxisDecimalPattern("0");
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    return c;
  }
}
