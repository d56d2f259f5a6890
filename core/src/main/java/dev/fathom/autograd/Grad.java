package dev.fathom.autograd;

/**
 * Gradient-recording mode of the current thread, as a try-with-resources scope.
 *
 * <pre>{@code
 * try (var g = Grad.disabled()) {
 *   logits = model.forward(x);   // no graph is recorded
 * }
 * }</pre>
 */
public final class Grad implements AutoCloseable {
  private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

  private final boolean previous;

  private Grad(boolean enabled) {
    this.previous = ENABLED.get();
    ENABLED.set(enabled);
  }

  /** True when operations on this thread record the graph. */
  public static boolean isEnabled() {
    return ENABLED.get();
  }

  /** Disables recording until the returned scope is closed (like {@code torch.no_grad()}). */
  public static Grad disabled() {
    return new Grad(false);
  }

  /** Enables recording until the returned scope is closed (like {@code torch.enable_grad()}). */
  public static Grad enabled() {
    return new Grad(true);
  }

  /** Restores the mode that was active when this scope was opened. */
  @Override
  public void close() {
    ENABLED.set(previous);
  }
}
