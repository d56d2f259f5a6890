package dev.fathom.io;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Enums named by short ids in configs and on the command line (quantization formats and methods,
 * pruning methods, scores): lookup by id, case-insensitive, and the error that lists the known ids.
 */
public final class EnumIds {
  private EnumIds() {}

  /** The constant whose id is {@code name} (case-insensitive), or empty (also for null). */
  public static <E extends Enum<E>> Optional<E> find(E[] values, Function<E, String> id, String name) {
    if (name == null) return Optional.empty();
    return Arrays.stream(values).filter(e -> id.apply(e).equalsIgnoreCase(name)).findFirst();
  }

  /**
   * The constant whose id is {@code name} (case-insensitive).
   *
   * @param what what is named, for the message ("quantization method")
   * @throws IllegalArgumentException for an unknown name: "unknown WHAT 'NAME': expected one of a, b, c"
   */
  public static <E extends Enum<E>> E parse(E[] values, Function<E, String> id, String name, String what) {
    return find(values, id, name).orElseThrow(
        () -> new IllegalArgumentException("unknown " + what + " '" + name + "': expected one of " + names(values, id)));
  }

  /** The ids, comma separated, in declaration order. */
  public static <E extends Enum<E>> String names(E[] values, Function<E, String> id) {
    return Arrays.stream(values).map(id).collect(Collectors.joining(", "));
  }
}
