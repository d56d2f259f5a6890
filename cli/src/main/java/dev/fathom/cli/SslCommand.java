package dev.fathom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fathom ssl}: self-supervised pretraining of image encoders and their evaluation with few labels. */
@Command(name = "ssl", mixinStandardHelpOptions = true,
    description = "Self-supervised learning on images: pretrain an encoder without labels (SimCLR, BYOL), then probe it with few labels.",
    subcommands = {SslPretrainCommand.class, SslProbeCommand.class, CommandLine.HelpCommand.class})
final class SslCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
