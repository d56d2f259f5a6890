package dev.fathom.compress;

import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.BatchNorm;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured pruning of the conv channels of a CNN classifier made by {@link Classifiers} (blocks of
 * conv 3×3, batch norm, ReLU, max pool; then flatten and linear layers). In every conv the same
 * share of output channels goes, ranked by the L1 norm of their filters (Li et al. 2017) or by
 * |γ| of the batch norm after the conv (Liu et al. 2017); with it go the channel's conv bias, its
 * batch-norm entries (weight, bias, running mean and variance), the matching input channels of the
 * next conv, and after the last conv the matching input features of the first linear layer (the
 * flattened (C, H, W) order: channel c owns features [c·H·W, (c + 1)·H·W)). The result is a
 * classifier whose config lists the smaller {@code channels}.
 *
 * <p>In eval mode the smaller model computes what the original computes with the removed channels
 * silenced (filter, bias, γ and β at zero: the batch norm then outputs exactly 0, ReLU and pooling
 * keep it 0, and the next layer's weights on that channel meet only zeros).
 */
public final class ChannelPruner {
  /**
   * @param config the smaller model's config
   * @param model the smaller model, in eval mode
   * @param kept per conv, the indices (ascending) of the output channels that stayed
   */
  public record Result(ClassifierConfig config, Sequential model, List<int[]> kept) {}

  private ChannelPruner() {}

  /**
   * @param model a classifier built by {@link Classifiers#build} from {@code config}, with its weights
   * @throws IllegalArgumentException for a method other than channels, a config that is not a cnn, a network whose
   *     layers are not in the expected order, or a sparsity that would remove every channel of a conv
   */
  public static Result prune(ClassifierConfig config, Sequential model, StructuredPruneConfig pc) {
    if (pc.method() != StructuredMethod.CHANNELS) {
      throw new IllegalArgumentException("method " + pc.method() + " prunes " + pc.method().units() + " of a language model; a CNN classifier takes "
          + StructuredMethod.CHANNELS);
    }
    if (!config.model().equals("cnn")) {
      throw new IllegalArgumentException("channels: expected a cnn classifier, got model '" + config.model() + "' (it has no conv layers)");
    }
    List<Module> layers = new ArrayList<>(model.namedChildren().values());
    List<String> names = new ArrayList<>(model.namedChildren().keySet());
    Map<String, Tensor> state = model.stateDict();
    Map<String, Tensor> out = new LinkedHashMap<>(state);
    List<int[]> kept = new ArrayList<>();
    int[] channels = new int[config.channels().length];
    int[] pending = null;  // kept output channels of the last conv, not yet applied to the next layer's inputs
    int convs = 0, pendingFrom = 0;  // pendingFrom: the last conv's output channels before pruning
    for (int i = 0; i < layers.size(); i++) {
      String p = names.get(i) + ".";
      if (layers.get(i) instanceof Conv2d conv) {
        if (conv.groups != 1) throw new IllegalArgumentException("channels: layer " + names.get(i) + " is a grouped conv (groups " + conv.groups + "), expected 1");
        int k = conv.weight.numel() / (conv.outChannels * conv.inChannels);
        Tensor w = out.get(p + "weight");
        if (pending != null) {
          w = Slicing.keep(w, conv.outChannels, conv.inChannels, k, pending, conv.outChannels, pending.length, conv.kernelSize[0], conv.kernelSize[1]);
        }
        BatchNorm bn = i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm b ? b : null;
        double[] score = score(conv, bn, pc.score(), names.get(i));
        int[] keep = UnitSelection.keep(score, pc.kept(conv.outChannels, "conv " + names.get(i)));
        int in = pending == null ? conv.inChannels : pending.length;
        out.put(p + "weight", Slicing.keep(w, 1, conv.outChannels, in * k, keep, keep.length, in, conv.kernelSize[0], conv.kernelSize[1]));
        if (conv.bias != null) out.put(p + "bias", Slicing.keep(conv.bias, 1, conv.outChannels, 1, keep, keep.length));
        if (convs >= channels.length) throw new IllegalArgumentException("channels: the network has more convs than the config's " + channels.length);
        channels[convs++] = keep.length;
        kept.add(keep);
        pending = keep;
        pendingFrom = conv.outChannels;
      } else if (layers.get(i) instanceof BatchNorm bn && pending != null) {
        for (String b : List.of("weight", "bias", "running_mean", "running_var")) {
          if (state.containsKey(p + b)) out.put(p + b, Slicing.keep(state.get(p + b), 1, bn.numFeatures, 1, pending, pending.length));
        }
      } else if (layers.get(i) instanceof Linear lin && pending != null) {
        int c = pendingFrom;
        if (lin.inFeatures % c != 0) {
          throw new IllegalArgumentException("channels: linear " + names.get(i) + " has " + lin.inFeatures + " inputs, expected a multiple of " + c + " channels");
        }
        int spatial = lin.inFeatures / c;
        int[] idx = UnitSelection.expand(pending, spatial);
        out.put(p + "weight", Slicing.keep(state.get(p + "weight"), lin.outFeatures, lin.inFeatures, 1, idx, lin.outFeatures, idx.length));
        pending = null;
      }
    }
    if (convs != channels.length) throw new IllegalArgumentException("channels: the config lists " + channels.length + " convs, the network has " + convs);
    if (pending != null) throw new IllegalArgumentException("channels: expected a linear layer after the last conv, found none");
    ClassifierConfig small = new ClassifierConfig(config.model(), config.inputShape(), config.numClasses(), config.classNames(), config.hidden(), channels,
        config.headHidden(), config.dropout(), config.data(), config.target(), config.featureNames(), config.standardizer());
    Sequential m = Classifiers.build(small, new Rng(0));
    m.loadStateDict(out, true);
    m.eval();
    return new Result(small, m, List.copyOf(kept));
  }

  private static double[] score(Conv2d conv, BatchNorm bn, UnitScore score, String name) {
    double[] s = new double[conv.outChannels];
    if (score == UnitScore.BN) {
      if (bn == null) throw new IllegalArgumentException("score bn: expected a batch norm after conv " + name + ", found none (use score l1)");
      float[] g = bn.weight.data();
      for (int c = 0; c < s.length; c++) s[c] = Math.abs(g[c]);
      return s;
    }
    float[] w = conv.weight.data();
    int per = w.length / s.length;
    for (int c = 0; c < s.length; c++) for (int i = c * per; i < (c + 1) * per; i++) s[c] += Math.abs(w[i]);
    return s;
  }
}
