package dev.fathom.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The one shared thread pool of Fathom, with static partitioning.
 *
 * <p>The thread count comes from the environment variable {@code FATHOM_THREADS} (or the system
 * property {@code fathom.threads}), default: all cores. {@link #forRange} splits {@code [0, n)}
 * into contiguous chunks that depend only on {@code n}, the grain and the thread count, so a
 * kernel that writes disjoint outputs per chunk (and reduces in chunk order) gives bitwise
 * identical results for a given thread count.
 */
public final class Parallel {

  /** Body of a parallel loop over the half-open index range {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  private static final int THREADS = readThreads();
  private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS, pool -> {
    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
    t.setName("fathom-worker-" + t.getPoolIndex());
    t.setDaemon(true);
    return t;
  }, null, false) : null;

  /** True on a thread that is running a chunk of a parallel loop: nested loops then run inline. */
  private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

  private Parallel() {}

  private static int readThreads() {
    String s = System.getenv("FATHOM_THREADS");
    if (s == null || s.isBlank()) s = System.getProperty("fathom.threads");
    int cores = Runtime.getRuntime().availableProcessors();
    if (s == null || s.isBlank()) return cores;
    try {
      int t = Integer.parseInt(s.trim());
      if (t < 1) throw new NumberFormatException();
      return t;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "FATHOM_THREADS: expected a positive integer, got '" + s + "'");
    }
  }

  /** The number of threads kernels use (FATHOM_THREADS, default all cores). */
  public static int threads() {
    return THREADS;
  }

  /**
   * Number of chunks {@link #forRange} will use for {@code n} items with the given grain: at most
   * {@link #threads()}, and no chunk smaller than {@code minGrain} items.
   */
  public static int chunks(int n, int minGrain) {
    if (n <= 0) return 0;
    int byGrain = Math.max(1, n / Math.max(1, minGrain));
    return Math.min(THREADS, byGrain);
  }

  /** Start index of chunk {@code c} of {@code chunks} over {@code n} items (static partition). */
  public static int chunkStart(int n, int chunks, int c) {
    return (int) ((long) n * c / chunks);
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into {@link #chunks(int, int)} contiguous chunks,
   * in parallel on the shared pool; runs inline when there is one chunk or when called from a
   * pool worker (no nested parallelism).
   */
  public static void forRange(int n, int minGrain, RangeBody body) {
    int chunks = chunks(n, minGrain);
    if (chunks == 0) return;
    boolean[] inside = INSIDE.get();
    if (chunks == 1 || POOL == null || inside[0] || Thread.currentThread() instanceof ForkJoinWorkerThread) {
      body.run(0, n);
      return;
    }
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
    for (int c = 1; c < chunks; c++) {
      int s = chunkStart(n, chunks, c), e = chunkStart(n, chunks, c + 1);
      tasks[c - 1] = POOL.submit(() -> body.run(s, e));
    }
    Throwable failure = null;
    inside[0] = true;
    try {
      body.run(0, chunkStart(n, chunks, 1));
    } catch (Throwable t) {
      failure = t;
    } finally {
      inside[0] = false;
    }
    for (ForkJoinTask<?> t : tasks) {
      try {
        t.join();
      } catch (Throwable e) {
        if (failure == null) failure = e;
      }
    }
    if (failure instanceof RuntimeException re) throw re;
    if (failure instanceof Error er) throw er;
    if (failure != null) throw new RuntimeException(failure);
  }
}
