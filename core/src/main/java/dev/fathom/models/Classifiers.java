package dev.fathom.models;

import dev.fathom.nn.Activation;
import dev.fathom.nn.BatchNorm2d;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Dropout;
import dev.fathom.nn.Linear;
import dev.fathom.nn.MaxPool2d;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the classifiers of the CLI from a {@link ClassifierConfig}, as a {@link Sequential}
 * whose state-dict keys ("0.weight", "1.running_mean", ...) are those of the same
 * {@code torch.nn.Sequential} in PyTorch.
 */
public final class Classifiers {
  private Classifiers() {}

  public static Sequential build(ClassifierConfig c, Rng rng) {
    List<Module> layers = new ArrayList<>();
    int[] in = c.inputShape();
    if (c.model().equals("mlp")) {
      int width = 1;
      for (int d : in) width *= d;
      if (in.length > 1) layers.add(Activation.flatten());
      for (int h : c.hidden()) {
        layers.add(new Linear(width, h, rng));
        layers.add(Activation.relu());
        width = h;
      }
      if (c.dropout() > 0) layers.add(new Dropout(c.dropout(), rng.split()));
      layers.add(new Linear(width, c.numClasses(), rng));
    } else {
      int ch = in[0], h = in[1], w = in[2];
      for (int out : c.channels()) {
        layers.add(new Conv2d(ch, out, 3, 1, 1, rng));
        layers.add(new BatchNorm2d(out));
        layers.add(Activation.relu());
        layers.add(new MaxPool2d(2));
        ch = out;
        h /= 2;
        w /= 2;
        if (h == 0 || w == 0) {
          throw new IllegalArgumentException("cnn: input " + java.util.Arrays.toString(in) + " is too small for "
              + c.channels().length + " pooling blocks");
        }
      }
      layers.add(Activation.flatten());
      layers.add(new Linear(ch * h * w, c.headHidden(), rng));
      layers.add(Activation.relu());
      if (c.dropout() > 0) layers.add(new Dropout(c.dropout(), rng.split()));
      layers.add(new Linear(c.headHidden(), c.numClasses(), rng));
    }
    return new Sequential(layers.toArray(new Module[0]));
  }
}
