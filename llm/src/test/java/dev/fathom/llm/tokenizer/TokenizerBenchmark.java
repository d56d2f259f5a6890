package dev.fathom.llm.tokenizer;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Encode speed and BPE training time on Tiny Shakespeare: a plain {@code main}, not a unit test.
 *
 * <p>Reports the GPT-2 load time and encode throughput (the first pass, with a cold JIT and an
 * empty piece cache, then the best of three warm passes, as in steady use), and for each vocab
 * size the training time, the bytes/token of the trained tokenizer on the corpus, and its encode
 * throughput.
 *
 * <pre>
 * ./mvnw -q -o -pl llm test-compile
 * java -cp llm/target/classes:llm/target/test-classes:$(cat cp.txt) \
 *     dev.fathom.llm.tokenizer.TokenizerBenchmark path/to/tinyshakespeare.txt [vocab ...]
 * </pre>
 * ({@code cp.txt} from
 * {@code ./mvnw -q -o -pl llm dependency:build-classpath -Dmdep.outputFile=cp.txt}.)
 */
public final class TokenizerBenchmark {
  private TokenizerBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args.length > 0 ? args[0] : "../shared/data/tinyshakespeare.txt");
    String text = Files.readString(corpus);
    double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
    BpeTokenizer gpt2;
    try (InputStream in = TokenizerBenchmark.class.getResourceAsStream(
            "/tokenizer/gpt2_tokenizer.json.gz");
        InputStream gz = new GZIPInputStream(in)) {
      long t0 = System.nanoTime();
      gpt2 = Tokenizers.load(gz, "gpt2_tokenizer.json.gz");
      System.out.printf("load GPT-2 tokenizer.json: %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }
    encodeSpeed("GPT-2 (50257)", gpt2, text, mb);
    int[] vocabs = {1024, 4096};
    if (args.length > 1) {
      vocabs = new int[args.length - 1];
      for (int i = 1; i < args.length; i++) {
        vocabs[i - 1] = Integer.parseInt(args[i]);
      }
    }
    for (int v : vocabs) {
      long t0 = System.nanoTime();
      BpeTokenizer t = new BpeTrainer(BpeTrainerConfig.of(v, "<|endoftext|>")).train(text);
      double train = (System.nanoTime() - t0) / 1e9;
      int n = t.encode(text).length;
      System.out.printf("train vocab %d: %.2f s, %d merges, %.3f bytes/token (%d tokens)%n",
          v, train, t.mergeCount(), mb * 1e6 / n, n);
      encodeSpeed("trained " + v, t, text, mb);
    }
  }

  private static void encodeSpeed(String name, Tokenizer t, String text, double mb) {
    long t0 = System.nanoTime();
    t.encode(text);
    double cold = (System.nanoTime() - t0) / 1e9;
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long s = System.nanoTime();
      t.encode(text);
      best = Math.min(best, (System.nanoTime() - s) / 1e9);
    }
    System.out.printf("encode %s: first pass %.3f s (%.1f MB/s), warm best %.3f s (%.1f MB/s)%n",
        name, cold, mb / cold, best, mb / best);
  }
}
