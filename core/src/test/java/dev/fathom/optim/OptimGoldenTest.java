package dev.fathom.optim;

import static dev.fathom.testing.Golden.assertClose;
import static dev.fathom.testing.Golden.field;
import static dev.fathom.testing.Golden.tensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.nn.F;
import dev.fathom.tensor.Tensor;
import dev.fathom.testing.Golden;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Optimizers, gradient clipping and schedules against PyTorch: {@code golden/optim.json},
 * written by {@code tools/golden/make_optim_golden.py}. A linear least-squares model
 * (loss = mse(x·Wᵀ + b, y)) is trained for a few full-batch steps from the same start as
 * torch.optim did; the loss before each step and the parameters after it must match.
 */
class OptimGoldenTest {
  private static final JsonNode CASES = Golden.cases("optim.json");

  private static double hyper(JsonNode h, String key, double fallback) {
    return h.has(key) ? h.get(key).asDouble() : fallback;
  }

  private static void train(String name, Function<List<Tensor>, Optimizer> make) {
    JsonNode data = field(CASES, "data"), c = field(CASES, name);
    Tensor w = tensor(data, "weight").requiresGrad(true), b = tensor(data, "bias").requiresGrad(true);
    Tensor x = tensor(data, "x"), y = tensor(data, "y");
    Optimizer opt = make.apply(List.of(w, b));
    JsonNode losses = field(c, "losses");
    for (int step = 0; step < losses.size(); step++) {
      opt.zeroGrad();
      Tensor loss = F.mseLoss(F.linear(x, w, b), y);
      assertThat((double) loss.item()).as("%s loss before step %d", name, step)
          .isCloseTo(losses.get(step).asDouble(), within(1e-4 * Math.abs(losses.get(step).asDouble()) + 1e-6));
      loss.backward();
      opt.step();
      assertClose(name + " weight after step " + step, w, tensor(field(c, "weight").get(step)));
      assertClose(name + " bias after step " + step, b, tensor(field(c, "bias").get(step)));
    }
  }

  private static Function<List<Tensor>, Optimizer> sgd(String name) {
    JsonNode h = field(field(CASES, name), "hyper");
    SgdConfig cfg = new SgdConfig(h.get("lr").asDouble(), hyper(h, "momentum", 0), hyper(h, "dampening", 0),
        hyper(h, "weight_decay", 0), h.has("nesterov") && h.get("nesterov").asBoolean());
    return params -> new Sgd(params, cfg);
  }

  private static AdamConfig adamConfig(String name, double defaultDecay) {
    JsonNode h = field(field(CASES, name), "hyper");
    return new AdamConfig(h.get("lr").asDouble(), hyper(h, "beta1", 0.9), hyper(h, "beta2", 0.999), hyper(h, "eps", 1e-8),
        hyper(h, "weight_decay", defaultDecay));
  }

  @Test
  void sgdPlain() {
    train("sgd", sgd("sgd"));
  }

  @Test
  void sgdMomentumDampeningWeightDecay() {
    train("sgd_momentum_dampening_wd", sgd("sgd_momentum_dampening_wd"));
  }

  @Test
  void sgdNesterovWeightDecay() {
    train("sgd_nesterov_wd", sgd("sgd_nesterov_wd"));
  }

  @Test
  void adam() {
    AdamConfig cfg = adamConfig("adam", 0);
    assertThat(cfg).isEqualTo(AdamConfig.of(0.05));
    train("adam", params -> new Adam(params, cfg));
  }

  @Test
  void adamWithL2WeightDecay() {
    AdamConfig cfg = adamConfig("adam_l2", 0);
    train("adam_l2", params -> new Adam(params, cfg));
  }

  @Test
  void adamW() {
    // torch.optim.AdamW's default weight decay is 0.01; the case sets 0.1 explicitly.
    AdamConfig cfg = adamConfig("adamw", 0.01);
    train("adamw", params -> new AdamW(params, cfg));
  }

  @Test
  void optimizerStateRoundTripContinuesIdentically() {
    JsonNode data = field(CASES, "data");
    AdamConfig cfg = adamConfig("adam", 0);
    Tensor w = tensor(data, "weight").requiresGrad(true), b = tensor(data, "bias").requiresGrad(true);
    Tensor x = tensor(data, "x"), y = tensor(data, "y");
    Adam first = new Adam(List.of(w, b), cfg);
    for (int i = 0; i < 3; i++) {
      first.zeroGrad();
      F.mseLoss(F.linear(x, w, b), y).backward();
      first.step();
    }
    Adam resumed = new Adam(List.of(w, b), cfg);
    resumed.loadStateDict(first.stateDict());
    for (int i = 3; i < 6; i++) {
      resumed.zeroGrad();
      F.mseLoss(F.linear(x, w, b), y).backward();
      resumed.step();
    }
    // Three steps with the first optimizer and three with the resumed one equal PyTorch's six.
    assertClose("resumed Adam weight", w, tensor(field(field(CASES, "adam"), "weight").get(5)));
    assertClose("resumed Adam bias", b, tensor(field(field(CASES, "adam"), "bias").get(5)));
  }

  @Test
  void clipGradNorm() {
    JsonNode c = field(CASES, "clip");
    for (String name : new String[] {"clip_above", "clip_below"}) {
      JsonNode e = field(c, name);
      Tensor p1 = Tensor.zeros(3, 4).requiresGrad(true), p2 = Tensor.zeros(5).requiresGrad(true);
      p1.setGrad(tensor(c, "g1"));
      p2.setGrad(tensor(c, "g2"));
      double norm = GradClip.clipGradNorm(List.of(p1, p2), e.get("max_norm").asDouble());
      assertThat(norm).as(name + " total norm").isCloseTo(e.get("total_norm").asDouble(), within(1e-5 * norm));
      assertClose(name + " g1", p1.grad(), tensor(e, "g1"));
      assertClose(name + " g2", p2.grad(), tensor(e, "g2"));
    }
  }

  @Test
  void cosineWithWarmupFollowsTheFormulaAndTorchSchedulers() {
    JsonNode c = field(CASES, "cosine_warmup");
    double base = c.get("base_lr").asDouble(), min = c.get("min_lr").asDouble();
    long warmup = c.get("warmup").asLong(), total = c.get("total").asLong();
    LrSchedule s = LrSchedule.cosineWithWarmup(base, warmup, total, min);
    JsonNode lrs = c.get("lrs");
    for (int step = 0; step < lrs.size(); step++) {
      assertThat(s.lr(step)).as("lr at step %d", step).isCloseTo(lrs.get(step).asDouble(), within(1e-12));
    }
    JsonNode torchLrs = c.get("torch_lrs");
    for (int step = 0; step < torchLrs.size(); step++) {
      assertThat(s.lr(step)).as("torch lr at step %d", step).isCloseTo(torchLrs.get(step).asDouble(), within(1e-9));
    }
    assertThat(s.lr(warmup - 1)).isEqualTo(base);
    assertThat(s.lr(total)).isEqualTo(min);
  }

  @Test
  void stepDecayMatchesStepLR() {
    JsonNode c = field(CASES, "step_decay");
    LrSchedule s = LrSchedule.stepDecay(c.get("base_lr").asDouble(), c.get("step_size").asLong(), c.get("gamma").asDouble());
    JsonNode lrs = c.get("lrs");
    for (int step = 0; step < lrs.size(); step++) {
      assertThat(s.lr(step)).as("lr at step %d", step).isCloseTo(lrs.get(step).asDouble(), within(1e-12));
    }
  }
}
