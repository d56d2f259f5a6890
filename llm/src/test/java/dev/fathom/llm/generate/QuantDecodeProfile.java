package dev.fathom.llm.generate;

import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * Where a decode step's time goes, on one thread (run with FATHOM_THREADS=1), for each model
 * directory given: CPU ms per token of the whole step, and of the step's matrix-vector products
 * alone (every projection and the head over all rows, as the step runs them). Per-thread CPU time,
 * because the machine is shared; the step's wall time is printed beside it. Usage: QuantDecodeProfile DIR...
 */
public final class QuantDecodeProfile {
  private QuantDecodeProfile() {}

  public static void main(String[] args) throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 2; round++) {
      for (String dir : args) {
        LlamaForCausalLM m = HfCheckpoint.load(Path.of(dir));
        int v = m.config().vocabSize(), d = m.config().hiddenSize(), n = 200;
        var s = new InferenceSession(m, 1, 256);
        float[] logits = new float[v];
        s.prefill(0, new int[] {1, 2, 3, 4}, logits, 0);
        long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
        for (int i = 0; i < n; i++) s.decode(new int[] {0}, new int[] {(i * 31) % v}, 1, logits);
        double step = (mx.getCurrentThreadCpuTime() - c0) / 1e6 / n, wall = (System.nanoTime() - w0) / 1e6 / n;
        ModelWeights w = ModelWeights.of(m, 256);
        int f = m.config().intermediateSize();
        float[] x = new float[Math.max(d, f)], y = new float[Math.max(Math.max(d, f), v)];
        for (int i = 0; i < x.length; i++) x[i] = (i % 7) * 0.1f;
        c0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          for (LayerWeights lw : w.layers()) {
            for (Projection p : new Projection[] {lw.wq(), lw.wk(), lw.wv(), lw.wo(), lw.wGate(), lw.wUp()}) p.rows(null, x, 0, d, 1, y, 0, f, 0, p.rowsCount(), false);
            lw.wDown().rows(null, x, 0, f, 1, y, 0, d, 0, d, false);
          }
          w.head().rows(null, x, 0, d, 1, y, 0, v, 0, v, false);
        }
        double mv = (mx.getCurrentThreadCpuTime() - c0) / 1e6 / n;
        if (round == 1) {
          System.out.printf("%-40s step %.2f ms/token CPU (%.2f wall), matvecs %.2f ms (%.0f%%), the rest %.2f ms%n", dir, step, wall, mv,
              100 * mv / step, step - mv);
        }
      }
    }
  }
}
