package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.io.Checkpoint;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.augment.Augmentations;
import dev.fathom.vision.mae.Mae;
import dev.fathom.vision.mae.MaeConfig;
import dev.fathom.vision.mae.MaeEvaluation;
import dev.fathom.vision.models.Vit;
import dev.fathom.vision.models.VitConfig;
import dev.fathom.vision.ssl.PretrainConfig;
import dev.fathom.vision.ssl.Pretrainer;
import dev.fathom.vision.ssl.SslCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fathom ssl pretrain --method mae}: pretrains a ViT as a masked autoencoder on
 * Fashion-MNIST's training images (light crop and flip, as the paper uses no strong
 * augmentation), then scores held-out reconstruction against the mean-patch baselines and saves
 * the encoder as an {@link SslCheckpoint}.
 */
final class MaePretrain {
  /** Test images the reconstruction is scored on, and training images the position baseline is fitted on. */
  static final int EVAL_IMAGES = 10_000, BASELINE_IMAGES = 10_000;
  /** The full autoencoder's weights beside the encoder's. */
  static final String FULL_WEIGHTS = "mae.safetensors";

  private MaePretrain() {}

  record Settings(int epochs, int batch, double lr, double weightDecay, int workers, long seed, Integer trainSize, Path out) {}

  static int run(Settings s, MaeOptions o) throws IOException {
    FashionMnist.LabeledImages tr = FashionMnist.load(true);
    int h = tr.height(), w = tr.width(), px = h * w;
    VitConfig vc;
    MaeConfig mc;
    PretrainConfig cfg;
    try {
      vc = o.vit(1, h);
      mc = o.mae();
      cfg = new PretrainConfig(s.epochs(), s.batch(), s.lr(), s.weightDecay(), Math.min(s.epochs(), 0.5), s.workers(), s.seed());
    } catch (IllegalArgumentException e) {
      throw new CliException("--method mae: " + e.getMessage(), 2);
    }
    var images = SslPretrainCommand.unlabelled(tr, s.trainSize(), s.batch());
    int n = images.size();
    Rng rng = new Rng(s.seed());
    Mae mae = new Mae(new Vit(vc, rng), mc, rng);
    System.out.printf(Locale.ROOT, "mae: ViT patch %d, dim %d, depth %d (%d encoder parameters, %d in all), %d of %d patches visible, "
        + "%d images, %d epochs, batch %d%n", vc.patchSize(), vc.dim(), vc.depth(), mae.encoder.numParameters(), mae.numParameters(),
        mae.numPatches() - (int) Math.round(mae.numPatches() * mc.maskRatio()), mae.numPatches(), n, s.epochs(), s.batch());
    var result = new Pretrainer(mae, cfg).fit(images, 1, h, w, Augmentations.light(h, w), SslPretrainCommand.progress(s.epochs()));
    FashionMnist.LabeledImages te = FashionMnist.load(false);
    int nb = Math.min(BASELINE_IMAGES, tr.count()), ne = Math.min(EVAL_IMAGES, te.count());
    Tensor fit = Tensor.of(Arrays.copyOf(tr.images(), nb * px), nb, 1, h, w);
    Tensor test = Tensor.of(Arrays.copyOf(te.images(), ne * px), ne, 1, h, w);
    MaeEvaluation ev = MaeEvaluation.run(mae, fit, test, s.seed() + 1, 250);
    String space = mc.normPixLoss() ? "normalized patches" : "pixels";
    System.out.printf(Locale.ROOT, "held-out reconstruction of hidden patches (%d test images, MSE in %s): MAE %.4f, position-mean baseline %.4f, "
        + "visible-mean baseline %.4f -> %.2fx lower than the better baseline%n", ev.images(), space, ev.maeError(), ev.positionMeanError(),
        ev.visibleMeanError(), ev.improvement());
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("mae", mc);
    extra.put("pretrain", cfg);
    extra.put("trainSize", n);
    extra.put("seconds", result.seconds());
    extra.put("epochLoss", result.epochLoss());
    extra.put("reconstruction", ev);
    SslPretrainCommand.saveRun(s.out(), "mae", mae.encoder, new int[] {1, h, w}, extra, result);
    // The whole autoencoder too (decoder and mask token), for reconstructions and further pretraining.
    Checkpoint.saveTensors(s.out().resolve(FULL_WEIGHTS), mae.stateDict(), Map.of("format", "pt", "method", "mae"));
    MaePlots.reconstructions(s.out().resolve("reconstructions.png"), mae, test.narrow(0, 0, Math.min(8, ne)), s.seed() + 2);
    System.out.printf(Locale.ROOT, "pretrained in %.1f s (%.1f images/s)%n", result.seconds(), result.images() / result.seconds());
    System.out.println("checkpoint: " + s.out().resolve(SslCheckpoint.CONFIG) + ", " + s.out().resolve(SslCheckpoint.WEIGHTS)
        + "; loss curve: " + s.out().resolve("loss.png") + "; reconstructions: " + s.out().resolve("reconstructions.png"));
    return 0;
  }
}
