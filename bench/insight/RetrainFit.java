package dev.fathom.cli;

import dev.fathom.insight.Examples;
import dev.fathom.insight.InRunConfig;
import dev.fathom.insight.InRunShapley;
import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;

/**
 * Does the removal curve's retraining fit its training labels? Trains the value command's MLP
 * (Fashion-MNIST, 5,000 examples, 10% flipped, seed S) with plain SGD at a constant step size for
 * each EPOCHS:LR recipe and prints the share of flipped labels and of clean labels it fits, and its
 * accuracy on the 2,000 evaluation images (docs/insight/data-valuation.md, "Removal curves").
 *
 * <pre>
 * CP="cli/target/fathom-cli.jar:cli/target/lib/*"
 * javac --add-modules jdk.incubator.vector -cp "$CP" -d /tmp/fit bench/insight/RetrainFit.java
 * java --add-modules jdk.incubator.vector -cp "/tmp/fit:$CP" dev.fathom.cli.RetrainFit S 80:0.05,200:0.2
 * </pre>
 */
public class RetrainFit {
  public static void main(String[] a) throws Exception {
    long seed = Long.parseLong(a[0]);
    ValueData d = ValueData.fashion(5000, 1000, 2000, 0.1, seed);
    Examples tr = ValueMethods.standardized(d.train()), va = ValueMethods.standardized(d.valid()), ev = ValueMethods.standardized(d.eval());
    boolean[] flipped = d.flipped(), clean = new boolean[flipped.length];
    for (int i = 0; i < flipped.length; i++) clean[i] = !flipped[i];
    for (String recipe : a[1].split(",")) {
      String[] p = recipe.split(":");
      int epochs = Integer.parseInt(p[0]);
      double lr = Double.parseDouble(p[1]);
      Rng rng = new Rng(seed * 100);
      Sequential m = new Sequential(new Linear(784, 128, rng), Activation.relu(), new Linear(128, 10, rng));
      InRunShapley.train(m, tr, va, InRunConfig.of(epochs, 256, lr, 1, seed * 100));
      // without(clean) keeps the flipped rows, without(flipped) the clean ones
      System.out.printf("seed %d, %d epochs at lr %.2f: fits %.3f of the flipped labels, %.3f of the clean ones; evaluation accuracy %.4f%n",
          seed, epochs, lr, InRunShapley.accuracy(m, tr.without(clean)), InRunShapley.accuracy(m, tr.without(flipped)), InRunShapley.accuracy(m, ev));
    }
  }
}
