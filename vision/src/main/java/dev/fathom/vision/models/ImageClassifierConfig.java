package dev.fathom.vision.models;

import java.util.Arrays;
import java.util.List;

/**
 * The config.json of a vision classifier checkpoint: which backbone ("vit", "hybrid" or
 * "resnet") with its config, the classes, and where the data came from. It is validated like
 * core's {@code ClassifierConfig}, including a bound on the parameters a hostile file may ask for.
 *
 * @param model "vit", "hybrid" or "resnet"
 * @param inputShape one image (C, H, W); H = W = the backbone's imageSize for vit and hybrid
 * @param numClasses number of classes, at least 2
 * @param classNames class names, index = class (may be empty)
 * @param data where the training data came from
 * @param vit the ViT config (model "vit" only)
 * @param hybrid the hybrid config (model "hybrid" only)
 * @param resnet the ResNet config (model "resnet" only)
 */
public record ImageClassifierConfig(String model, int[] inputShape, int numClasses, List<String> classNames, String data,
    VitConfig vit, HybridConfig hybrid, ResNetConfig resnet) {
  public static final List<String> MODELS = List.of("vit", "hybrid", "resnet");
  /** Upper bound on the parameters a config may describe (as core's ClassifierConfig). */
  public static final long MAX_PARAMETERS = 1L << 28;

  public ImageClassifierConfig {
    if (!MODELS.contains(model)) throw new IllegalArgumentException("model must be one of " + MODELS + ", got '" + model + "'");
    if (inputShape == null || inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d <= 0 || d > 4096)) {
      throw new IllegalArgumentException("inputShape must be (C, H, W) with dims in [1, 4096], got " + Arrays.toString(inputShape));
    }
    inputShape = inputShape.clone();
    if (numClasses < 2 || numClasses > 1 << 20) throw new IllegalArgumentException("numClasses must be in [2, 1048576], got " + numClasses);
    classNames = classNames == null ? List.of() : List.copyOf(classNames);
    if (!classNames.isEmpty() && classNames.size() != numClasses) {
      throw new IllegalArgumentException(classNames.size() + " class names for " + numClasses + " classes");
    }
    int present = (vit != null ? 1 : 0) + (hybrid != null ? 1 : 0) + (resnet != null ? 1 : 0);
    boolean matches = switch (model) {
      case "vit" -> vit != null;
      case "hybrid" -> hybrid != null;
      default -> resnet != null;
    };
    if (present != 1 || !matches) {
      throw new IllegalArgumentException("model '" + model + "' needs exactly its own config field '" + model + "', got vit "
          + (vit != null) + ", hybrid " + (hybrid != null) + ", resnet " + (resnet != null));
    }
    int channels = vit != null ? vit.inChannels() : hybrid != null ? hybrid.inChannels() : resnet.inChannels();
    int size = vit != null ? vit.imageSize() : hybrid != null ? hybrid.imageSize() : -1;
    if (channels != inputShape[0] || (size >= 0 && (size != inputShape[1] || size != inputShape[2]))) {
      throw new IllegalArgumentException("inputShape " + Arrays.toString(inputShape) + " does not match the " + model + " config: expected "
          + channels + " channels" + (size >= 0 ? " and " + size + "x" + size + " images" : ""));
    }
    long params = estimateParameters(vit != null ? vit : hybrid != null ? hybrid.vit() : null, hybrid, resnet, numClasses);
    if (params > MAX_PARAMETERS) {
      throw new IllegalArgumentException("the configured model would have about " + params + " parameters, more than the " + MAX_PARAMETERS
          + " a classifier config may ask for");
    }
  }

  /** Parameter count (saturating long arithmetic; close to the model's, exact up to norms and biases). */
  static long estimateParameters(VitConfig v, HybridConfig h, ResNetConfig r, int classes) {
    double total;
    if (r != null) {
      int[] w = r.widths(), b = r.blocksPerStage();
      total = 9.0 * r.inChannels() * w[0];
      double in = w[0];
      for (int s = 0; s < w.length; s++) {
        total += (b[s] - 1) * 18.0 * w[s] * w[s] + 9.0 * w[s] * w[s] + 9.0 * in * w[s] + (s > 0 || in != w[s] ? in * w[s] : 0);
        in = w[s];
      }
      total += in * classes;
    } else {
      double d = v.dim(), hid = v.mlpHidden();
      total = v.depth() * (4 * d * d + 2 * d * hid) + (v.numPatches() + 1.0) * d + d * classes;
      if (h == null) {
        total += (double) v.inChannels() * v.patchSize() * v.patchSize() * d;
      } else {
        double in = h.inChannels();
        for (int c : h.stemChannels()) {
          total += 9 * in * c;
          in = c;
        }
        total += in * d;
      }
    }
    return total >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE / 2 : (long) total;
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }
}
