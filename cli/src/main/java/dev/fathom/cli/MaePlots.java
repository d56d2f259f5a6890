package dev.fathom.cli;

import dev.fathom.autograd.Grad;
import dev.fathom.io.PngFiles;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.mae.Mae;
import dev.fathom.vision.mae.MaeLoss;
import dev.fathom.vision.mae.PatchMask;
import dev.fathom.vision.mae.Patches;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The MAE picture: for a few test images, the original (top row), what the encoder saw (hidden
 * patches grey, middle row) and the reconstruction with the visible patches pasted back (bottom
 * row). With normalized-pixel targets each predicted patch is shown with the true patch's mean and
 * spread put back, as in the paper's figures.
 */
final class MaePlots {
  private static final int SCALE = 4, GAP = 2;

  private MaePlots() {}

  static void reconstructions(Path file, Mae mae, Tensor images, long seed) throws IOException {
    int n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3), p = mae.patchSize();
    if (c != 1) throw new IllegalArgumentException("reconstruction plot: grayscale images only, got " + c + " channels");
    PatchMask mask = mae.randomMask(n, new Rng(seed));
    Tensor pred;
    boolean wasTraining = mae.isTraining();
    mae.eval();
    try (var g = Grad.disabled()) {
      pred = mae.reconstruct(images, mask);
    } finally {
      if (wasTraining) mae.train();
    }
    Tensor truth = Patches.patchify(images, p);
    float[] shown = truth.toFloatArray(), recon = truth.toFloatArray(), t = truth.data(), pr = pred.data();
    int l = mae.numPatches(), pp = p * p;
    for (int i = 0; i < n; i++) {
      for (int hid : mask.hidden()[i]) {
        int o = (i * l + hid) * pp;
        double[] ms = MaeLoss.meanAndScale(t, o, pp);
        for (int j = 0; j < pp; j++) {
          shown[o + j] = Float.NaN;
          recon[o + j] = mae.config.normPixLoss() ? (float) (pr[o + j] * ms[1] + ms[0]) : pr[o + j];
        }
      }
    }
    float[][] rows = {images.toFloatArray(), pixels(shown, n, p, h / p, w / p), pixels(recon, n, p, h / p, w / p)};
    int cw = w * SCALE + GAP, ch = h * SCALE + GAP;
    BufferedImage img = new BufferedImage(n * cw, 3 * ch, BufferedImage.TYPE_INT_RGB);
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < n; i++) {
        for (int y = 0; y < h * SCALE; y++) {
          for (int x = 0; x < w * SCALE; x++) {
            float v = rows[r][i * h * w + (y / SCALE) * w + x / SCALE];
            int rgb = Float.isNaN(v) ? 0x7F7F9F : gray(v);
            img.setRGB(i * cw + x, r * ch + y, rgb);
          }
        }
      }
    }
    PngFiles.write(file, img);
  }

  private static float[] pixels(float[] patches, int n, int p, int gh, int gw) {
    return Patches.unpatchify(Tensor.of(patches, n, gh * gw, p * p), p, 1, gh, gw).toFloatArray();
  }

  private static int gray(float v) {
    int g = Math.max(0, Math.min(255, Math.round(v * 255)));
    return (g << 16) | (g << 8) | g;
  }
}
