package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.llm.train.LmEval;
import dev.fathom.llm.train.LmEvaluator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fathom lm eval}: loss, perplexity and bits per byte of a model on a text. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a language model on a text: loss, perplexity, bits per byte.")
final class LmEvalCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "model directory (Hugging Face layout with tokenizer.json)")
  Path model;

  @Option(names = "--text", required = true, description = "text to evaluate on (all of it)")
  Path text;

  @Option(names = "--context", description = "window length (default: the model's max_position_embeddings, at most 1024)")
  Integer context;

  @Option(names = "--adapter", description = "LoRA adapter directory (PEFT layout) to apply to the model")
  Path adapter;

  @Option(names = "--json", description = "print one JSON object with loss, perplexity, bits_per_byte, tokens")
  boolean json;

  @Override
  public Integer call() throws Exception {
    LlamaForCausalLM m = HfCheckpoint.load(model);
    Tokenizer tok = LmText.tokenizerOf(model);
    if (adapter != null) dev.fathom.llm.lora.LoraAdapters.load(adapter, m);
    int ctx = LmText.context(context, m.config(), 1024);
    LmEval e = LmEvaluator.evaluate(m, LmText.tokens(tok, LmText.read(text)), ctx, 8, 0);
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(e));
    } else {
      System.out.printf("loss: %.4f nats/token%nperplexity: %.3f%nbits per byte: %.4f%ntokens: %d%n", e.loss(), e.perplexity(),
          e.bitsPerByte(), e.tokens());
    }
    return 0;
  }
}
