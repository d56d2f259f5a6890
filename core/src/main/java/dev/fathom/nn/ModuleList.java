package dev.fathom.nn;

import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An indexed list of modules registered as children "0", "1", ... (PyTorch's nn.ModuleList), so
 * their parameters appear in the state dict as {@code <prefix>.<index>.<name>}. It has no forward
 * of its own: the owner decides how to call its entries.
 *
 * @param <M> the element type
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
  private final List<M> items = new ArrayList<>();

  /** Appends a module under the next index and returns it. */
  public M add(M module) {
    child(Integer.toString(items.size()), module);
    items.add(module);
    return module;
  }

  public M get(int index) {
    if (index < 0 || index >= items.size()) {
      throw new IndexOutOfBoundsException("ModuleList: index " + index + " out of range for size " + items.size());
    }
    return items.get(index);
  }

  public int size() {
    return items.size();
  }

  @Override
  public Iterator<M> iterator() {
    return List.copyOf(items).iterator();
  }

  /** A ModuleList is a container: call its entries. */
  @Override
  public Tensor forward(Tensor x) {
    throw new UnsupportedOperationException("ModuleList has no forward: call its entries");
  }
}
