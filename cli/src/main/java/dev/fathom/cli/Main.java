package dev.fathom.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fathom} command line. Errors in arguments or input files print one line on stderr
 * ({@code fathom: ...}) and exit non-zero: 2 for bad arguments, 1 for failures while running.
 */
@Command(name = "fathom", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Deep learning in pure Java: train, evaluate and run models.",
    subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, InfoCommand.class, DemoCommand.class, LmCommand.class,
        ExplainCommand.class, FairnessCommand.class, AttackCommand.class, ValueCommand.class, DynamicsCommand.class,
        SensitivityCommand.class, BenchCommand.class, CompressCommand.class, SslCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit code (used by tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    System.setProperty("java.awt.headless", "true");
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      String sub = ex.getCommandLine().getCommandName();
      err.println("fathom: " + oneLine(ex.getMessage()) + " (see 'fathom " + ("fathom".equals(sub) ? "" : sub + " ") + "--help')");
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      Throwable t = ex instanceof CliException && ex.getCause() != null ? ex.getCause() : ex;
      String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      err.println("fathom: " + oneLine(msg));
      if (System.getenv("FATHOM_DEBUG") != null) t.printStackTrace(err);
      return ex instanceof CliException ce ? ce.exitCode() : 1;
    });
    try {
      dev.fathom.kernel.Parallel.threads();  // reads FATHOM_THREADS and FATHOM_SPIN_MICROS: a bad value is a bad argument
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      err.println("fathom: " + outOfMemory(e, Runtime.getRuntime().maxMemory()));
      return 1;
    } catch (ExceptionInInitializerError e) {
      err.println("fathom: " + initFailure(e));
      return 2;
    }
  }

  /** The one line for a class that could not initialize, such as the thread pool with a bad FATHOM_THREADS. */
  static String initFailure(ExceptionInInitializerError e) {
    Throwable t = e.getCause() == null ? e : e.getCause();
    return oneLine(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
  }

  /** The one line for an {@link OutOfMemoryError}: what ran out, the limit, and how to raise it. */
  static String outOfMemory(OutOfMemoryError e, long maxHeapBytes) {
    String what = e.getMessage() == null ? "Java heap space" : oneLine(e.getMessage());
    return String.format("out of memory (%s; the heap may grow to %,d MiB): give the JVM more with "
        + "FATHOM_JAVA_OPTS=-Xmx<size>, e.g. -Xmx%dg, or choose smaller sizes", what, maxHeapBytes >> 20,
        Math.max(2, 2 * (int) Math.ceil(maxHeapBytes / (double) (1L << 30))));
  }

  static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", "; ").trim();
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fathom 0.1.0 (JDK " + Runtime.version() + ")"};
    }
  }
}
