package dev.fathom.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Memory figures of one computation: bytes allocated by all threads while it runs
 * ({@code com.sun.management.ThreadMXBean}) and heap held after a full GC (what stays reachable,
 * e.g. the tensors an autograd graph keeps for its backward pass).
 */
final class HeapProbe {
  private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private HeapProbe() {}

  /** Bytes all threads have allocated so far. */
  static long allocated() {
    return THREADS.getTotalThreadAllocatedBytes();
  }

  /** Heap in use after a full collection. */
  static long heldAfterGc() {
    System.gc();
    long used = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) used += p.getUsage().getUsed();
    }
    return used;
  }
}
