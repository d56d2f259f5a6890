package dev.fathom.insight.dynamics;

import dev.fathom.nn.Module;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.Sgd;
import dev.fathom.optim.SgdConfig;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Multi-step DPO (Rafailov et al., NeurIPS 2023) of a causal language model, with the held-out
 * pairs measured along the way, to watch the learning dynamics of Ren &amp; Sutherland (ICLR 2025,
 * Sec. 4) build up: the reference π_ref is the policy as it is when this object is made (frozen:
 * its log-probabilities of the training pairs are taken once, up front), and each step minimises
 *
 * <pre>
 * L(θ) = (1/B) Σ_{i ∈ batch} −log σ(β·[(log π_θ(y⁺ᵢ|xᵢ) − log π_ref(y⁺ᵢ|xᵢ)) − (log π_θ(y⁻ᵢ|xᵢ) − log π_ref(y⁻ᵢ|xᵢ))])
 * </pre>
 *
 * with AdamW or plain SGD. Batches are drawn without replacement from a seeded permutation of the
 * training pairs, re-shuffled every epoch.
 */
public final class DpoTraining {
  private final Module policy;
  private final List<DpoPair> train;
  private final DpoConfig config;
  private final List<Tensor> params;
  private final Optimizer optimizer;
  private final double[] refChosen, refRejected;
  private final Rng rng;
  private int[] order;
  private int cursor, step;

  /**
   * @param policy token ids (1, T) → logits (1, T, V); it is trained in place
   * @throws IllegalArgumentException if there are fewer training pairs than one batch
   */
  public DpoTraining(Module policy, List<DpoPair> train, DpoConfig config) {
    if (train.size() < config.batchSize()) {
      throw new IllegalArgumentException("dpo: " + train.size() + " training pairs, fewer than one batch of " + config.batchSize());
    }
    this.policy = policy;
    this.train = List.copyOf(train);
    this.config = config;
    policy.eval();
    this.params = Params.trainable(policy);
    this.optimizer = config.optimizer().equals("sgd") ? new Sgd(params, SgdConfig.of(config.lr()))
        : new AdamW(params, new AdamConfig(config.lr(), 0.9, 0.999, 1e-8, config.weightDecay()));
    refChosen = new double[train.size()];
    refRejected = new double[train.size()];
    for (int i = 0; i < refChosen.length; i++) {
      refChosen[i] = SequenceLogProb.value(policy, train.get(i).chosenProbe());
      refRejected[i] = SequenceLogProb.value(policy, train.get(i).rejectedProbe());
    }
    this.rng = new Rng(config.seed());
    this.order = rng.permutation(train.size());
  }

  public int step() {
    return step;
  }

  /** The mean DPO loss of the training pairs {@code batch} (indices) at the current parameters, with its graph. */
  public Tensor loss(int[] batch) {
    Tensor sum = null;
    for (int i : batch) {
      Tensor l = pairLoss(i);
      sum = sum == null ? l : sum.add(l);
    }
    return sum.mul(1f / batch.length);
  }

  /** The next batch of training-pair indices (the permutation is redrawn when an epoch ends). */
  public int[] nextBatch() {
    int[] b = new int[config.batchSize()];
    for (int k = 0; k < b.length; k++) {
      if (cursor == order.length) {
        order = rng.permutation(train.size());
        cursor = 0;
      }
      b[k] = order[cursor++];
    }
    return b;
  }

  /**
   * One optimizer step on the next batch. The pairs are back-propagated one at a time (each
   * scaled by 1/B, the gradients accumulate), so only one pair's graph is alive at once.
   *
   * @return the batch's mean loss before the step
   */
  public double trainStep() {
    int[] batch = nextBatch();
    for (Tensor p : params) p.setGrad(null);
    double total = 0;
    for (int i : batch) {
      Tensor l = pairLoss(i).mul(1f / batch.length);
      total += l.item();
      l.backward();
    }
    optimizer.step();
    for (Tensor p : params) p.setGrad(null);
    step++;
    return total;
  }

  /**
   * Trains for {@code config.steps()} steps, measuring {@code probes} at step 0, every
   * {@code evalEvery} steps and at the end.
   *
   * @param onSnapshot called with each snapshot as it is taken (progress), may be null
   * @return the snapshots, the first at step 0
   */
  public List<DpoSnapshot> run(List<DpoPair> probes, Consumer<DpoSnapshot> onSnapshot) {
    if (probes.isEmpty()) throw new IllegalArgumentException("dpo: no held-out pairs to measure");
    List<int[]> argmax = new ArrayList<>(), greedy = new ArrayList<>();
    for (DpoPair p : probes) {
      argmax.add(PairState.argmaxTokens(policy, p));
      greedy.add(SequenceLogProb.greedy(policy, p.prompt(), p.rejected().length));
    }
    List<DpoSnapshot> out = new ArrayList<>();
    out.add(snapshot(probes, argmax, greedy, Double.NaN, onSnapshot));
    double lossSum = 0;
    int since = 0;
    while (step < config.steps()) {
      lossSum += trainStep();
      since++;
      if (step % config.evalEvery() == 0 || step == config.steps()) {
        out.add(snapshot(probes, argmax, greedy, lossSum / since, onSnapshot));
        lossSum = 0;
        since = 0;
      }
    }
    return out;
  }

  private DpoSnapshot snapshot(List<DpoPair> probes, List<int[]> argmax, List<int[]> greedy, double loss, Consumer<DpoSnapshot> onSnapshot) {
    List<PairState> states = new ArrayList<>(probes.size());
    for (int i = 0; i < probes.size(); i++) states.add(PairState.measure(policy, probes.get(i), argmax.get(i), greedy.get(i)));
    DpoSnapshot s = new DpoSnapshot(step, loss, states);
    if (onSnapshot != null) onSnapshot.accept(s);
    return s;
  }

  private Tensor pairLoss(int i) {
    DpoPair p = train.get(i);
    return DpoLoss.of(SequenceLogProb.of(policy, p.chosenProbe()), SequenceLogProb.of(policy, p.rejectedProbe()), refChosen[i], refRejected[i],
        config.beta());
  }
}
