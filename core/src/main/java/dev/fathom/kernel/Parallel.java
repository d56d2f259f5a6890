package dev.fathom.kernel;

import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one shared thread pool of Fathom, with static partitioning.
 *
 * <p>The thread count comes from the environment variable {@code FATHOM_THREADS} (or the system
 * property {@code fathom.threads}), default: all cores. {@link #forRange} splits {@code [0, n)}
 * into contiguous chunks that depend only on {@code n}, the grain and the thread count, so a
 * kernel that writes disjoint outputs per chunk (and reduces in chunk order) gives bitwise
 * identical results for a given thread count.
 *
 * <p>The pool is {@code threads − 1} workers that wait for the next loop by spinning for a short
 * while ({@code FATHOM_SPIN_MICROS}, default {@value #DEFAULT_SPIN_MICROS} µs) before they park.
 * A training step or a decode step is a string of loops tens to hundreds of microseconds long,
 * with little serial work between them; waking a parked thread costs 20–60 µs on a virtual
 * machine, as much as a 256×64×784 product, so a pool whose workers park at once (a fork-join
 * pool) loses a third of the time of such loops to hand-offs. This is OpenMP's and OpenBLAS's
 * active wait policy. Workers do not spin when there are more threads than cores.
 */
public final class Parallel {

  /** Body of a parallel loop over the half-open index range {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  static final int DEFAULT_SPIN_MICROS = 200;
  private static final int THREADS = readThreads();
  private static final long SPIN_NANOS = THREADS <= Runtime.getRuntime().availableProcessors() ? readSpinMicros() * 1000L : 0;
  /** The loop on offer to the workers; each one is a fresh object, so a late worker cannot mistake an old loop for a new one. */
  private static volatile Loop current;
  private static final Worker[] WORKERS = startWorkers();
  /**
   * One loop at a time: a second calling thread (a data loader's, say) waits for the pool, in
   * arrival order so that a thread issuing loop after loop cannot starve it. Nested loops never
   * get here. Waiting rather than running its loop alone keeps each loop's chunks, and so its
   * bits, whatever else is running.
   */
  private static final ReentrantLock POOL = new ReentrantLock(true);

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

  private static int readSpinMicros() {
    String s = System.getenv("FATHOM_SPIN_MICROS");
    if (s == null || s.isBlank()) s = System.getProperty("fathom.spinMicros");
    if (s == null || s.isBlank()) return DEFAULT_SPIN_MICROS;
    try {
      int t = Integer.parseInt(s.trim());
      if (t < 0 || t > 1_000_000) throw new NumberFormatException();
      return t;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "FATHOM_SPIN_MICROS: expected an integer in [0, 1000000], got '" + s + "'");
    }
  }

  private static Worker[] startWorkers() {
    Worker[] w = new Worker[THREADS - 1];
    for (int i = 0; i < w.length; i++) {
      w[i] = new Worker(i);
      w[i].start();
    }
    return w;
  }

  /** The number of threads kernels use (FATHOM_THREADS, default all cores). */
  public static int threads() {
    return THREADS;
  }

  /**
   * True when a {@link #forRange} called now would run inline on this thread: on a pool worker,
   * inside a chunk of a loop, or on a foreign fork-join worker (how tests force one thread).
   */
  public static boolean nested() {
    Thread t = Thread.currentThread();
    return t instanceof Worker || t instanceof ForkJoinWorkerThread || INSIDE.get()[0];
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
   * in parallel on the shared pool; runs inline when there is one chunk or when {@link #nested()}.
   *
   * <p>The calling thread takes chunks too, any that no worker has claimed yet: on a busy machine
   * a parked worker can take milliseconds to be scheduled, and the caller would otherwise sit idle
   * waiting for it. Which thread runs a chunk never changes the chunks themselves, so results
   * stay those of the static partition. A body whose chunks must run at the same time (they meet
   * at a barrier) gets that as long as it has at most {@link #threads()} chunks.
   */
  public static void forRange(int n, int minGrain, RangeBody body) {
    int chunks = chunks(n, minGrain);
    if (chunks == 0) return;
    if (chunks == 1 || nested()) {
      body.run(0, n);
      return;
    }
    boolean[] inside = INSIDE.get();
    POOL.lock();
    Loop loop = new Loop(n, chunks, body);
    inside[0] = true;
    try {
      current = loop;
      for (Worker w : WORKERS) if (w.parked) LockSupport.unpark(w);
      loop.work();
      loop.awaitDone();
    } finally {
      current = null;
      inside[0] = false;
      POOL.unlock();
    }
    Throwable t = loop.failure.get();
    if (t instanceof RuntimeException re) throw re;
    if (t instanceof Error er) throw er;
    if (t != null) throw new RuntimeException(t);
  }

  /** One call of {@link #forRange}: its chunks go to whichever thread claims them first. */
  private static final class Loop {
    /** Ids of loops, in order; assigned under the pool's lock. */
    private static long lastId;
    final long id = ++lastId;
    final int n, chunks;
    final RangeBody body;
    final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Loop(int n, int chunks, RangeBody body) {
      this.n = n;
      this.chunks = chunks;
      this.body = body;
    }

    /** Claims and runs chunks until none is left unclaimed. */
    void work() {
      for (int c; (c = next.getAndIncrement()) < chunks; ) {
        try {
          body.run(chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1));
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          done.incrementAndGet();
        }
      }
    }

    /** Waits for the chunks other threads are running: spins briefly, then yields. */
    void awaitDone() {
      for (int spins = 0; done.get() < chunks; spins++) {
        if (spins < 1 << 12) Thread.onSpinWait();
        else Thread.yield();
      }
    }
  }

  /** A pool thread: runs chunks of each new loop, spins for the next one, then parks. */
  private static final class Worker extends Thread {
    volatile boolean parked;

    Worker(int index) {
      super("fathom-worker-" + index);
      setDaemon(true);
    }

    @Override
    public void run() {
      long seen = -1;  // the id, not the loop: a finished loop's body (and what it holds) must not outlive it here
      while (true) {
        Loop loop = current;
        if (loop != null && loop.id != seen) {
          seen = loop.id;
          loop.work();
          continue;
        }
        long start = System.nanoTime();
        while (isSeen(seen)) {
          if (System.nanoTime() - start < SPIN_NANOS) {
            Thread.onSpinWait();
            continue;
          }
          parked = true;  // then re-read current: a caller that published after this sees parked and unparks
          if (isSeen(seen)) LockSupport.park(this);
          parked = false;
          start = System.nanoTime();
        }
      }
    }

    /** Whether there is no loop on offer, or only the one with id {@code seen}. */
    private static boolean isSeen(long seen) {
      Loop loop = current;
      return loop == null || loop.id == seen;
    }
  }
}
