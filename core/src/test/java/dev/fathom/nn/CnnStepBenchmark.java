package dev.fathom.nn;

import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * One training step of the Fashion-MNIST CNN (batch 128, AdamW), repeated: wall and process CPU
 * milliseconds per step and bytes allocated per step by all threads, over the second half of the
 * steps (after the JIT has compiled the kernels). Not a unit test; run it by hand:
 *
 * <pre>
 * ./mvnw -q -pl core test-compile
 * FATHOM_THREADS=2 java --add-modules jdk.incubator.vector -XX:+UseParallelGC \
 *   -cp core/target/classes:core/target/test-classes dev.fathom.nn.CnnStepBenchmark 80
 * </pre>
 */
public final class CnnStepBenchmark {
  private CnnStepBenchmark() {}

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 80;
    List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    Sequential model = Classifiers.build(ClassifierConfig.cnn(new int[] {1, 28, 28}, classes, "bench"), new Rng(1));
    AdamW opt = new AdamW(model.parameters(), AdamConfig.adamW(0.002));
    Tensor x = Tensor.randn(new Rng(2), 128, 1, 28, 28);
    long[] labels = new long[128];
    for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
    Tensor y = Tensor.ofLongs(labels, 128);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    model.train();
    double wallBest = Double.MAX_VALUE, wallSum = 0, cpuSum = 0;
    long allocSum = 0;
    int measured = 0;
    for (int s = 0; s < steps; s++) {
      long a0 = threads.getTotalThreadAllocatedBytes(), c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
      opt.zeroGrad();
      Tensor loss = F.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      double wall = (System.nanoTime() - t0) / 1e6, cpu = (os.getProcessCpuTime() - c0) / 1e6;
      long alloc = threads.getTotalThreadAllocatedBytes() - a0;
      if (s >= steps / 2) {
        wallBest = Math.min(wallBest, wall);
        wallSum += wall;
        cpuSum += cpu;
        allocSum += alloc;
        measured++;
      }
    }
    System.out.printf("CNN step (batch 128): wall ms best %.1f mean %.1f, process CPU ms mean %.1f, allocated MB/step %.1f%n",
        wallBest, wallSum / measured, cpuSum / measured, allocSum / 1e6 / measured);
  }
}
