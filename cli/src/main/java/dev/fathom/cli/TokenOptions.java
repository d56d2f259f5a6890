package dev.fathom.cli;

import dev.fathom.nn.Sequential;
import dev.fathom.vision.models.Encoder;
import dev.fathom.vision.models.ImageClassifiers;
import dev.fathom.vision.models.TokenReduction;
import dev.fathom.vision.models.Vit;
import picocli.CommandLine.Option;

/** Token pruning and merging options for ViT and hybrid models ({@code --token-keep}, {@code --token-merge}). */
final class TokenOptions {
  @Option(names = "--token-keep", description = "vit, hybrid: keep this fraction of the patch tokens, ranked by class-token attention in block --token-layer")
  Double keep;

  @Option(names = "--token-layer", defaultValue = "1", description = "the block (0-based) whose attention --token-keep ranks by (default: ${DEFAULT-VALUE})")
  int layer;

  @Option(names = "--token-merge", description = "vit, hybrid: ToMe, merge this many tokens in every block")
  Integer merge;

  @Option(names = "--proportional-attention", description = "with --token-merge: add log(size) to the attention logits of merged tokens")
  boolean proportional;

  /** The reduction asked for (none without options); bad values become a CliException. */
  TokenReduction reduction() {
    try {
      return new TokenReduction(keep == null ? 1 : keep, layer, merge == null ? 0 : merge, proportional);
    } catch (IllegalArgumentException e) {
      throw new CliException("--token-keep/--token-layer/--token-merge: " + e.getMessage(), 2);
    }
  }

  /** Sets the reduction on a vit or hybrid classifier; does nothing when none was asked for. */
  void apply(Sequential classifier) {
    TokenReduction r = reduction();
    if (r.isNone()) return;
    Encoder e = classifier.size() == 2 && classifier.get(0) instanceof Encoder enc ? enc : null;
    if (!(e instanceof Vit vit)) throw new CliException("--token-keep/--token-merge need a vit or hybrid model", 2);
    try {
      vit.tokenReduction(r);
    } catch (IllegalArgumentException ex) {
      throw new CliException("--token-layer: " + ex.getMessage(), 2);
    }
  }
}
