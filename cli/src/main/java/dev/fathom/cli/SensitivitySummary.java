package dev.fathom.cli;

import dev.fathom.insight.sensitivity.ProbeResult;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The closing lines of {@code fathom sensitivity}: per task the lengths at which the model fits
 * (test accuracy at least the threshold), and the ratio of parity's sharpness to majority's at the
 * largest length where parity fits.
 */
final class SensitivitySummary {
  private SensitivitySummary() {}

  static String of(List<ProbeResult> results, double fitAccuracy) {
    StringBuilder s = new StringBuilder();
    results.stream().map(ProbeResult::series).distinct().forEach(series -> {
      List<Integer> fit = results.stream().filter(r -> r.series().equals(series) && r.accuracy() >= fitAccuracy).map(ProbeResult::length).toList();
      List<Integer> all = results.stream().filter(r -> r.series().equals(series)).map(ProbeResult::length).toList();
      s.append(String.format(Locale.ROOT, "%s fits (accuracy >= %.3f) at n = %s of %s%n", series, fitAccuracy, fit, all));
    });
    Optional<ProbeResult> parity = results.stream().filter(r -> r.series().equals("parity") && r.accuracy() >= fitAccuracy)
        .reduce((a, b) -> b.length() >= a.length() ? b : a);
    if (parity.isEmpty()) {
      if (results.stream().anyMatch(r -> r.series().equals("parity"))) s.append("parity fits at no length tried").append(System.lineSeparator());
      return s.toString().stripTrailing();
    }
    int n = parity.get().length();
    results.stream().filter(r -> r.series().equals("majority") && r.length() == n).findFirst().ifPresent(m ->
        s.append(String.format(Locale.ROOT, "largest length where parity fits: n = %d; sharpness parity / majority = %.4g / %.4g = %.3g%n", n,
            parity.get().sharpness(), m.sharpness(), parity.get().sharpness() / m.sharpness())));
    return s.toString().stripTrailing();
  }
}
