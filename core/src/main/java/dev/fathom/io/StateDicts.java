package dev.fathom.io;

import dev.fathom.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nesting named tensors under a key prefix and taking them out again, as one checkpoint file holds
 * several state dicts ({@code model.}, {@code optimizer.}, {@code group0.}, ...). Order is kept.
 */
public final class StateDicts {
  private StateDicts() {}

  /** Puts every entry of {@code state} into {@code into} under {@code prefix + key}. */
  public static void putPrefixed(Map<String, Tensor> into, String prefix, Map<String, Tensor> state) {
    state.forEach((k, v) -> into.put(prefix + k, v));
  }

  /** The entries of {@code all} whose key starts with {@code prefix}, with the prefix removed. */
  public static Map<String, Tensor> under(Map<String, Tensor> all, String prefix) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
    });
    return out;
  }
}
