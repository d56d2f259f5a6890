package dev.fathom.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;

/**
 * Runs a computation with every {@code Parallel.forRange} inline on one thread: called from a
 * foreign fork-join worker, the shared pool runs nested loops inline. A kernel whose results do
 * not depend on the thread count gives the same bits here as on the pool.
 */
public final class Serial {
  private Serial() {}

  /** The value of {@code work}, computed on a one-thread fork-join pool of its own. */
  public static <T> T call(Callable<T> work) throws Exception {
    ForkJoinPool pool = new ForkJoinPool(1);
    try {
      return pool.submit(work).get();
    } finally {
      pool.shutdown();
    }
  }
}
