package dev.fathom.cli;

import dev.fathom.data.Batch;
import dev.fathom.data.DataLoader;
import dev.fathom.data.DataLoaderConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.train.LmTrainConfig;
import dev.fathom.llm.train.LmTrainer;
import dev.fathom.llm.train.TokenData;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.nn.F;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.LrSchedule;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Healing after structured pruning: a short fine-tune of every parameter of the smaller model on
 * its training data, with the existing trainers' pieces (the LM trainer; AdamW with a cosine
 * schedule for classifiers). Warmup is a tenth of the steps, the learning rate decays to a tenth.
 */
final class PruneHealing {
  private PruneHealing() {}

  /** {@code steps} AdamW steps of {@code batch} windows of the model's context (at most 256) from the first 90% of {@code text}. */
  static void language(LlamaForCausalLM lm, Path tokenizerDir, Path text, int steps, int batch, double lr) throws IOException {
    byte[] all = LmText.read(text);
    TokenData train = LmText.tokens(LmText.tokenizerOf(tokenizerDir), Arrays.copyOf(all, LmText.splitPoint(all)));
    int ctx = LmText.context(null, lm.config(), 256);
    LmTrainConfig cfg = LmTrainConfig.defaults(steps, 0).withBatch(batch, 1, ctx).withLr(lr, lr / 10, steps / 10)
        .withEval(0, 0, 0, Math.max(1, steps / 5));
    System.out.printf("healing: %d steps of %d x %d tokens from the training part of %s, lr %.1e%n", steps, batch, ctx, text, lr);
    new LmTrainer(lm, lm.parameters(), cfg, train, null, null, null).run(System.out);
    lm.eval();
  }

  /** {@code steps} AdamW steps of {@code batch} training examples of the classifier's own data (config {@code data}). */
  static void classifier(ClassifierConfig config, Sequential model, int steps, int batch, double lr) throws IOException {
    LoadedData d = DataSources.load(config.data(), config.target(), 0);
    DataLoader train = new DataLoader(d.train(), DataLoaderConfig.train(batch, 0));
    AdamW opt = new AdamW(model.parameters(), new AdamConfig(lr, 0.9, 0.999, 1e-8, 0));
    LrSchedule schedule = LrSchedule.cosineWithWarmup(lr, steps / 10, steps, lr / 10);
    System.out.printf("healing: %d steps of %d examples of %s, lr %.1e%n", steps, batch, d.source(), lr);
    model.train();
    int step = 0, every = Math.max(1, steps / 5);
    double window = 0;
    for (int epoch = 0; step < steps; epoch++) {
      train.setEpoch(epoch);
      for (Batch b : train) {
        if (step == steps) break;
        opt.setLr(schedule.lr(step));
        Tensor loss = F.crossEntropy(model.call(b.inputs()), b.targets());
        loss.backward();
        opt.step();
        opt.zeroGrad();
        window += loss.item();
        if (++step % every == 0 || step == steps) {
          System.out.printf("step %d | loss %.4f%n", step, window / (step % every == 0 ? every : step % every));
          window = 0;
        }
      }
    }
    model.eval();
  }
}
