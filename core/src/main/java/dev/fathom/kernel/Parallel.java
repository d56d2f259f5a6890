package dev.fathom.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

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
   *
   * <p>The caller runs chunk 0, then any chunk that no worker has started yet: on a busy machine
   * a parked worker can take milliseconds to be scheduled, and the caller would otherwise sit
   * idle waiting for it. Which thread runs a chunk never changes the chunks themselves, so
   * results stay those of the static partition.
   */
  public static void forRange(int n, int minGrain, RangeBody body) {
    int chunks = chunks(n, minGrain);
    if (chunks == 0) return;
    boolean[] inside = INSIDE.get();
    if (chunks == 1 || POOL == null || inside[0] || Thread.currentThread() instanceof ForkJoinWorkerThread) {
      body.run(0, n);
      return;
    }
    AtomicIntegerArray claimed = new AtomicIntegerArray(chunks);
    CountDownLatch done = new CountDownLatch(chunks - 1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int c = chunks - 1; c >= 1; c--) {
      int chunk = c, s = chunkStart(n, chunks, c), e = chunkStart(n, chunks, c + 1);
      POOL.execute(() -> {
        if (claimed.compareAndSet(chunk, 0, 1)) runChunk(body, s, e, failure, done);
      });
    }
    inside[0] = true;
    try {
      runChunk(body, 0, chunkStart(n, chunks, 1), failure, null);
      for (int c = 1; c < chunks; c++) {
        if (claimed.compareAndSet(c, 0, 1)) {
          runChunk(body, chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1), failure, done);
        }
      }
    } finally {
      inside[0] = false;
    }
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    Throwable t = failure.get();
    if (t instanceof RuntimeException re) throw re;
    if (t instanceof Error er) throw er;
    if (t != null) throw new RuntimeException(t);
  }

  /** Runs one chunk, keeping the first failure, and counts it down in {@code done} (if any). */
  private static void runChunk(RangeBody body, int s, int e, AtomicReference<Throwable> failure,
      CountDownLatch done) {
    try {
      body.run(s, e);
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    } finally {
      if (done != null) done.countDown();
    }
  }
}
