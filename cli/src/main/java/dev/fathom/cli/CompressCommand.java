package dev.fathom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fathom compress}: model compression (quantize; prune; qat; report). */
@Command(name = "compress", mixinStandardHelpOptions = true,
    description = "Compress a model: quantize (post-training or quantization-aware), prune or distill it, and compare models by size, "
        + "decode speed and quality.",
    subcommands = {CompressQuantizeCommand.class, CompressQatCommand.class, CompressInjectOutliersCommand.class, CompressPruneCommand.class,
        CompressDistillCommand.class, CompressReportCommand.class, CommandLine.HelpCommand.class})
final class CompressCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
