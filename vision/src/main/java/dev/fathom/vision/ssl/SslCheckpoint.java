package dev.fathom.vision.ssl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fathom.io.AtomicFiles;
import dev.fathom.io.Checkpoint;
import dev.fathom.io.FormatException;
import dev.fathom.tensor.Rng;
import dev.fathom.vision.models.Encoder;
import dev.fathom.vision.models.ResNet;
import dev.fathom.vision.models.ResNetConfig;
import dev.fathom.vision.models.Vit;
import dev.fathom.vision.models.VitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A pretrained encoder on disk, whatever method trained it: {@code config.json}
 * ({@code {"method": "simclr", "encoder": {"type": "resnet", "config": {...}}, "image": [C, H, W], ...}})
 * and {@code encoder.safetensors} (the encoder's state dict, torchvision key names). Heads are
 * not saved: the probes need the encoder only. The weights are written before the config, each
 * atomically, so a failed save leaves the previous checkpoint whole.
 *
 * <p>A new backbone plugs in at {@link #encoderSpec} and {@link #buildEncoder} (one case each); a
 * new method needs nothing here.
 */
public final class SslCheckpoint {
  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "encoder.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A loaded checkpoint: the method's name, the encoder with its weights, the image size and the whole config. */
  public record Loaded(String method, Encoder encoder, int[] image, JsonNode config) {}

  private SslCheckpoint() {}

  /**
   * @param extra further fields for config.json (the method's and the run's settings, as records or maps)
   */
  public static void save(Path dir, String method, Encoder encoder, int[] image, Map<String, Object> extra) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("method", method);
    root.set("encoder", encoderSpec(encoder));
    root.set("image", JSON.valueToTree(image));
    if (extra != null) extra.forEach((k, v) -> root.set(k, JSON.valueToTree(v)));
    String text = JSON.writeValueAsString(root) + "\n";
    Files.createDirectories(dir);
    Checkpoint.saveTensors(dir.resolve(WEIGHTS), encoder.stateDict(), Map.of("format", "pt", "method", method));
    AtomicFiles.writeString(dir.resolve(CONFIG), text);
  }

  /** Reads a checkpoint directory. */
  public static Loaded load(Path dir) throws IOException {
    Path cfg = dir.resolve(CONFIG);
    if (!Files.isRegularFile(cfg)) throw new NoSuchFileException(cfg.toString(), null, "not a pretrained-encoder directory: no " + CONFIG);
    JsonNode root;
    try {
      root = JSON.readTree(cfg.toFile());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new FormatException(cfg + ": expected a JSON object, " + e.getOriginalMessage(), e);
    }
    String method = text(root, "method", cfg);
    JsonNode enc = root.get("encoder");
    if (enc == null || !enc.isObject()) throw new FormatException(cfg + ": expected an \"encoder\" object, got " + enc);
    Encoder encoder = buildEncoder(enc, new Rng(0), cfg);
    encoder.loadStateDict(Checkpoint.loadTensors(dir.resolve(WEIGHTS)), true);
    encoder.eval();
    int[] image;
    try {
      image = JSON.treeToValue(root.get("image"), int[].class);
    } catch (IOException | IllegalArgumentException e) {
      throw new FormatException(cfg + ": expected \"image\": [C, H, W], got " + root.get("image"), e);
    }
    if (image == null || image.length != 3) throw new FormatException(cfg + ": expected \"image\": [C, H, W], got " + root.get("image"));
    return new Loaded(method, encoder, image, root);
  }

  /** The JSON that rebuilds {@code encoder}'s architecture: {"type": ..., "config": {...}}. */
  public static ObjectNode encoderSpec(Encoder encoder) {
    ObjectNode spec = JSON.createObjectNode();
    if (encoder instanceof ResNet r) {
      spec.put("type", "resnet");
      spec.set("config", JSON.valueToTree(r.config()));
      return spec;
    }
    if (encoder instanceof Vit v && v.getClass() == Vit.class) {
      spec.put("type", "vit");
      spec.set("config", JSON.valueToTree(v.config()));
      return spec;
    }
    throw new IllegalArgumentException("SslCheckpoint: no saved form for encoder " + encoder.getClass().getSimpleName() + " yet");
  }

  /** A freshly initialized encoder of the architecture {@code spec} describes. */
  public static Encoder buildEncoder(JsonNode spec, Rng rng) throws FormatException {
    return buildEncoder(spec, rng, Path.of(CONFIG));
  }

  private static Encoder buildEncoder(JsonNode spec, Rng rng, Path where) throws FormatException {
    String type = text(spec, "type", where);
    try {
      return switch (type) {
        case "resnet" -> new ResNet(JSON.treeToValue(spec.get("config"), ResNetConfig.class), rng);
        case "vit" -> new Vit(JSON.treeToValue(spec.get("config"), VitConfig.class), rng);
        default -> throw new FormatException(where + ": unknown encoder type '" + type + "' (known: resnet, vit)");
      };
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new FormatException(where + ": bad " + type + " config: " + e.getOriginalMessage(), e);
    }
  }

  private static String text(JsonNode node, String field, Path where) throws FormatException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) throw new FormatException(where + ": expected a string \"" + field + "\", got " + v);
    return v.asText();
  }
}
