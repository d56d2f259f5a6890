package dev.fathom.cli;

import dev.fathom.compress.distill.DistillConfig;
import dev.fathom.compress.distill.LmDistillation;
import dev.fathom.llm.GenerationConfig;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.LlamaPresets;
import dev.fathom.llm.tokenizer.Tokenizer;
import dev.fathom.llm.train.LmEval;
import dev.fathom.llm.train.LmTrainConfig;
import dev.fathom.llm.train.LmTrainer;
import dev.fathom.llm.train.TokenData;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The language-model half of {@code fathom compress distill}: a student preset with the teacher's
 * tokenizer, trained by {@link LmTrainer} with the distillation loss; the final validation covers
 * the whole held-out 10% (as {@code fathom lm eval} on it).
 */
final class DistillLm {
  private DistillLm() {}

  /** The --student-init model, checked against the preset's architecture and the teacher's tokenizer. */
  private static LlamaForCausalLM initial(CompressDistillCommand c, LlamaConfig preset) throws IOException {
    LlamaForCausalLM m = HfCheckpoint.load(c.studentInit);
    if (m.quantization() != null) throw new CliException("--student-init: expected a float model, got a " + m.quantization().format() + " one");
    if (!m.config().equals(preset)) {
      throw new CliException("--student-init: expected a '" + c.preset + "' model " + preset + ", got " + m.config());
    }
    byte[] a = tokenizerBytes(c.teacher), b = tokenizerBytes(c.studentInit);
    if (!Arrays.equals(a, b)) throw new CliException("--student-init: expected the teacher's tokenizer, got another one in " + c.studentInit);
    return m;
  }

  private static byte[] tokenizerBytes(Path dir) throws IOException {
    Path f = dir.resolve(HfCheckpoint.TOKENIZER);
    return java.nio.file.Files.isRegularFile(f) ? java.nio.file.Files.readAllBytes(f) : new byte[0];
  }

  static Map<String, Object> run(CompressDistillCommand c, DistillConfig cfg) throws IOException {
    if ((c.steps == null) == (c.minutes == null)) throw new CliException("give exactly one of --steps N and --minutes M");
    Path text = Path.of(c.data);
    LlamaForCausalLM teacher = HfCheckpoint.load(c.teacher);
    Tokenizer tok = LmText.tokenizerOf(c.teacher);
    byte[] all = LmText.read(text);
    int split = LmText.splitPoint(all);
    TokenData train = LmText.tokens(tok, Arrays.copyOfRange(all, 0, split)), val = LmText.tokens(tok, Arrays.copyOfRange(all, split, all.length));
    LlamaConfig sc = LlamaPresets.of(c.preset, teacher.config().vocabSize());
    if (teacher.config().eosTokenId() != null) sc = sc.withSpecialTokens(teacher.config().bosTokenId(), teacher.config().eosTokenId());
    if (c.context > sc.maxPositionEmbeddings()) {
      throw new CliException("--context " + c.context + " exceeds the preset's max_position_embeddings " + sc.maxPositionEmbeddings());
    }
    LlamaForCausalLM student = c.studentInit == null ? new LlamaForCausalLM(sc, new Rng(c.seed)) : initial(c, sc);
    LmDistillation kd;
    try {
      kd = new LmDistillation(teacher, tok.vocabSize(), cfg);
    } catch (IllegalArgumentException e) {
      throw new CliException("--teacher: " + e.getMessage());
    }
    double lr = c.lr == null ? 0.002 : c.lr;
    LmTrainConfig tc = LmTrainConfig.defaults(c.steps == null ? 0 : c.steps, c.minutes == null ? 0 : c.minutes)
        .withBatch(c.batch == null ? 8 : c.batch, 1, c.context).withLr(lr, lr / 10, 100).withEval(c.evalEvery, 0, 0, 10).withSeed(c.seed);
    System.out.printf("teacher %,d parameters | student %s%s: %,d parameters (%.2f of the teacher's) | train %,d tokens, validation %,d%n",
        teacher.numParameters(), c.preset, c.studentInit == null ? "" : " from " + c.studentInit, student.numParameters(),
        (double) student.numParameters() / teacher.numParameters(), train.size(),
        val.size());
    Integer eos = sc.eosTokenId() == null ? null : sc.eosTokenId().get(0);
    GenerationConfig gen = GenerationConfig.ofTokens(sc.bosTokenId(), eos == null ? null : List.of(eos));
    LmTrainer trainer = new LmTrainer(student, student.parameters(), tc, train, val, c.out, dir -> {
      tok.save(dir.resolve(HfCheckpoint.TOKENIZER));
      HfCheckpoint.save(dir, student, gen);
    }).lossFunction(kd::loss);
    LmEval e = trainer.run(System.out);
    System.out.printf("saved %s | validation loss %.4f nats/token, %.4f bits/byte (%d tokens)%n", c.out, e.loss(), e.bitsPerByte(), e.tokens());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("steps", trainer.step());
    s.put("teacher_parameters", teacher.numParameters());
    s.put("student_parameters", student.numParameters());
    s.put("val_loss", e.loss());
    s.put("val_bits_per_byte", e.bitsPerByte());
    s.put("val_tokens", e.tokens());
    return s;
  }
}
