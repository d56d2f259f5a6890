package dev.fathom.cli;

import dev.fathom.insight.sensitivity.ProbeResult;
import dev.fathom.io.PngFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The plots of {@code fathom sensitivity}: accuracy against input length, sharpness against
 * length (log scale), and in one row parameter norm, distance from initialization and LayerNorm
 * blow-up at the answer position, one line per task.
 */
final class SensitivityPlots {
  /** Sharpness values at or below this are drawn at it on the log axis (a flat minimum can measure ≤ 0). */
  static final double SHARPNESS_FLOOR = 1e-6;

  private SensitivityPlots() {}

  static void write(Path dir, List<ProbeResult> results) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart acc = chart("Test accuracy", "accuracy", false);
    acc.getStyler().setYAxisMin(0.4);
    acc.getStyler().setYAxisMax(1.02);
    add(acc, results, ProbeResult::accuracy);
    PngFiles.write(dir.resolve("accuracy.png"), acc);
    XYChart sharp = chart("Sharpness (loss increase, values <= 1e-6 drawn at 1e-6)", "sharpness", true);
    add(sharp, results, r -> Math.max(r.sharpness(), SHARPNESS_FLOOR));
    PngFiles.write(dir.resolve("sharpness.png"), sharp);
    XYChart norm = chart("Parameter norm", "||theta||_2", false);
    add(norm, results, ProbeResult::paramNorm);
    XYChart moved = chart("Distance from initialization", "||theta - theta_0||_2", false);
    add(moved, results, ProbeResult::paramDistance);
    XYChart ln = chart("LayerNorm blow-up at the answer position", "mean 1/sqrt(var+eps)", false);
    add(ln, results, ProbeResult::lnBlowupAnswer);
    PngFiles.write(dir.resolve("norms.png"), PngFiles.sideBySide(List.of(norm, moved, ln)));
  }

  private static XYChart chart(String title, String yLabel, boolean log) {
    XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle("input length n").yAxisTitle(yLabel).build();
    c.getStyler().setMarkerSize(7);
    c.getStyler().setXAxisDecimalPattern("0");
    c.getStyler().setYAxisLogarithmic(log);
    c.getStyler().setYAxisDecimalPattern(log ? "0.0E0" : "0.00");
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    return c;
  }

  private static void add(XYChart c, List<ProbeResult> results, ToDoubleFunction<ProbeResult> y) {
    Map<String, List<ProbeResult>> bySeries = new LinkedHashMap<>();
    for (ProbeResult r : results) bySeries.computeIfAbsent(r.series(), k -> new java.util.ArrayList<>()).add(r);
    bySeries.forEach((name, rs) -> c.addSeries(name, rs.stream().mapToDouble(ProbeResult::length).toArray(), rs.stream().mapToDouble(y).toArray()));
  }
}
