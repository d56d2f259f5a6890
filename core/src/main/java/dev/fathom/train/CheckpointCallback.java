package dev.fathom.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.Checkpoint;
import dev.fathom.io.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Saves a resumable checkpoint after every epoch into one directory: config.json +
 * model.safetensors (the model), optimizer.safetensors (its state), trainer_state.json (epochs
 * done, step, history). {@link #resume} reads them back into a trainer.
 */
public final class CheckpointCallback implements Callback {
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "trainer_state.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final Object modelConfig;

  /** Saved trainer state: position and history. */
  public record SavedState(TrainingState state, List<EpochResult> history) {}

  public CheckpointCallback(Path dir, Object modelConfig) {
    this.dir = dir;
    this.modelConfig = modelConfig;
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochResult r) throws IOException {
    Files.createDirectories(dir);
    Checkpoint.saveTensors(dir.resolve(OPTIMIZER), trainer.optimizer().stateDict(), Map.of());
    Checkpoint.save(dir, trainer.model(), modelConfig, Map.of("epoch", Integer.toString(r.epoch())));
    TrainingState s = trainer.state();
    AtomicFiles.writeString(dir.resolve(STATE), JSON.writeValueAsString(new SavedState(s, trainer.history())) + "\n");
  }

  /** True when {@code dir} holds a resumable checkpoint. */
  public static boolean canResume(Path dir) {
    return Files.isRegularFile(dir.resolve(STATE)) && Files.isRegularFile(dir.resolve(Checkpoint.WEIGHTS));
  }

  /** Loads model weights, optimizer state and position from {@code dir} into {@code trainer}. */
  public static void resume(Path dir, Trainer trainer) throws IOException {
    Checkpoint.loadWeights(dir, trainer.model());
    Path opt = dir.resolve(OPTIMIZER);
    if (Files.exists(opt)) trainer.optimizer().loadStateDict(Checkpoint.loadTensors(opt));
    SavedState saved;
    try {
      saved = JSON.readValue(dir.resolve(STATE).toFile(), SavedState.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new FormatException(dir.resolve(STATE) + ": expected a trainer state object, " + e.getOriginalMessage(), e);
    }
    if (saved.state() == null) throw new FormatException(dir.resolve(STATE) + ": missing 'state'");
    trainer.restore(saved.state(), saved.history());
  }

}
