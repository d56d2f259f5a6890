package dev.fathom.xai.fairness;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The sensitive group of each example: {@code index[i]} is example i's group, a position in
 * {@code names}. Built from a column of a table by {@link SensitiveAttribute}, or from plain
 * labels by {@link #of(String...)}.
 *
 * <p>A subset of the rows ({@link #select(int[])}) keeps every name, so group indices mean the
 * same on training and test rows even when a small group has no test example; the metrics
 * leave out groups without examples.
 *
 * @param index (N) the group of each example, each in [0, names.size())
 * @param names the group names, distinct, at least one
 */
public record Groups(int[] index, List<String> names) {
  /**
   * Validates the indices and names.
   *
   * @throws IllegalArgumentException if there is no name, a name repeats, or an index is
   *     outside [0, names.size())
   */
  public Groups {
    names = List.copyOf(names);
    if (names.isEmpty()) {
      throw new IllegalArgumentException("Groups: expected at least one group name, got none");
    }
    if (new TreeSet<>(names).size() != names.size()) {
      throw new IllegalArgumentException("Groups: group names must be distinct, got " + names);
    }
    index = index.clone();
    for (int i = 0; i < index.length; i++) {
      if (index[i] < 0 || index[i] >= names.size()) {
        throw new IllegalArgumentException(
            "Groups: example " + i + " has group " + index[i] + ", expected one of [0, " + names.size() + ") = " + names);
      }
    }
  }

  /**
   * Groups from one label per example; the names are the distinct labels, sorted.
   *
   * @param labels (N) the group label of each example, none null
   * @return the groups
   * @throws IllegalArgumentException if a label is null
   */
  public static Groups of(String... labels) {
    TreeSet<String> distinct = new TreeSet<>();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == null) {
        throw new IllegalArgumentException("Groups.of: label of example " + i + " is null, expected a group name");
      }
      distinct.add(labels[i]);
    }
    if (distinct.isEmpty()) {
      throw new IllegalArgumentException("Groups.of: expected at least one example, got none");
    }
    List<String> names = List.copyOf(distinct);
    int[] index = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      index[i] = names.indexOf(labels[i]);
    }
    return new Groups(index, names);
  }

  /**
   * The number of examples N.
   *
   * @return N
   */
  public int size() {
    return index.length;
  }

  /**
   * The number of groups G (named, with or without examples).
   *
   * @return G
   */
  public int count() {
    return names.size();
  }

  /**
   * The number of examples in each group.
   *
   * @return (G) counts
   */
  public int[] sizes() {
    int[] n = new int[names.size()];
    for (int g : index) {
      n[g]++;
    }
    return n;
  }

  /**
   * The group of example i.
   *
   * @param i an example
   * @return its group index
   */
  public int of(int i) {
    return index[i];
  }

  /**
   * A group's index by name.
   *
   * @param name a group name
   * @return its index
   * @throws IllegalArgumentException if there is no such group, naming the groups there are
   */
  public int indexOf(String name) {
    int g = names.indexOf(name);
    if (g < 0) {
      throw new IllegalArgumentException("no group '" + name + "'; the groups are " + names);
    }
    return g;
  }

  /**
   * The groups of a subset of the examples, with the same names.
   *
   * @param rows example indices, repeats allowed
   * @return the groups of those rows, in that order
   * @throws IndexOutOfBoundsException if a row is outside [0, N)
   */
  public Groups select(int[] rows) {
    int[] sub = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      sub[i] = index[java.util.Objects.checkIndex(rows[i], index.length)];
    }
    return new Groups(sub, names);
  }

  /**
   * Checks that per-example arrays match these groups.
   *
   * @param what the array's name, for the message
   * @param length its length
   * @throws IllegalArgumentException if the length is not N
   */
  void checkLength(String what, int length) {
    if (length != index.length) {
      throw new IllegalArgumentException(
          what + " has " + length + " entries, expected one per example of the " + index.length + " in the sensitive groups");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Groups g && Arrays.equals(index, g.index) && names.equals(g.names);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(index) + names.hashCode();
  }

  @Override
  public String toString() {
    return "Groups[" + index.length + " examples, names=" + names + "]";
  }
}
