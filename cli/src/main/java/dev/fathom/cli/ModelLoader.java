package dev.fathom.cli;

import dev.fathom.io.Checkpoint;
import dev.fathom.models.ClassifierConfig;
import dev.fathom.models.Classifiers;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a classifier checkpoint directory (config.json + model.safetensors). */
record ModelLoader(ClassifierConfig config, Sequential model) {
  static ModelLoader load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) throw new CliException("--model: '" + dir + "' is not a directory", 1);
    ClassifierConfig c;
    try {
      c = Checkpoint.readConfig(dir, ClassifierConfig.class);
    } catch (IllegalArgumentException e) {
      throw new CliException(dir.resolve(Checkpoint.CONFIG) + ": " + e.getMessage(), 1);
    }
    Sequential m = Classifiers.build(c, new Rng(0));
    Checkpoint.loadWeights(dir, m);
    m.eval();
    return new ModelLoader(c, m);
  }
}
