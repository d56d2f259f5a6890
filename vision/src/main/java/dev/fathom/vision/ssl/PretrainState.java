package dev.fathom.vision.ssl;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.Checkpoint;
import dev.fathom.io.FormatException;
import dev.fathom.io.StateDicts;
import dev.fathom.optim.Optimizer;
import dev.fathom.tensor.Tensor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a {@link Pretrainer} run stands after a whole epoch: {@value #FILE} (this record) beside
 * {@code pretrain-epoch-K.safetensors} (the method's state dict under {@code model.}, its
 * {@link SslMethod#extraState} under {@code extra.}, the optimizer's under {@code optimizer.}).
 * The tensors are written first, then the JSON that names them, each atomically, then the older
 * epochs' tensors are deleted: a run killed at any point leaves a consistent state behind.
 *
 * @param imageCount unlabelled images per epoch
 * @param epochsDone whole epochs trained
 * @param step optimizer steps taken
 * @param images images seen
 * @param seconds training wall time so far
 * @param epochLoss mean loss of each epoch done
 * @param stepLoss loss of every step taken
 */
public record PretrainState(String method, PretrainConfig config, int imageCount, int epochsDone, long step, long images, double seconds,
    double[] epochLoss, double[] stepLoss) {
  public static final String FILE = "pretrain-state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public PretrainState {
    if (method == null || config == null || epochLoss == null || stepLoss == null) {
      throw new IllegalArgumentException("PretrainState: expected method, config, epochLoss and stepLoss, got a null");
    }
    if (imageCount < 1 || epochsDone < 0 || step < 0 || images < 0 || !(seconds >= 0)) {
      throw new IllegalArgumentException("PretrainState: expected imageCount >= 1 and non-negative counts, got imageCount " + imageCount
          + ", epochsDone " + epochsDone + ", step " + step + ", images " + images + ", seconds " + seconds);
    }
  }

  /** The tensors of the state after {@code epochs} epochs. */
  static String weightsFile(int epochs) {
    return "pretrain-epoch-" + epochs + ".safetensors";
  }

  public static boolean exists(Path dir) {
    return dir != null && Files.isRegularFile(dir.resolve(FILE));
  }

  /** Writes this state with the method's and optimizer's tensors into {@code dir}; drops older epochs' tensors. */
  void save(Path dir, SslMethod m, Optimizer opt) throws IOException {
    Files.createDirectories(dir);
    Map<String, Tensor> all = new LinkedHashMap<>();
    StateDicts.putPrefixed(all, "model.", m.model().stateDict());
    StateDicts.putPrefixed(all, "extra.", m.extraState());
    StateDicts.putPrefixed(all, "optimizer.", opt.stateDict());
    String mine = weightsFile(epochsDone);
    Checkpoint.saveTensors(dir.resolve(mine), all, Map.of("format", "fathom-pretrain-state"));
    AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(this) + "\n");
    try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "pretrain-epoch-*.safetensors")) {
      for (Path f : old) if (!f.getFileName().toString().equals(mine)) Files.deleteIfExists(f);
    }
  }

  /**
   * Reads {@value #FILE} of {@code dir}.
   *
   * @throws FormatException if it is not a state this class wrote (the message names the file and what was wrong)
   */
  public static PretrainState load(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    try {
      PretrainState s = JSON.readValue(f.toFile(), PretrainState.class);
      if (s == null) throw new FormatException(f + ": expected a pretraining state JSON object, got null");
      return s;
    } catch (JacksonException e) {
      throw new FormatException(f + ": expected a pretraining state JSON object, " + e.getOriginalMessage(), e);
    }
  }

  /** Copies the saved tensors into the method and the optimizer. */
  void loadInto(Path dir, SslMethod m, Optimizer opt) throws IOException {
    Path f = dir.resolve(weightsFile(epochsDone));
    Map<String, Tensor> all;
    try {
      all = Checkpoint.loadTensors(f);
    } catch (NoSuchFileException e) {
      throw new FormatException(dir.resolve(FILE) + ": expected its tensors in " + f + ", which is missing", e);
    }
    try {
      m.model().loadStateDict(StateDicts.under(all, "model."), true);
      m.loadExtraState(StateDicts.under(all, "extra."));
      opt.loadStateDict(StateDicts.under(all, "optimizer."));
    } catch (RuntimeException e) {
      throw new FormatException(f + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a finished run's state from {@code dir} (nothing is left to resume). */
  public static void clear(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(FILE));
    try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "pretrain-epoch-*.safetensors")) {
      for (Path f : old) Files.deleteIfExists(f);
    } catch (NoSuchFileException e) {
      // no directory: nothing to clear
    }
  }
}
