package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.testing.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ParallelTest {

  @Test
  void everyIndexRunsOnceInTheStaticChunks() {
    for (int n : new int[] {1, 2, 7, 1000, 100_003}) {
      for (int grain : new int[] {1, 64, 1 << 14}) {
        int chunks = Parallel.chunks(n, grain);
        int[] hits = new int[n];
        List<int[]> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(n, grain, (s, e) -> {
          ranges.add(new int[] {s, e});
          for (int i = s; i < e; i++) hits[i]++;
        });
        assertThat(hits).as("n=%d grain=%d", n, grain).containsOnly(1);
        assertThat(ranges).hasSize(chunks);
        for (int[] r : ranges) {
          boolean isChunk = false;
          for (int c = 0; c < chunks; c++) {
            isChunk |= r[0] == Parallel.chunkStart(n, chunks, c) && r[1] == Parallel.chunkStart(n, chunks, c + 1);
          }
          assertThat(isChunk).as("range [%d, %d) is one of the %d static chunks", r[0], r[1], chunks).isTrue();
        }
      }
    }
  }

  @Test
  void nestedLoopsRunInlineOnTheThreadThatRunsTheChunk() {
    AtomicInteger inner = new AtomicInteger();
    ConcurrentHashMap<Thread, Boolean> mismatched = new ConcurrentHashMap<>();
    Parallel.forRange(Parallel.threads() * 4, 1, (s, e) -> {
      assertThat(Parallel.nested()).isTrue();
      Thread outer = Thread.currentThread();
      Parallel.forRange(1000, 1, (a, b) -> {
        if (Thread.currentThread() != outer || a != 0 || b != 1000) mismatched.put(Thread.currentThread(), true);
        inner.addAndGet(b - a);
      });
    });
    assertThat(mismatched).isEmpty();
    assertThat(inner.get()).isEqualTo(Parallel.chunks(Parallel.threads() * 4, 1) * 1000);
    assertThat(Parallel.nested()).isFalse();
  }

  @Test
  void aForeignForkJoinWorkerRunsLoopsInline() throws Exception {
    Thread caller = Serial.call(() -> {
      Thread[] seen = new Thread[1];
      Parallel.forRange(1000, 1, (s, e) -> {
        assertThat(s).isZero();
        assertThat(e).isEqualTo(1000);
        seen[0] = Thread.currentThread();
      });
      assertThat(seen[0]).isSameAs(Thread.currentThread());
      return Thread.currentThread();
    });
    assertThat(caller).isNotSameAs(Thread.currentThread());
  }

  @Test
  void theFirstFailureOfAChunkReachesTheCaller() {
    assertThatThrownBy(() -> Parallel.forRange(1000, 1, (s, e) -> {
      if (s == 0) throw new IllegalStateException("chunk 0 failed");
    })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 0 failed");
    // the pool still works afterwards
    AtomicInteger sum = new AtomicInteger();
    Parallel.forRange(1000, 1, (s, e) -> sum.addAndGet(e - s));
    assertThat(sum.get()).isEqualTo(1000);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void chunksOfOneLoopRunAtTheSameTimeSoTheyCanMeetAtABarrier() throws Exception {
    int parties = Parallel.threads();
    CyclicBarrier barrier = new CyclicBarrier(parties);
    for (int round = 0; round < 200; round++) {
      Parallel.forRange(parties, 1, (s, e) -> {
        try {
          barrier.await(20, TimeUnit.SECONDS);
        } catch (Exception ex) {
          throw new IllegalStateException(ex);
        }
      });
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void loopsFromSeveralThreadsAtOnceEachRunWhole() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> sums = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        sums.add(callers.submit(() -> {
          long total = 0;
          for (int round = 0; round < 500; round++) {
            long[] parts = new long[Parallel.threads()];
            int n = 10_000 + id;
            int chunks = Parallel.chunks(n, 1);
            Parallel.forRange(n, 1, (s, e) -> {
              long p = 0;
              for (int i = s; i < e; i++) p += i;
              for (int c = 0; c < chunks; c++) if (s == Parallel.chunkStart(n, chunks, c)) parts[c] = p;
            });
            for (long p : parts) total += p;
          }
          return total;
        }));
      }
      for (int t = 0; t < 4; t++) {
        long n = 10_000 + t;
        assertThat(sums.get(t).get()).isEqualTo(500 * n * (n - 1) / 2);
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
