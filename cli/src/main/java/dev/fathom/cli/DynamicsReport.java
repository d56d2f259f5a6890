package dev.fathom.cli;

import dev.fathom.insight.dynamics.Agreement;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.PngFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The tables and plots shared by the modes of {@code fathom dynamics}: the η sweep, residuals.csv, scatter.png. */
final class DynamicsReport {
  private DynamicsReport() {}

  /**
   * The first-order rate and the actual changes at η, η/2, ..., flattened alike.
   *
   * @param rate d Δlog π/dη at η = 0; the prediction at η is η·rate
   * @param actuals the actual change at each of {@code etas}
   */
  record Sweep(double[] etas, double[] rate, List<double[]> actuals) {
    double[] predicted() {
      return scale(rate, etas[0]);
    }

    double[] actual() {
      return actuals.get(0);
    }

    Agreement agreement(int h) {
      return Agreement.of(scale(rate, etas[h]), actuals.get(h));
    }
  }

  /**
   * Steps with η, η/2, ..., η/2^halvings.
   *
   * @param actualAt η ↦ actual change, flattened like {@code rate}
   */
  static Sweep sweep(double[] rate, double eta, int halvings, DoubleFunction<double[]> actualAt) {
    double[] etas = new double[halvings + 1];
    List<double[]> actuals = new ArrayList<>();
    for (int h = 0; h <= halvings; h++) actuals.add(actualAt.apply(etas[h] = eta / (1 << h)));
    return new Sweep(etas, rate, actuals);
  }

  static double[] scale(double[] x, double s) {
    double[] y = new double[x.length];
    for (int i = 0; i < y.length; i++) y[i] = x[i] * s;
    return y;
  }

  static double[] concat(List<double[]> parts) {
    return parts.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  /** One row per (update, η) and a pooled row per η; prints the same table. */
  static void writeResiduals(Path file, List<String> updateNames, List<Sweep> sweeps, PrintStream out) throws IOException {
    StringBuilder csv = new StringBuilder("update,eta,n,pearson,residual_norm,actual_norm,relative_residual,residual_ratio_to_previous_eta\n");
    out.println("update        eta        n   pearson     residual    |actual|   rel.res   ratio");
    List<String> names = new ArrayList<>(updateNames);
    List<Sweep> all = new ArrayList<>(sweeps);
    if (sweeps.size() > 1) {
      names.add("pooled");
      all.add(pooled(sweeps));
    }
    for (int u = 0; u < all.size(); u++) {
      Sweep s = all.get(u);
      for (int h = 0; h < s.etas().length; h++) {
        Agreement a = s.agreement(h);
        double ratio = h == 0 ? Double.NaN : s.agreement(h - 1).residualNorm() / a.residualNorm();
        String row = String.format(Locale.ROOT, "%s,%.6g,%d,%.6f,%.6g,%.6g,%.6g,%.4f", names.get(u), s.etas()[h], a.n(), a.pearson(),
            a.residualNorm(), a.actualNorm(), a.relativeResidual(), ratio);
        csv.append(row.replace("NaN", "")).append('\n');
        out.printf(Locale.ROOT, "%-12s %-9.3g %5d  %.6f  %10.4g  %10.4g  %7.4f  %s%n", names.get(u), s.etas()[h], a.n(), a.pearson(),
            a.residualNorm(), a.actualNorm(), a.relativeResidual(), h == 0 ? "" : String.format(Locale.ROOT, "%.2f", ratio));
      }
    }
    AtomicFiles.writeString(file, csv.toString());
  }

  /** The sweeps of several updates as one: the values concatenated. */
  private static Sweep pooled(List<Sweep> sweeps) {
    List<double[]> actuals = new ArrayList<>();
    for (int h = 0; h < sweeps.get(0).etas().length; h++) {
      int hh = h;
      actuals.add(concat(sweeps.stream().map(s -> s.actuals().get(hh)).toList()));
    }
    return new Sweep(sweeps.get(0).etas(), concat(sweeps.stream().map(Sweep::rate).toList()), actuals);
  }

  /** Scatter of predicted (x) against actual (y), one series per key, with the line y = x. */
  static void scatter(Path file, String title, Map<String, double[][]> series) throws IOException {
    XYChart c = new XYChartBuilder().width(640).height(620).title(title).xAxisTitle("predicted change of log-probability (-eta A K G)")
        .yAxisTitle("actual change after one SGD step").build();
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    c.getStyler().setMarkerSize(4);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, double[][]> e : series.entrySet()) {
      double[][] pa = e.getValue();
      for (double[] v : pa) for (double x : v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      c.addSeries(e.getKey(), pa[0], pa[1]);
    }
    XYSeries diag = c.addSeries("y = x", new double[] {lo, hi}, new double[] {lo, hi});
    diag.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    diag.setMarker(SeriesMarkers.NONE);
    diag.setLineColor(java.awt.Color.DARK_GRAY);
    PngFiles.write(file, c);
  }

  /** Bars of fractions in [0, 1], one series per kind of step. */
  static void barChart(Path file, String title, List<String> categories, Map<String, List<Double>> steps) throws IOException {
    CategoryChart c = new CategoryChartBuilder().width(760).height(440).title(title).yAxisTitle("fraction of probes").build();
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(1.0);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    for (Map.Entry<String, List<Double>> e : steps.entrySet()) c.addSeries(e.getKey(), categories, e.getValue());
    PngFiles.write(file, c);
  }

  static Map<String, double[][]> oneSeries(String name, double[] predicted, double[] actual) {
    Map<String, double[][]> m = new LinkedHashMap<>();
    m.put(name, new double[][] {predicted, actual});
    return m;
  }
}
