package dev.fathom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fathom lm}: language models (train, eval, generate, finetune). */
@Command(name = "lm", mixinStandardHelpOptions = true,
    description = "Language models: train a Llama-family model, evaluate, generate, fine-tune with LoRA.",
    subcommands = {LmTrainCommand.class, LmEvalCommand.class, LmGenerateCommand.class, LmFinetuneCommand.class, CommandLine.HelpCommand.class})
final class LmCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
