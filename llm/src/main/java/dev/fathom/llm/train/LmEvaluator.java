package dev.fathom.llm.train;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.F;
import dev.fathom.tensor.Tensor;

/**
 * Mean next-token loss over a text, in non-overlapping windows of the model's training context,
 * so every token after the first is predicted exactly once (the first of each window with no
 * earlier context, as in nanoGPT-style evaluation).
 */
public final class LmEvaluator {
  private LmEvaluator() {}

  /**
   * @param maxTokens stop after about this many predicted tokens (0: the whole text)
   */
  public static LmEval evaluate(LlamaForCausalLM model, TokenData data, int context, int batch, long maxTokens) {
    boolean wasTraining = model.isTraining();
    model.eval();
    double nats = 0;
    long count = 0;
    int windows = data.windows(context);
    try (var g = Grad.disabled()) {
      for (int w = 0; w < windows && (maxTokens <= 0 || count < maxTokens); ) {
        // full-length windows go in batches; the short last one alone
        int n = 0;
        while (w + n < windows && n < batch && (long) (w + n + 1) * context <= data.size() - 1) n++;
        if (n <= 1) {
          Tensor[] first = data.window(w, context);
          nats += sumLoss(model, first[0], first[1]);
          count += first[1].numel();
          w++;
          continue;
        }
        long[] ids = new long[n * context], tg = new long[n * context];
        for (int i = 0; i < n; i++) {
          Tensor[] win = data.window(w + i, context);
          System.arraycopy(win[0].longData(), 0, ids, i * context, context);
          System.arraycopy(win[1].longData(), 0, tg, i * context, context);
        }
        nats += sumLoss(model, Tensor.ofLongs(ids, n, context), Tensor.ofLongs(tg, n, context));
        count += (long) n * context;
        w += n;
      }
    } finally {
      if (wasTraining) model.train();
    }
    long bytes = Math.round((double) data.bytes() * count / data.size());  // the bytes of the predicted tokens
    return LmEval.of(nats, count, Math.max(1, bytes));
  }

  private static double sumLoss(LlamaForCausalLM model, Tensor ids, Tensor targets) {
    Tensor logits = model.forward(ids);
    int v = logits.size(2);
    return F.crossEntropy(logits.reshape(-1, v), targets.reshape(-1)).item() * (double) targets.numel();
  }
}
