package dev.fathom.llm.tokenizer;

import java.util.Arrays;

/**
 * The merge table of a BPE and the algorithm that applies it to one piece.
 *
 * <p>Algorithm (GPT-2's): start from one symbol per byte; repeatedly take the adjacent pair with
 * the lowest merge rank and merge it, until no adjacent pair has a rank. Short pieces use a
 * direct scan (O(n²) but tiny n, no allocation beyond the symbol array); long pieces use a heap
 * of (rank, position) over a linked list of symbols, O(n log n), so a hostile megabyte-long piece
 * cannot make encoding quadratic. Both merge equal-rank occurrences leftmost first, which is what
 * GPT-2's "merge every occurrence of the best pair, left to right" does.
 */
final class Merges {

  /** Pieces up to this many symbols use the direct scan. */
  static final int SCAN_LIMIT = 64;

  private final LongIntMap rankOf;
  private final int[] left;
  private final int[] right;
  private final int[] merged;

  /**
   * @param left left id of merge {@code r}, by rank
   * @param right right id of merge {@code r}
   * @param merged id of the token merge {@code r} makes
   */
  Merges(int[] left, int[] right, int[] merged) {
    this.left = left;
    this.right = right;
    this.merged = merged;
    this.rankOf = new LongIntMap(left.length);
    for (int r = 0; r < left.length; r++) {
      rankOf.putIfAbsent(LongIntMap.pair(left[r], right[r]), r);
    }
  }

  int size() {
    return left.length;
  }

  int left(int rank) {
    return left[rank];
  }

  int right(int rank) {
    return right[rank];
  }

  int merged(int rank) {
    return merged[rank];
  }

  /** Applies the merges to {@code symbols} (modified); returns the merged ids. */
  int[] apply(int[] symbols) {
    if (symbols.length < 2 || left.length == 0) {
      return symbols;
    }
    return symbols.length <= SCAN_LIMIT ? scan(symbols) : heap(symbols);
  }

  int[] scan(int[] sym) {
    int n = sym.length;
    while (n > 1) {
      int best = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < n; i++) {
        int r = rankOf.get(LongIntMap.pair(sym[i], sym[i + 1]));
        if (r >= 0 && r < best) {
          best = r;
        }
      }
      if (best == Integer.MAX_VALUE) {
        break;
      }
      int a = left[best];
      int b = right[best];
      int c = merged[best];
      int w = 0;
      for (int i = 0; i < n; i++) {
        if (i + 1 < n && sym[i] == a && sym[i + 1] == b) {
          sym[w++] = c;
          i++;
        } else {
          sym[w++] = sym[i];
        }
      }
      n = w;
    }
    return n == sym.length ? sym : Arrays.copyOf(sym, n);
  }

  int[] heap(int[] sym) {
    int n = sym.length;
    int[] next = new int[n];
    int[] prev = new int[n];
    for (int i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    long[] heap = new long[n];
    int size = 0;
    for (int i = 0; i + 1 < n; i++) {
      int r = rankOf.get(LongIntMap.pair(sym[i], sym[i + 1]));
      if (r >= 0) {
        size = push(heap, size, entry(r, i));
      }
    }
    boolean[] dead = new boolean[n];
    int count = n;
    while (size > 0) {
      long top = heap[0];
      size = pop(heap, size);
      int r = (int) (top >>> 32);
      int pos = (int) top;
      if (dead[pos]) {
        continue;
      }
      int nx = next[pos];
      if (nx < 0 || sym[pos] != left[r] || sym[nx] != right[r]) {
        continue;
      }
      sym[pos] = merged[r];
      dead[nx] = true;
      count--;
      int after = next[nx];
      next[pos] = after;
      if (after >= 0) {
        prev[after] = pos;
      }
      if (heap.length < size + 2) {
        heap = Arrays.copyOf(heap, heap.length * 2 + 2);
      }
      int p = prev[pos];
      if (p >= 0) {
        int rp = rankOf.get(LongIntMap.pair(sym[p], sym[pos]));
        if (rp >= 0) {
          size = push(heap, size, entry(rp, p));
        }
      }
      if (after >= 0) {
        int ra = rankOf.get(LongIntMap.pair(sym[pos], sym[after]));
        if (ra >= 0) {
          size = push(heap, size, entry(ra, pos));
        }
      }
    }
    int[] out = new int[count];
    int w = 0;
    for (int i = 0; i >= 0; i = next[i]) {
      out[w++] = sym[i];
    }
    return out;
  }

  private static long entry(int rank, int pos) {
    return ((long) rank << 32) | pos;
  }

  private static int push(long[] heap, int size, long v) {
    int i = size;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= v) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = v;
    return size + 1;
  }

  private static int pop(long[] heap, int size) {
    long v = heap[--size];
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= size) {
        break;
      }
      if (c + 1 < size && heap[c + 1] < heap[c]) {
        c++;
      }
      if (heap[c] >= v) {
        break;
      }
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = v;
    return size;
  }
}
