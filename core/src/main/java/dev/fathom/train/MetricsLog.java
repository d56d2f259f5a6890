package dev.fathom.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per epoch to a JSONL file: {@code {"epoch":1,"step":468,"train_loss":...,
 * "train_accuracy":...,"val_loss":...,"val_accuracy":...,"seconds":...,"examples_per_second":...,"lr":...,"gc_seconds":...}}.
 */
public final class MetricsLog implements Callback {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public MetricsLog(Path file) {
    this.file = file;
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("epoch", r.epoch());
    o.put("step", r.step());
    o.put("train_loss", r.trainLoss());
    o.put("train_accuracy", r.trainAccuracy());
    if (!Double.isNaN(r.valLoss())) o.put("val_loss", r.valLoss());
    if (!Double.isNaN(r.valAccuracy())) o.put("val_accuracy", r.valAccuracy());
    o.put("seconds", r.seconds());
    o.put("examples_per_second", r.examplesPerSecond());
    o.put("lr", r.lr());
    o.put("gc_seconds", r.gcSeconds());
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, JSON.writeValueAsString(o) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
