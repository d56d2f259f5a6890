package dev.fathom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fathom.io.Checkpoint;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.vision.models.ImageClassifierConfig;
import dev.fathom.vision.models.ImageClassifiers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a classifier checkpoint directory (config.json + model.safetensors): core's mlp/cnn, or a
 * vision backbone (vit, hybrid, resnet). For the latter {@code vision} holds its config and
 * {@code config} the fields every command reads (input shape, classes, data).
 */
record ModelLoader(ClassifierConfig config, Sequential model, ImageClassifierConfig vision) {
  static ModelLoader load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) throw new CliException("--model: '" + dir + "' is not a directory", 1);
    try {
      JsonNode node = Checkpoint.readConfig(dir, JsonNode.class);
      if (ImageClassifierConfig.MODELS.contains(node.path("model").asText())) {
        ImageClassifierConfig v = Checkpoint.readConfig(dir, ImageClassifierConfig.class);
        Sequential m = ImageClassifiers.build(v, new Rng(0));
        Checkpoint.loadWeights(dir, m);
        m.eval();
        return new ModelLoader(commonView(v), m, v);
      }
      ClassifierConfig c = Checkpoint.readConfig(dir, ClassifierConfig.class);
      Sequential m = Classifiers.build(c, new Rng(0));
      Checkpoint.loadWeights(dir, m);
      m.eval();
      return new ModelLoader(c, m, null);
    } catch (IllegalArgumentException e) {
      throw new CliException(dir.resolve(Checkpoint.CONFIG) + ": " + e.getMessage(), 1);
    }
  }

  /**
   * Core's classifier config with the fields the commands read (input shape, classes, data) of a
   * vision classifier. Its {@code model} says "cnn" (an image model) because core's record knows
   * only mlp and cnn; the architecture is in the {@link ImageClassifierConfig}.
   */
  static ClassifierConfig commonView(ImageClassifierConfig v) {
    return new ClassifierConfig("cnn", v.inputShape(), v.numClasses(), v.classNames(), null, null, 0, 0, v.data(), null, null, null);
  }
}
