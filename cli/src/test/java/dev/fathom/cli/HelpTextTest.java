package dev.fathom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help renders without picocli format warnings (a bare % in a description is a format conversion). */
class HelpTextTest {
  @Test
  void everyCommandsHelpRendersCleanly() {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    StringBuilder all = new StringBuilder();
    int[] commands = {0};
    try {
      render(new CommandLine(new Main()), all, commands);
    } finally {
      System.setErr(oldErr);
    }
    assertThat(commands[0]).isGreaterThan(20);
    assertThat(err.toString(StandardCharsets.UTF_8)).as("stderr while rendering help").doesNotContain("picocli WARN");
    assertThat(all.toString()).contains("last 10% ").doesNotContain("10%%");
  }

  private static void render(CommandLine cl, StringBuilder out, int[] count) {
    out.append(cl.getUsageMessage(CommandLine.Help.Ansi.OFF));
    count[0]++;
    for (CommandLine sub : cl.getSubcommands().values()) render(sub, out, count);
  }
}
