package dev.fathom.cli;

/** A problem with the user's request, reported as one line with the given exit code. */
final class CliException extends RuntimeException {
  private final int exitCode;

  CliException(String message) {
    this(message, 2);
  }

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
