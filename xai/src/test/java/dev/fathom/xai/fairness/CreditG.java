package dev.fathom.xai.fairness;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fathom.data.ArffReader;
import dev.fathom.data.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** German credit from Weka's examples ($WEKA_EXAMPLES, else Debian's weka package); tests that need it skip without it. */
final class CreditG {
  private CreditG() {}

  static Path path() {
    Path p = Stream.of(System.getenv("WEKA_EXAMPLES"), "/usr/share/doc/weka/examples")
        .filter(d -> d != null && Files.isRegularFile(Path.of(d, "credit-g.arff")))
        .map(d -> Path.of(d, "credit-g.arff")).findFirst().orElse(null);
    assumeTrue(p != null, "credit-g.arff is neither in $WEKA_EXAMPLES nor in /usr/share/doc/weka/examples");
    return p;
  }

  static Table table() throws IOException {
    return ArffReader.read(path(), null);
  }
}
