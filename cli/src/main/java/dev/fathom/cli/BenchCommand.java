package dev.fathom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fathom bench}: the Java side of the side-by-side benchmarks (the peers are the scripts
 * in bench/; docs/BENCHMARKS.md pairs each with its command).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure kernels and training throughput (compare with the peer scripts in bench/).",
    subcommands = {BenchGemmCommand.class, BenchConvCommand.class, BenchAttentionCommand.class, BenchTrainCommand.class,
        BenchSpeculativeCommand.class, BenchKvCommand.class, BenchTokensCommand.class, BenchPruneCommand.class,
        BenchContextCommand.class,
        CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The best (smallest) of {@code reps} timings of {@code body} in seconds, after {@code warmup} untimed runs. */
  static double best(int warmup, int reps, Runnable body) {
    for (int i = 0; i < warmup; i++) body.run();
    double best = Double.MAX_VALUE;
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      body.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  /**
   * Best and median seconds of {@code body} timed by the clock rather than a count: runs it for
   * {@code warmSeconds} first (at least twice), so that a recompilation a new shape triggers is
   * over before timing, then times at least {@code minReps} runs and for at least {@code seconds}.
   */
  static double[] bestAndMedianTimed(double warmSeconds, int minReps, double seconds, Runnable body) {
    long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
    for (int i = 0; i < 2 || System.nanoTime() < warmEnd; i++) body.run();
    java.util.List<Double> t = new java.util.ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (t.size() < minReps || System.nanoTime() < end) {
      long t0 = System.nanoTime();
      body.run();
      t.add((System.nanoTime() - t0) / 1e9);
    }
    double[] sorted = t.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new double[] {sorted[0], sorted[sorted.length / 2]};
  }
}
