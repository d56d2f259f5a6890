package dev.fathom.llm.generate;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reusable barrier for the few threads of one decode step. A decode step is a chain of short
 * phases (tens of microseconds each), too short for a fork-join per phase, so the threads stay in
 * one parallel region and meet here: they spin briefly, then yield (the machine may be shared).
 * A thread that fails calls {@link #breakBarrier} so the others stop waiting and fail too.
 */
final class SpinBarrier {
  private static final int SPINS = 1 << 9;
  private final int parties;
  private final AtomicInteger arrived = new AtomicInteger();
  private volatile int generation;
  private volatile boolean broken;

  SpinBarrier(int parties) {
    this.parties = parties;
  }

  void await() {
    if (parties == 1) return;
    int g = generation;
    if (arrived.incrementAndGet() == parties) {
      arrived.set(0);
      generation = g + 1;
      return;
    }
    int spins = 0;
    while (generation == g) {
      if (broken) throw new IllegalStateException("decode step aborted: another thread of the step failed");
      if (++spins < SPINS) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  void breakBarrier() {
    broken = true;
  }

  /** Makes the barrier usable again after a failure (no thread may be waiting). */
  void reset() {
    arrived.set(0);
    broken = false;
  }
}
