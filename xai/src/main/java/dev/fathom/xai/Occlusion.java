package dev.fathom.xai;

import dev.fathom.tensor.Tensor;

/**
 * Occlusion (Zeiler &amp; Fergus 2014): slide a window over the image, set it to the baseline, and
 * credit every covered feature with the drop f(x) − f(x with the window occluded), averaged over
 * the windows covering it. Needs only forward passes, so it explains models without gradients.
 * Input (C, H, W) windows span all channels; tabular input (F) uses windows of features.
 */
public final class Occlusion implements Attribution {
  private final int window;
  private final int stride;
  private final Baseline baseline;

  public Occlusion(int window, int stride, Baseline baseline) {
    if (window < 1 || stride < 1) throw new IllegalArgumentException("occlusion: window and stride must be >= 1, got " + window + " and " + stride);
    this.window = window;
    this.stride = stride;
    this.baseline = baseline;
  }

  @Override
  public Tensor attribute(GradientModel model, Tensor x, int[] targets) {
    model.checkInput(x);
    int[] in = model.inputShape();
    int ch = in.length == 3 ? in[0] : 1;
    int h = in.length == 3 ? in[1] : 1;
    int w = in.length == 3 ? in[2] : model.features();
    int wh = in.length == 3 ? Math.min(window, h) : 1;
    int ww = Math.min(window, w);
    int n = x.size(0), f = model.features();
    float[] base = baseline.row(model), xd = x.data();
    float[] fx = model.score(x, targets);
    java.util.List<int[]> windows = new java.util.ArrayList<>();
    for (int y0 : positions(h, wh, stride)) for (int x0 : positions(w, ww, stride)) windows.add(new int[] {y0, x0});
    int nw = windows.size();
    float[] out = new float[n * f];
    float[] count = new float[f];
    for (int[] win : windows) forWindow(win, wh, ww, ch, h, w, j -> count[j]++);
    for (int i = 0; i < n; i++) {
      float[] batch = new float[nw * f];
      for (int k = 0; k < nw; k++) {
        System.arraycopy(xd, i * f, batch, k * f, f);
        final int row = k * f;
        forWindow(windows.get(k), wh, ww, ch, h, w, j -> batch[row + j] = base[j]);
      }
      int[] t = new int[nw];
      java.util.Arrays.fill(t, targets[i]);
      float[] fo = model.score(Tensor.of(batch, model.batchShape(nw)), t);
      final int dst = i * f;
      for (int k = 0; k < nw; k++) {
        final float drop = fx[i] - fo[k];
        forWindow(windows.get(k), wh, ww, ch, h, w, j -> out[dst + j] += drop);
      }
    }
    for (int i = 0; i < n; i++) for (int j = 0; j < f; j++) out[i * f + j] = count[j] == 0 ? 0 : out[i * f + j] / count[j];
    return Tensor.of(out, model.batchShape(n));
  }

  /** Window starts 0, stride, 2·stride, ... along an axis, plus the last full window so the far edge is covered. */
  static int[] positions(int len, int win, int stride) {
    java.util.List<Integer> p = new java.util.ArrayList<>();
    for (int s = 0; s + win <= len; s += stride) p.add(s);
    if (p.get(p.size() - 1) != len - win) p.add(len - win);
    return p.stream().mapToInt(Integer::intValue).toArray();
  }

  private static void forWindow(int[] win, int wh, int ww, int ch, int h, int w, java.util.function.IntConsumer each) {
    for (int c = 0; c < ch; c++) {
      for (int y = win[0]; y < win[0] + wh; y++) {
        for (int xx = win[1]; xx < win[1] + ww; xx++) each.accept((c * h + y) * w + xx);
      }
    }
  }
}
