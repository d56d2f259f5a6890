package dev.fathom.data;

import dev.fathom.tensor.Rng;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Iterates a {@link Dataset} in batches: seeded shuffling (the same seed and epoch give the same
 * order), batching, drop-last, and background prefetch on {@code numWorkers} daemon threads
 * (batches still arrive in order). Each call to {@link #iterator()} is one epoch; {@link #setEpoch}
 * positions the shuffle (for resuming) and is passed to {@link Dataset#batch(int[], int)}.
 */
public final class DataLoader implements Iterable<Batch> {
  private final Dataset dataset;
  private final DataLoaderConfig config;
  private int epoch;

  public DataLoader(Dataset dataset, DataLoaderConfig config) {
    this.dataset = dataset;
    this.config = config;
  }

  public Dataset dataset() {
    return dataset;
  }

  public DataLoaderConfig config() {
    return config;
  }

  /** Number of batches in one epoch. */
  public int numBatches() {
    int n = dataset.size(), b = config.batchSize();
    return config.dropLast() ? n / b : (n + b - 1) / b;
  }

  /** Sets the epoch the next {@link #iterator()} will produce. */
  public void setEpoch(int epoch) {
    this.epoch = epoch;
  }

  /** The example order of epoch {@code e}. */
  public int[] order(int e) {
    int n = dataset.size();
    if (!config.shuffle()) {
      int[] p = new int[n];
      for (int i = 0; i < n; i++) p[i] = i;
      return p;
    }
    return new Rng(config.seed() * 0x9E3779B97F4A7C15L + e).permutation(n);
  }

  @Override
  public Iterator<Batch> iterator() {
    int e = epoch++;
    int[] order = order(e);
    int b = config.batchSize();
    int batches = numBatches();
    if (config.numWorkers() == 0) {
      return new Iterator<>() {
        int next = 0;

        public boolean hasNext() {
          return next < batches;
        }

        public Batch next() {
          if (!hasNext()) throw new NoSuchElementException();
          return dataset.batch(slice(order, next++ * b, b), e);
        }
      };
    }
    return new Prefetcher(order, e, b, batches);
  }

  private static int[] slice(int[] order, int from, int b) {
    int to = Math.min(order.length, from + b);
    int[] idx = new int[to - from];
    System.arraycopy(order, from, idx, 0, idx.length);
    return idx;
  }

  /** Frees the producer threads of an iterator that was dropped before its epoch ended. */
  private static final Cleaner CLEANER = Cleaner.create();

  /**
   * Produces batches on {@code numWorkers} daemon threads: worker w builds batches w, w + W,
   * w + 2W, ... into its own bounded queue, and the consumer takes batch i from queue i mod W, so
   * batches arrive in order whatever the threads' timing. Errors are rethrown to the consumer at
   * the position of the batch that failed. The threads hold only their queues, not the iterator,
   * so an iterator abandoned early (a {@code break} out of the loop) becomes unreachable and its
   * cleaner interrupts them.
   */
  private final class Prefetcher implements Iterator<Batch> {
    private final List<BlockingQueue<Object>> queues = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final int batches;
    private int taken;

    Prefetcher(int[] order, int epoch, int b, int batches) {
      this.batches = batches;
      int w = Math.min(config.numWorkers(), Math.max(1, batches));
      Dataset ds = dataset;
      for (int k = 0; k < w; k++) {
        BlockingQueue<Object> q = new ArrayBlockingQueue<>(config.prefetch());
        queues.add(q);
        int first = k;
        workers.add(Thread.ofPlatform().daemon().name("fathom-loader-" + k).start(() -> {
          try {
            for (int i = first; i < batches; i += w) q.put(ds.batch(slice(order, i * b, b), epoch));
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException | Error err) {
            try {
              q.put(err);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          }
        }));
      }
      List<Thread> threads = List.copyOf(workers);
      CLEANER.register(this, () -> threads.forEach(Thread::interrupt));
    }

    @Override
    public boolean hasNext() {
      return taken < batches;
    }

    @Override
    public Batch next() {
      if (!hasNext()) throw new NoSuchElementException();
      Object o;
      try {
        o = queues.get(taken % queues.size()).take();
      } catch (InterruptedException e) {
        workers.forEach(Thread::interrupt);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("DataLoader interrupted", e);
      }
      if (o instanceof RuntimeException re) throw re;
      if (o instanceof Error er) throw er;
      taken++;
      return (Batch) o;
    }
  }
}
