package dev.fathom.data;

import dev.fathom.tensor.Rng;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Iterates a {@link Dataset} in batches: seeded shuffling (the same seed and epoch give the same
 * order), batching, drop-last, and background prefetch on a daemon thread. Each call to
 * {@link #iterator()} is one epoch; {@link #setEpoch} positions the shuffle (for resuming).
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
    int[] order = order(epoch++);
    int b = config.batchSize();
    int batches = numBatches();
    if (config.prefetch() == 0) {
      return new Iterator<>() {
        int next = 0;

        public boolean hasNext() {
          return next < batches;
        }

        public Batch next() {
          if (!hasNext()) throw new NoSuchElementException();
          return dataset.batch(slice(order, next++ * b, b));
        }
      };
    }
    return new Prefetcher(order, b, batches, config.prefetch());
  }

  private static int[] slice(int[] order, int from, int b) {
    int to = Math.min(order.length, from + b);
    int[] idx = new int[to - from];
    System.arraycopy(order, from, idx, 0, idx.length);
    return idx;
  }

  /** Frees the producer thread of an iterator that was dropped before its epoch ended. */
  private static final Cleaner CLEANER = Cleaner.create();

  /**
   * Produces batches on a daemon thread into a bounded queue; errors are rethrown to the
   * consumer. The thread holds only the queue, not the iterator, so an iterator abandoned early
   * (a {@code break} out of the loop) becomes unreachable and its cleaner interrupts the thread.
   */
  private final class Prefetcher implements Iterator<Batch> {
    private final BlockingQueue<Object> queue;
    private final int batches;
    private int taken;
    private final Thread worker;

    Prefetcher(int[] order, int b, int batches, int depth) {
      this.batches = batches;
      BlockingQueue<Object> q = new ArrayBlockingQueue<>(depth);
      Dataset ds = dataset;
      this.queue = q;
      this.worker = Thread.ofPlatform().daemon().name("fathom-loader").start(() -> {
        try {
          for (int i = 0; i < batches; i++) q.put(ds.batch(slice(order, i * b, b)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
          try {
            q.put(e);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
        }
      });
      Thread t = worker;
      CLEANER.register(this, t::interrupt);
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
        o = queue.take();
      } catch (InterruptedException e) {
        worker.interrupt();
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
