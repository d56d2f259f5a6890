package dev.fathom.cli;

import dev.fathom.kernel.Parallel;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.LlamaPresets;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.F;
import dev.fathom.nn.Module;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.GradClip;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.train.Trainer;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom bench train}: steady-state training throughput (forward, backward, clip, AdamW)
 * of the Llama presets in tokens/s or of the Fashion-MNIST CNN in images/s, on random data of the
 * real shapes. Peers: bench/llm_train_torch.py --steps N and bench/fashion_torch.py.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Training throughput: --model llama (tokens/s; peer bench/llm_train_torch.py) or cnn (images/s).")
final class BenchTrainCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "llama", description = "llama or cnn; default ${DEFAULT-VALUE}")
  String model;

  @Option(names = "--preset", defaultValue = "small", description = "llama preset (tiny, small, base); default ${DEFAULT-VALUE}")
  String preset;

  @Option(names = "--batch", description = "batch size (default: 16 for llama, 128 for cnn)")
  Integer batch;

  @Option(names = "--context", defaultValue = "256", description = "llama tokens per sequence; default ${DEFAULT-VALUE}")
  int context;

  @Option(names = "--steps", defaultValue = "20", description = "timed steps (after 3 warm-up steps); default ${DEFAULT-VALUE}")
  int steps;

  @Override
  public Integer call() {
    Rng rng = new Rng(1337);
    if (model.equals("llama")) {
      if (!LlamaPresets.NAMES.contains(preset)) throw new CliException("--preset: expected one of " + LlamaPresets.NAMES + ", got '" + preset + "'");
      int b = batch == null ? 16 : batch;
      LlamaConfig c = LlamaPresets.of(preset, 256);
      LlamaForCausalLM m = new LlamaForCausalLM(c, rng);
      System.out.printf("llama %s (dim %d, %d layers, %d heads, FFN %d, vocab 256): %,d parameters, batch %d x %d, %d threads%n",
          preset, c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.intermediateSize(), m.numParameters(), b, context,
          Parallel.threads());
      Timing t = run(m, () -> {
        Tensor ids = Tensor.randint(rng, 0, 256, b, context + 1);
        return m.loss(ids.narrow(1, 0, context).copy(), ids.narrow(1, 1, context).copy());
      });
      System.out.printf("%.2f steps/s, %.0f tokens/s; %s%n", t.stepsPerSecond(), t.stepsPerSecond() * b * context, t.memory());
    } else if (model.equals("cnn")) {
      int b = batch == null ? 128 : batch;
      List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
      Module m = Classifiers.build(ClassifierConfig.cnn(new int[] {1, 28, 28}, classes, "fashion-mnist"), rng);
      System.out.printf("cnn (Fashion-MNIST shapes): %,d parameters, batch %d, %d threads%n", m.numParameters(), b, Parallel.threads());
      Timing t = run(m, () -> F.crossEntropy(m.call(Tensor.randn(rng, b, 1, 28, 28)), Tensor.randint(rng, 0, 10, b)));
      System.out.printf("%.2f steps/s, %.0f images/s; %s%n", t.stepsPerSecond(), t.stepsPerSecond() * b, t.memory());
    } else {
      throw new CliException("--model: expected llama or cnn, got '" + model + "'");
    }
    return 0;
  }

  /**
   * What the timed steps measured.
   *
   * @param stepsPerSecond over the timed steps
   * @param memory the GC share of their time and the bytes allocated per step, as a phrase
   */
  private record Timing(double stepsPerSecond, String memory) {}

  /** Times loss → backward → clip → AdamW over {@link #steps} steps after 3 warm-up steps. */
  private Timing run(Module m, Supplier<Tensor> loss) {
    m.train();
    AdamW opt = new AdamW(m.parameters(), AdamConfig.adamW(1e-4));
    Runnable step = () -> {
      loss.get().backward();
      GradClip.clipGradNorm(m.parameters(), 1.0);
      opt.step();
      opt.zeroGrad();
    };
    for (int i = 0; i < 3; i++) step.run();
    long a0 = HeapProbe.allocated(), g0 = Trainer.gcMillis(), t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) step.run();
    double secs = (System.nanoTime() - t0) / 1e9;
    return new Timing(steps / secs, String.format("GC %.1f%% of the time, %.0f MB allocated per step",
        (Trainer.gcMillis() - g0) / 10.0 / secs, (HeapProbe.allocated() - a0) / 1e6 / steps));
  }
}
