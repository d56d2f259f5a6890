package dev.fathom.insight.dynamics;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;

/** The loss of one update on a causal language model; the step is plain SGD on it. */
@FunctionalInterface
public interface LmUpdate {

  /** The scalar loss at the model's current parameters, with its graph. */
  Tensor loss(Module lm);

  /** SFT: the mean token negative log-likelihood −log π(y|x)/|y|. */
  static LmUpdate sft(LmProbe example) {
    return lm -> SequenceLogProb.of(lm, example).mul(-1f / example.response().length);
  }

  /** A pure negative gradient (unlikelihood): +log π(y|x)/|y|, pushing the response down. */
  static LmUpdate negative(LmProbe example) {
    return lm -> SequenceLogProb.of(lm, example).mul(1f / example.response().length);
  }

  /**
   * DPO on (x, y⁺, y⁻), with the model as it is now taken as the frozen reference π_ref.
   *
   * @throws IllegalArgumentException if the two responses have different prompts or beta ≤ 0
   */
  static LmUpdate dpo(Module reference, LmProbe chosen, LmProbe rejected, double beta) {
    if (!java.util.Arrays.equals(chosen.prompt(), rejected.prompt())) {
      throw new IllegalArgumentException("dpo: the chosen and rejected responses must share one prompt");
    }
    double refChosen = SequenceLogProb.value(reference, chosen), refRejected = SequenceLogProb.value(reference, rejected);
    DpoLoss.value(refChosen, refRejected, refChosen, refRejected, beta);  // validates beta now, not at the first step
    return lm -> DpoLoss.of(SequenceLogProb.of(lm, chosen), SequenceLogProb.of(lm, rejected), refChosen, refRejected, beta);
  }
}
