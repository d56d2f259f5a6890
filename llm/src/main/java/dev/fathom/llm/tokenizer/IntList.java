package dev.fathom.llm.tokenizer;

import java.util.Arrays;

/** A growable {@code int[]}. */
final class IntList {
  private int[] a;
  private int size;

  IntList(int capacity) {
    a = new int[Math.max(4, capacity)];
  }

  void add(int v) {
    if (size == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
    }
    a[size++] = v;
  }

  void addAll(int[] vs) {
    if (size + vs.length > a.length) {
      a = Arrays.copyOf(a, Math.max(a.length * 2, size + vs.length));
    }
    System.arraycopy(vs, 0, a, size, vs.length);
    size += vs.length;
  }

  int last() {
    return a[size - 1];
  }

  int size() {
    return size;
  }

  int[] toArray() {
    return Arrays.copyOf(a, size);
  }
}
