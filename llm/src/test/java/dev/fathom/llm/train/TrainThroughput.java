package dev.fathom.llm.train;

import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.LlamaPresets;
import dev.fathom.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Training throughput of a Llama preset on byte-level Tiny Shakespeare (no checkpointing):
 * {@code TrainThroughput PRESET BATCH CONTEXT STEPS}. The PyTorch peer is bench/llm_train_torch.py.
 */
public final class TrainThroughput {
  private TrainThroughput() {}

  public static void main(String[] args) throws Exception {
    String preset = args.length > 0 ? args[0] : "small";
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int context = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    byte[] text = Files.readAllBytes(Path.of(args.length > 4 ? args[4] : "../shared/data/tinyshakespeare.txt"));
    int[] ids = new int[text.length];
    for (int i = 0; i < ids.length; i++) ids[i] = text[i] & 0xFF;
    LlamaConfig c = LlamaPresets.of(preset, 256);
    LlamaForCausalLM m = new LlamaForCausalLM(c, new Rng(1337));
    System.out.printf("%s: %d parameters, batch %d x %d%n", preset, m.numParameters(), batch, context);
    LmTrainConfig cfg = LmTrainConfig.defaults(steps, 0).withBatch(batch, 1, context).withEval(0, 0, 0, 5);
    new LmTrainer(m, m.parameters(), cfg, new TokenData(ids, ids.length), null, null, d -> {}).run(System.out);
  }
}
