package dev.fathom.nn;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Scratch arrays for ops that need large temporaries (im2col columns, permuted gradients),
 * reused across training steps instead of allocated fresh each time.
 *
 * <p>{@link #take} hands out a float array of exactly the requested length whose contents are
 * undefined (the caller writes every entry it reads); {@link #give} returns it. Pools are
 * confined to the calling thread and keyed by length, so a training loop that repeats the same
 * shapes reuses the same arrays every step. Each thread keeps at most {@link #MAX_RETAINED}
 * bytes; arrays beyond that are dropped for the GC. An array that is never given back is
 * simply collected, so giving back is an optimization, never a requirement for correctness.
 *
 * <p>System property {@code fathom.workspace=off} disables reuse (every take allocates).
 */
final class Workspace {

  /*
   * Design. Ownership is linear: an array is either in the pool or held by exactly one op, which
   * must not touch it after give(). Ops keep a buffer across forward and backward only through a
   * holder they null out when giving it back, and recompute it if their backward runs again
   * (the graph may be backpropagated more than once). Thread confinement needs no locks; the
   * Parallel workers only read and write arrays the calling thread took.
   */

  /** Upper bound on the bytes one thread's pool keeps (larger arrays are left to the GC). */
  static final long MAX_RETAINED = 512L << 20;

  private static final boolean ENABLED =
      !"off".equalsIgnoreCase(System.getProperty("fathom.workspace", ""));
  private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);
  /** Test hook: fill given-back arrays with NaN so a read before write shows up. */
  static volatile boolean poison;

  private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
  private long retained;

  private Workspace() {}

  /**
   * A float array of exactly {@code length} entries with undefined contents.
   *
   * @throws IllegalArgumentException if length is negative
   */
  static float[] take(int length) {
    if (length < 0) throw new IllegalArgumentException("workspace: negative length " + length);
    if (!ENABLED) return new float[length];
    Workspace w = LOCAL.get();
    ArrayDeque<float[]> q = w.free.get(length);
    float[] a = q == null ? null : q.pollFirst();
    if (a == null) return new float[length];
    w.retained -= 4L * length;
    return a;
  }

  /** Like {@link #take} but every entry is 0. */
  static float[] takeZeroed(int length) {
    float[] a = take(length);
    Arrays.fill(a, 0f);
    return a;
  }

  /** Returns {@code a} (may be null) to the calling thread's pool; the caller must not use it again. */
  static void give(float[] a) {
    if (a == null || !ENABLED) return;
    if (poison) Arrays.fill(a, Float.NaN);
    Workspace w = LOCAL.get();
    long bytes = 4L * a.length;
    if (w.retained + bytes > MAX_RETAINED) return;
    w.free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addFirst(a);
    w.retained += bytes;
  }

  /** Bytes held by the calling thread's pool (for tests). */
  static long retainedBytes() {
    return LOCAL.get().retained;
  }

  /** Empties the calling thread's pool (for tests). */
  static void clear() {
    Workspace w = LOCAL.get();
    w.free.clear();
    w.retained = 0;
  }
}
