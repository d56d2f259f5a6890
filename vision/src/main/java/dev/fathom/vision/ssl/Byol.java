package dev.fathom.vision.ssl;

import dev.fathom.autograd.Grad;
import dev.fathom.io.StateDicts;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.Encoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BYOL (Grill et al. 2020). An online network (encoder f_θ, projector g_θ, predictor q_θ) learns
 * to predict a target network's projection of another view of the same image; the target
 * (f_ξ, g_ξ) gets no gradient and follows the online weights as an exponential moving average,
 * ξ ← τξ + (1 − τ)θ, with τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2 at step k of K. With
 * p = q(g(f(v))) and z' = g_ξ(f_ξ(v')), the loss of a pair is 2 − 2·cos(p, z'), symmetrized over
 * the two views and averaged over the batch. No negatives: the predictor and the slowly moving
 * target are what keep the representation from collapsing.
 */
public final class Byol extends Module implements SslMethod {
  private final ByolConfig config;
  private final Encoder encoder;
  private final Sequential projector, predictor;
  private final Encoder targetEncoder;
  private final Sequential targetProjector;
  private double tau;

  /**
   * @param encoder the online encoder
   * @param targetEncoder a second encoder of the same architecture; its weights are overwritten
   *     with the online ones
   */
  public Byol(Encoder encoder, Encoder targetEncoder, ByolConfig config, Rng rng) {
    this.config = config;
    this.encoder = child("encoder", encoder);
    this.projector = child("projector", Heads.mlp(encoder.featureDim(), config.hiddenDim(), config.projectionDim(), rng));
    this.predictor = child("predictor", Heads.mlp(config.projectionDim(), config.hiddenDim(), config.projectionDim(), rng));
    this.targetEncoder = targetEncoder;
    this.targetProjector = Heads.mlp(encoder.featureDim(), config.hiddenDim(), config.projectionDim(), rng);
    copy(encoder, targetEncoder);
    copy(projector, targetProjector);
    for (Tensor p : targetEncoder.parameters()) p.requiresGrad(false);
    for (Tensor p : targetProjector.parameters()) p.requiresGrad(false);
    this.tau = config.momentum();
  }

  public ByolConfig config() {
    return config;
  }

  /** The EMA rate used by the last update. */
  public double tau() {
    return tau;
  }

  @Override
  public String name() {
    return "byol";
  }

  @Override
  public Encoder encoder() {
    return encoder;
  }

  @Override
  public Module model() {
    return this;
  }

  /** The target network, which is not a registered child (its weights are not saved or trained). */
  public Encoder targetEncoder() {
    return targetEncoder;
  }

  /** Online predictions q(g(f(x))), (M, C, H, W) → (M, projectionDim). */
  @Override
  public Tensor forward(Tensor x) {
    return predictor.call(projector.call(encoder.call(x)));
  }

  @Override
  public Module train() {
    super.train();
    targetEncoder.train();
    targetProjector.train();
    return this;
  }

  @Override
  public Module eval() {
    super.eval();
    targetEncoder.eval();
    targetProjector.eval();
    return this;
  }

  @Override
  public Tensor loss(Tensor views, int viewCount) {
    if (viewCount != 2) throw new IllegalArgumentException("BYOL: expected 2 views per example, got " + viewCount);
    int n = views.size(0) / 2;
    Tensor p = NtXent.normalize(call(views));                                 // (2N, P)
    Tensor z;
    try (var g = Grad.disabled()) {
      z = NtXent.normalize(targetProjector.call(targetEncoder.call(views)));  // (2N, P)
    }
    // swap the halves: view 1's prediction meets view 2's target and vice versa
    Tensor swapped = Tensor.cat(List.of(z.narrow(0, n, n), z.narrow(0, 0, n)), 0).detach();
    Tensor cos = p.mul(swapped).sum(1, false);                                // (2N)
    return cos.mean().mul(-2f).add(2f);
  }

  @Override
  public Map<String, Tensor> extraState() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    StateDicts.putPrefixed(out, "target_encoder.", targetEncoder.stateDict());
    StateDicts.putPrefixed(out, "target_projector.", targetProjector.stateDict());
    return out;
  }

  @Override
  public void loadExtraState(Map<String, Tensor> state) {
    targetEncoder.loadStateDict(StateDicts.under(state, "target_encoder."), true);
    targetProjector.loadStateDict(StateDicts.under(state, "target_projector."), true);
  }

  /** τ_k = 1 − (1 − τ_base)(cos(πk/K) + 1)/2, then the EMA update of the target. */
  @Override
  public void afterStep(long step, long totalSteps) {
    double progress = totalSteps <= 0 ? 1 : Math.min(1.0, (double) step / totalSteps);
    tau = 1 - (1 - config.momentum()) * (Math.cos(Math.PI * progress) + 1) / 2;
    ema(encoder, targetEncoder, tau);
    ema(projector, targetProjector, tau);
  }

  /**
   * ξ ← τ·ξ + (1 − τ)·θ for every parameter, in place; buffers (batch-norm statistics) are copied.
   *
   * @param online θ
   * @param target ξ, same architecture
   */
  public static void ema(Module online, Module target, double tau) {
    Map<String, Tensor> on = online.namedParameters(), tg = target.namedParameters();
    for (var e : on.entrySet()) emaUpdate(tg.get(e.getKey()).data(), e.getValue().data(), tau);
    Map<String, Tensor> ob = online.namedBuffers(), tb = target.namedBuffers();
    for (var e : ob.entrySet()) copyInto(e.getValue(), tb.get(e.getKey()));
  }

  /** target[i] = τ·target[i] + (1 − τ)·online[i]. */
  public static void emaUpdate(float[] target, float[] online, double tau) {
    if (target.length != online.length) {
      throw new IllegalArgumentException("EMA: target has " + target.length + " values, online " + online.length);
    }
    float a = (float) tau, b = (float) (1 - tau);
    for (int i = 0; i < target.length; i++) target[i] = a * target[i] + b * online[i];
  }

  private static void copy(Module from, Module to) {
    var params = new ArrayList<>(from.namedParameters().entrySet());
    Map<String, Tensor> tp = to.namedParameters();
    for (var e : params) copyInto(e.getValue(), tp.get(e.getKey()));
    Map<String, Tensor> tb = to.namedBuffers();
    for (var e : from.namedBuffers().entrySet()) copyInto(e.getValue(), tb.get(e.getKey()));
  }

  private static void copyInto(Tensor src, Tensor dst) {
    if (dst == null || dst.numel() != src.numel()) throw new IllegalArgumentException("BYOL: online and target networks differ in architecture");
    switch (src.dtype()) {
      case FLOAT32 -> System.arraycopy(src.data(), 0, dst.data(), 0, src.numel());
      case INT64 -> System.arraycopy(src.longData(), 0, dst.longData(), 0, src.numel());
      case INT32 -> System.arraycopy(src.intData(), 0, dst.intData(), 0, src.numel());
    }
  }
}
