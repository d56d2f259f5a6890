package dev.fathom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fathom compress}: model compression (quantize; prune; qat; report). */
@Command(name = "compress", mixinStandardHelpOptions = true,
    description = "Compress a language model: quantize or prune it, and compare models by size, decode speed and quality.",
    subcommands = {CompressQuantizeCommand.class, CompressPruneCommand.class, CompressQatCommand.class, CompressReportCommand.class, CommandLine.HelpCommand.class})
final class CompressCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
