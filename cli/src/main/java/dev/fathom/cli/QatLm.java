package dev.fathom.cli;

import dev.fathom.compress.LlamaQat;
import dev.fathom.compress.QuantAwareTraining;
import dev.fathom.llm.GenerationConfig;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizedCheckpoint;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.llm.train.LmEval;
import dev.fathom.llm.train.LmEvaluator;
import dev.fathom.llm.train.LmTrainConfig;
import dev.fathom.llm.train.LmTrainer;
import dev.fathom.llm.train.TokenData;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantizedMatrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code compress qat} for a Llama LM: scores the float model and its round-to-nearest copy on the
 * first {@code --eval-tokens} validation tokens, fine-tunes all parameters for {@code --steps} with
 * the decoder projections fake-quantized (LmTrainer: AdamW, warmup, cosine to lr/10, clipping 1.0),
 * exports through PTQ's RTN path, saves, reloads the saved model and scores it again.
 */
final class QatLm {
  private QatLm() {}

  static void run(CompressQatCommand o, GroupGrid grid) throws IOException {
    LlamaForCausalLM m = HfCheckpoint.load(o.model);
    Tokenizer tok = LmText.tokenizerOf(o.model);
    int ctx = LmText.context(null, m.config(), 256), batch = o.batch == null ? 8 : o.batch;
    byte[] all = LmText.read(Path.of(o.data));
    int split = LmText.splitPoint(all);
    TokenData train = LmText.tokens(tok, Arrays.copyOfRange(all, 0, split));
    TokenData val = LmText.tokens(tok, Arrays.copyOfRange(all, split, all.length));
    QuantAwareTraining qat = attach(m, grid);  // checks every projection's shape before any work
    LmEval fq0 = LmEvaluator.evaluate(m, val, ctx, batch, o.evalTokens);
    qat.close();
    LmEval float0 = LmEvaluator.evaluate(m, val, ctx, batch, o.evalTokens);
    System.out.printf("start: float val loss %.4f | RTN %s val loss %.4f (%,d validation tokens, windows of %d)%n", float0.loss(), grid,
        fq0.loss(), Math.min(o.evalTokens, val.size()), ctx);
    LmTrainConfig cfg = LmTrainConfig.defaults(o.steps, 0).withBatch(batch, 1, ctx).withLr(o.lr, o.lr / 10, Math.min(20, o.steps / 10))
        .withEval(0, o.evalTokens, 0, Math.max(1, o.steps / 20)).withSeed(o.seed);
    if (!o.floatControl) qat = attach(m, grid);
    LmEval trained = new LmTrainer(m, m.parameters(), cfg, train, val, null, dir -> {}).run(System.out);
    qat.close();
    Map<String, QuantizedMatrix> q = LlamaQat.export(m, grid);
    GenerationConfig gen = HfCheckpoint.readGenerationConfig(o.model);
    if (q.isEmpty()) HfCheckpoint.save(o.out, m, gen);
    else QuantizedCheckpoint.save(o.out, m, q, m.quantization(), gen);
    CompressQuantizeCommand.copyTokenizer(o.model, o.out);
    LmEval saved = LmEvaluator.evaluate(HfCheckpoint.load(o.out), val, ctx, batch, o.evalTokens);
    System.out.printf("%s %s, %d steps, lr %.2e, seed %d: %s val loss %.4f | saved %s (%s) val loss %.4f%n", o.what(), grid, o.steps, o.lr,
        o.seed, o.floatControl ? "float" : "fake-quantized", trained.loss(), o.out, q.isEmpty() ? grid + " values as float32" : grid.id(),
        saved.loss());
  }

  private static QuantAwareTraining attach(LlamaForCausalLM m, GroupGrid grid) {
    try {
      return LlamaQat.attach(m, grid);
    } catch (IllegalArgumentException e) {
      throw new CliException("--format " + grid + ": " + e.getMessage());
    }
  }
}
