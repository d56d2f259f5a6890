package dev.fathom.llm.generate;

/**
 * Proposes the tokens that {@link SpeculativeGenerator} asks the target model to verify. A
 * drafter follows one sequence at a time: {@link #start} with the prompt, then rounds of
 * {@link #propose} and {@link #commit}.
 *
 * <p>Each proposed token comes with the distribution q it was drawn from; the target accepts it
 * with probability min(1, p/q), which keeps the output distributed exactly as the target's own
 * sampling whatever the drafter does. A deterministic proposal (a copy, an argmax) has a one-hot q.
 */
public interface Drafter {

  /**
   * Begins a sequence.
   *
   * @param prompt its tokens (at least one)
   * @param params the sampling the target uses (a model drafter samples its proposals the same way)
   * @param maxSeq most positions the sequence will reach
   */
  void start(int[] prompt, SamplingParams params, int maxSeq);

  /**
   * Proposes up to {@code gamma} tokens that continue {@code context[0 .. length)}: writes them to
   * {@code tokens[0 .. g)} and, for each, the distribution it was drawn from to
   * {@code q[i][0 .. V)}, q[i][tokens[i]] &gt; 0.
   *
   * @return g in [0, gamma]
   */
  int propose(int[] context, int length, int gamma, int[] tokens, double[][] q);

  /** The sequence is now {@code context[0 .. length)}: forget whatever of the last proposal was not kept. */
  void commit(int[] context, int length);

  /** Forward calls of a draft model so far, over all sequences (0 for a drafter without a model). */
  default long modelCalls() {
    return 0;
  }
}
