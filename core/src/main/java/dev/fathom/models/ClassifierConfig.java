package dev.fathom.models;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The config.json of a classifier checkpoint: which architecture, its sizes, the classes, and the
 * preprocessing the inputs need (for tabular data: feature names and standardization).
 *
 * @param model "mlp" or "cnn"
 * @param inputShape shape of one example: (C, H, W) for images, (F) for tabular rows
 * @param numClasses number of classes
 * @param classNames class names, index = class
 * @param hidden MLP hidden layer sizes
 * @param channels CNN conv block channels (each block: conv 3×3 pad 1, batch norm, ReLU, max pool 2)
 * @param headHidden CNN head hidden size
 * @param dropout dropout before the last layer
 * @param data where the training data came from ("fashion-mnist" or a file name)
 * @param target tabular only: the target column, or null
 * @param featureNames tabular only: the feature columns in order (categorical as {@code column=level})
 * @param standardizer tabular only: {@code Standardizer.toMap()} of the training rows, or null
 */
public record ClassifierConfig(String model, int[] inputShape, int numClasses, List<String> classNames, int[] hidden,
    int[] channels, int headHidden, double dropout, String data, String target, List<String> featureNames, Map<String, Object> standardizer) {

  public ClassifierConfig {
    if (!"mlp".equals(model) && !"cnn".equals(model)) {
      throw new IllegalArgumentException("model must be 'mlp' or 'cnn', got '" + model + "'");
    }
    if (inputShape == null || inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException("inputShape must have positive dims, got " + Arrays.toString(inputShape));
    }
    if ("cnn".equals(model) && inputShape.length != 3) {
      throw new IllegalArgumentException("a cnn needs image input (C, H, W), got " + Arrays.toString(inputShape)
          + " (use --model mlp for tabular data)");
    }
    if (numClasses < 2) throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
    if (classNames == null) classNames = List.of();
    if (!classNames.isEmpty() && classNames.size() != numClasses) {
      throw new IllegalArgumentException(classNames.size() + " class names for " + numClasses + " classes");
    }
    if (hidden == null) hidden = new int[0];
    if (channels == null) channels = new int[0];
    if (Arrays.stream(hidden).anyMatch(d -> d <= 0) || Arrays.stream(channels).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException("layer sizes must be positive, got hidden " + Arrays.toString(hidden)
          + ", channels " + Arrays.toString(channels));
    }
    if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    long params = estimateParameters(model, inputShape, numClasses, hidden, channels, headHidden);
    if (params > MAX_PARAMETERS) {
      throw new IllegalArgumentException("the configured model would have about " + params + " parameters, more than the "
          + MAX_PARAMETERS + " a classifier config may ask for (inputShape " + Arrays.toString(inputShape) + ")");
    }
    if (featureNames == null) featureNames = List.of();
    classNames = List.copyOf(classNames);
    featureNames = List.copyOf(featureNames);
  }

  /** Upper bound on the parameters a config may describe, so a hostile config.json cannot exhaust memory. */
  public static final long MAX_PARAMETERS = 1L << 28;

  /** Parameter count of the network {@code Classifiers.build} makes, in long arithmetic (saturating). */
  static long estimateParameters(String model, int[] in, int classes, int[] hidden, int[] channels, int headHidden) {
    long width = 1;
    for (int d : in) width = Math.min(width * d, Integer.MAX_VALUE);
    long total = 0;
    if ("mlp".equals(model)) {
      for (int h : hidden) {
        total += width * h + h;
        width = h;
      }
    } else {
      long ch = in[0], h = in[1], w = in[2];
      for (int c : channels) {
        total += ch * c * 9 + c + 4L * c;
        ch = c;
        h /= 2;
        w /= 2;
      }
      width = ch * h * w;
      total += width * headHidden + headHidden;
      width = headHidden;
    }
    return Math.min(total + width * classes + classes, Long.MAX_VALUE / 2);
  }

  /** Default MLP for the given input: two hidden layers 256 and 128. */
  public static ClassifierConfig mlp(int[] inputShape, List<String> classNames, String data) {
    return new ClassifierConfig("mlp", inputShape, classNames.size(), classNames, new int[] {256, 128}, null, 0, 0.1, data, null, null, null);
  }

  /** Default CNN: conv blocks of 32 and 64 channels, a 128-unit head, dropout 0.25. */
  public static ClassifierConfig cnn(int[] inputShape, List<String> classNames, String data) {
    return new ClassifierConfig("cnn", inputShape, classNames.size(), classNames, null, new int[] {32, 64}, 128, 0.25, data, null, null, null);
  }

  /** A copy with tabular preprocessing attached. */
  public ClassifierConfig withTabular(String targetColumn, List<String> features, Map<String, Object> standardizerMap) {
    return new ClassifierConfig(model, inputShape, numClasses, classNames, hidden, channels, headHidden, dropout, data, targetColumn,
        features, standardizerMap);
  }
}
