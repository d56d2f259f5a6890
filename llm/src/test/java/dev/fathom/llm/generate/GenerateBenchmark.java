package dev.fathom.llm.generate;

import dev.fathom.kernel.Parallel;
import dev.fathom.llm.GenerationConfig;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.LlamaPresets;
import dev.fathom.tensor.Rng;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Prefill and decode speed of the KV-cache engine (bench/llm_generate_side_by_side.sh runs it
 * beside bench/llm_generate_torch.py on the same checkpoint).
 *
 * <pre>
 *   write DIR PRESET MAXPOS          random-init checkpoint of a preset (vocab 256), context MAXPOS
 *   run DIR PROMPT NEW REPS          prefill PROMPT tokens, then NEW greedy decode steps, REPS times
 * </pre>
 */
public final class GenerateBenchmark {
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

  private GenerateBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 4 && args[0].equals("write")) {
      LlamaConfig p = LlamaPresets.of(args[2], 256);
      int maxPos = Integer.parseInt(args[3]);
      LlamaConfig c = p.withMaxPositions(maxPos);
      HfCheckpoint.save(Path.of(args[1]), new LlamaForCausalLM(c, new Rng(1234)), GenerationConfig.ofTokens(null, null));
      System.out.println("wrote " + args[1] + " (" + args[2] + ", " + c.parameterCount() + " parameters, context " + maxPos + ")");
      return;
    }
    if (args.length < 5 || !args[0].equals("run")) {
      System.err.println("usage: GenerateBenchmark write DIR PRESET MAXPOS | run DIR PROMPT NEW REPS");
      System.exit(2);
    }
    LlamaForCausalLM m = HfCheckpoint.load(Path.of(args[1]));
    int promptLen = Integer.parseInt(args[2]), steps = Integer.parseInt(args[3]), reps = Integer.parseInt(args[4]);
    int v = m.config().vocabSize();
    int[] prompt = new int[promptLen];
    for (int i = 0; i < promptLen; i++) prompt[i] = (i * 7 + 3) % v;
    var s = new InferenceSession(m, 1, promptLen + steps);
    long warmUntil = System.nanoTime() + 5_000_000_000L;
    for (int w = 0; w < 3 || System.nanoTime() < warmUntil; w++) round(s, prompt, steps, false);  // JIT warm-up
    for (int rep = 0; rep < reps; rep++) round(s, prompt, steps, true);
  }

  /** Prefill of the prompt, then {@code steps} greedy decode steps; prints tokens/s when asked. */
  private static void round(InferenceSession s, int[] prompt, int steps, boolean print) {
    int v = s.vocabSize();
    float[] logits = new float[v];
    int[] slot = {0}, tok = new int[1], out = new int[steps];
    s.reset(0);
    long t0 = System.nanoTime();
    s.prefill(0, prompt, logits, 0);
    long t1 = System.nanoTime(), c1 = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < steps; i++) {
      tok[0] = out[i] = Golden.argmax(logits, 0, v);
      s.decode(slot, tok, 1, logits);
    }
    long t2 = System.nanoTime(), c2 = CPU.getCurrentThreadCpuTime();
    if (print) {
      System.out.printf("fathom prefill_tok_s=%.1f decode_tok_s=%.1f threads=%d decode_cpu_ms_per_token_caller=%.3f first=%s%n",
          prompt.length / ((t1 - t0) / 1e9), steps / ((t2 - t1) / 1e9), Parallel.threads(), (c2 - c1) / 1e6 / steps,
          Arrays.toString(Arrays.copyOf(out, 8)));
    }
  }
}
