package dev.fathom.cli;

import dev.fathom.kernel.Kernels;
import dev.fathom.kernel.Parallel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code fathom info}: the runtime Fathom sees. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show JDK, threads, vector width and active kernels.")
final class InfoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    Runtime rt = Runtime.getRuntime();
    System.out.printf("fathom:   0.1.0%n");
    System.out.printf("jdk:      %s (%s)%n", Runtime.version(), System.getProperty("java.vm.name"));
    System.out.printf("os:       %s %s%n", System.getProperty("os.name"), System.getProperty("os.arch"));
    System.out.printf("cores:    %d available, threads used: %d (FATHOM_THREADS)%n", rt.availableProcessors(), Parallel.threads());
    System.out.printf("memory:   %d MiB max heap%n", rt.maxMemory() >> 20);
    System.out.printf("vector:   %d-bit, %d float lanes%n", Kernels.F.vectorBitSize(), Kernels.F.length());
    System.out.printf("kernels:  %s%n", Kernels.describe());
    System.out.printf("gemm:     %s%n", Kernels.describeGemm());
    return 0;
  }
}
