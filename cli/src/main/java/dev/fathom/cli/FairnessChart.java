package dev.fathom.cli;

import dev.fathom.io.PngFiles;
import dev.fathom.xai.fairness.GroupRates;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The bar chart of {@code fathom fairness --out}: selection rate and TPR per group, before and after a mitigation. */
final class FairnessChart {
  private FairnessChart() {}

  static void write(Path file, String attribute, FairnessOutcome before, FairnessOutcome after) throws IOException {
    System.setProperty("java.awt.headless", "true");
    CategoryChart c = new CategoryChartBuilder().width(720).height(440)
        .title("Selection rate and true positive rate by " + attribute + " (test split)").xAxisTitle(attribute).yAxisTitle("rate").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(1.0);
    c.getStyler().setYAxisDecimalPattern("0.00");
    add(c, before, "model");
    if (after != null) add(c, after, after.name());
    PngFiles.write(file, c);
  }

  /** Two series per classifier; an undefined TPR (a group without positives) is drawn as 0 and named in the legend. */
  private static void add(CategoryChart c, FairnessOutcome o, String label) {
    List<GroupRates> g = o.report().groups();
    List<String> names = g.stream().map(GroupRates::name).toList();
    c.addSeries("selection rate (" + label + ")", names, g.stream().map(r -> (Number) r.selectionRate()).toList());
    List<String> undefined = o.report().undefinedTpr();
    c.addSeries("TPR (" + label + ")" + (undefined.isEmpty() ? "" : ", undefined for " + undefined), names,
        g.stream().map(r -> (Number) (Double.isNaN(r.tpr()) ? 0.0 : r.tpr())).toList());
  }
}
