package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fathom.compress.distill.DistillConfig;
import dev.fathom.io.AtomicFiles;
import dev.fathom.llm.LlamaPresets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom compress distill}: trains a smaller student from a frozen teacher's softened logits
 * plus the hard labels (Hinton et al. 2015), for the Fashion-MNIST classifier or a language model
 * on a text file. {@code --hard-labels-only} trains the same student with the same loop, steps and
 * seed on the labels alone: the baseline distillation has to beat.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
    description = "Knowledge distillation: train a smaller student (cnn-quarter, or an lm preset) from a teacher's softened logits plus hard labels.")
final class CompressDistillCommand implements Callable<Integer> {
  /** Classifier student presets: conv channels and head width (the teacher's default cnn is [32, 64], 128). */
  static final Map<String, int[]> CNN_PRESETS = Map.of("cnn-quarter", new int[] {16, 32, 64}, "cnn", new int[] {32, 64, 128});

  @Option(names = "--teacher", required = true, description = "teacher checkpoint directory (a cnn/mlp classifier, or a Llama LM)")
  Path teacher;

  @Option(names = "--student-preset", required = true, description = "cnn-quarter or cnn (fashion-mnist); tiny, small or base (text)")
  String preset;

  @Option(names = "--data", required = true, description = "fashion-mnist, or a text file (last 10%% held out for validation)")
  String data;

  @Option(names = "--out", required = true, description = "student checkpoint directory (an ordinary model)")
  Path out;

  @Option(names = "--temperature", defaultValue = "2", description = "softmax temperature T > 0; default ${DEFAULT-VALUE}")
  double temperature;

  @Option(names = "--alpha", defaultValue = "0.5", description = "weight of the teacher term in [0, 1]; default ${DEFAULT-VALUE}")
  double alpha;

  @Option(names = "--hard-labels-only", description = "baseline: alpha 0, the teacher is not used")
  boolean hardLabelsOnly;

  @Option(names = "--epochs", defaultValue = "3", description = "classifier: epochs; default ${DEFAULT-VALUE}")
  int epochs;

  @Option(names = "--augment", defaultValue = "none", description = "classifier: training-image augmentation, none or light; the teacher sees the same augmented images; default ${DEFAULT-VALUE}")
  String augment;

  @Option(names = "--steps", description = "LM: optimizer steps")
  Long steps;

  @Option(names = "--minutes", description = "LM: training-time budget in minutes")
  Double minutes;

  @Option(names = "--batch", description = "batch size (default: 128 images, 8 sequences)")
  Integer batch;

  @Option(names = "--lr", description = "peak learning rate (default: 0.002)")
  Double lr;

  @Option(names = "--context", defaultValue = "256", description = "LM: tokens per sequence; default ${DEFAULT-VALUE}")
  int context;

  @Option(names = "--eval-every", defaultValue = "0", description = "LM: validate every N steps (0: only at the end); default ${DEFAULT-VALUE}")
  long evalEvery;

  @Option(names = "--student-init", description = "LM: start the student from this model (of the --student-preset architecture and the "
      + "teacher's tokenizer) instead of random weights, e.g. to align a speculative-decoding draft with its target")
  Path studentInit;

  @Option(names = "--seed", defaultValue = "42", description = "seed of initialisation and data order; default ${DEFAULT-VALUE}")
  long seed;

  @Override
  public Integer call() throws Exception {
    DistillConfig cfg;
    try {
      cfg = hardLabelsOnly ? DistillConfig.hardLabelsOnly() : new DistillConfig(temperature, alpha);
    } catch (IllegalArgumentException e) {
      throw new CliException("--temperature/--alpha: " + e.getMessage());
    }
    if (!Files.isDirectory(teacher)) throw new CliException("--teacher: expected a checkpoint directory, got '" + teacher + "'");
    if (out.toAbsolutePath().normalize().equals(teacher.toAbsolutePath().normalize())) {
      throw new CliException("--out: expected a directory other than --teacher, got " + out);
    }
    boolean images = data.equalsIgnoreCase(DataSources.FASHION);
    List<String> presets = images ? List.copyOf(new java.util.TreeSet<>(CNN_PRESETS.keySet())) : LlamaPresets.NAMES;
    if (!presets.contains(preset)) {
      throw new CliException("--student-preset: expected one of " + presets + " for " + (images ? "fashion-mnist" : "a text file")
          + ", got '" + preset + "'");
    }
    if (images && studentInit != null) throw new CliException("--student-init: expected a text file as --data (language models only), got fashion-mnist");
    if (!images && !"none".equals(augment)) throw new CliException("--augment: expected none for a text file, got '" + augment + "'");
    if (!cfg.usesTeacher()) System.out.println("baseline: hard labels only (alpha 0), the teacher is not consulted");
    else System.out.printf("distillation: temperature %.3g, alpha %.3g%n", cfg.temperature(), cfg.alpha());
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("teacher", teacher.toAbsolutePath().normalize().toString());
    summary.put("student_preset", preset);
    if (studentInit != null) summary.put("student_init", studentInit.toAbsolutePath().normalize().toString());
    summary.put("data", data);
    summary.put("temperature", cfg.temperature());
    summary.put("alpha", cfg.alpha());
    summary.put("seed", seed);
    if (images) {
      summary.putAll(DistillClassifier.run(this, cfg));
    } else {
      summary.putAll(DistillLm.run(this, cfg));
    }
    AtomicFiles.writeString(out.resolve("distill.json"),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary) + "\n");
    return 0;
  }
}
