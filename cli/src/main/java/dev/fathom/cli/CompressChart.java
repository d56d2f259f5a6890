package dev.fathom.cli;

import dev.fathom.io.PngFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The PNG of {@code fathom compress report --chart}: size reduction, decode speed-up and loss change per model, side by side. */
final class CompressChart {
  private CompressChart() {}

  static void write(Path file, List<CompressReportCommand.Row> rows) throws IOException {
    System.setProperty("java.awt.headless", "true");
    CompressReportCommand.Row ref = rows.get(0);
    List<String> names = rows.stream().map(CompressReportCommand.Row::format).toList();
    CategoryChart c = new CategoryChartBuilder().width(900).height(480)
        .title("Compression vs " + ref.format() + ": x smaller on disk, x faster decode (batch 1), 100 x loss change (nats)")
        .xAxisTitle("model").yAxisTitle("ratio / 100 x delta nats").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.addSeries("x smaller", names, rows.stream().map(r -> (Number) ((double) ref.bytes() / r.bytes())).toList());
    c.addSeries("x decode speed", names, rows.stream().map(r -> (Number) (r.tokensPerSecond() / ref.tokensPerSecond())).toList());
    c.addSeries("100 x delta loss", names, rows.stream().map(r -> (Number) (100 * (r.loss() - ref.loss()))).toList());
    PngFiles.write(file, c);
  }
}
