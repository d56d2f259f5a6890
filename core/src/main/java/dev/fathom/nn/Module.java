package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Base class of layers and models, as PyTorch's {@code nn.Module}: parameters, buffers and child
 * modules registered explicitly by name, dotted names ({@code features.0.weight}), state dicts,
 * train/eval mode and hooks.
 *
 * <pre>{@code
 * class Mlp extends Module {
 *   final Linear fc1, fc2;
 *   Mlp(Rng rng) {
 *     fc1 = child("fc1", new Linear(784, 128, rng));
 *     fc2 = child("fc2", new Linear(128, 10, rng));
 *   }
 *   public Tensor forward(Tensor x) { return fc2.call(fc1.call(x).relu()); }
 * }
 * }</pre>
 *
 * <p>Call modules through {@link #call} (runs hooks); override {@link #forward}.
 */
public abstract class Module {
  private final LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
  private final LinkedHashMap<String, Tensor> buffers = new LinkedHashMap<>();
  private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
  private final List<ForwardPreHook> preHooks = new ArrayList<>();
  private final List<ForwardHook> forwardHooks = new ArrayList<>();
  private final List<BackwardHook> backwardHooks = new ArrayList<>();
  private boolean training = true;

  /** The computation; call the module through {@link #call} so hooks run. */
  public abstract Tensor forward(Tensor x);

  // ------------------------------------------------------------ registration

  /** Registers a trainable parameter (sets requiresGrad) and returns it. */
  protected final Tensor param(String name, Tensor value) {
    checkName(name);
    value.requiresGrad(true);
    params.put(name, value);
    return value;
  }

  /** Registers a non-trainable tensor that is part of the state (running statistics) and returns it. */
  protected final Tensor buffer(String name, Tensor value) {
    checkName(name);
    buffers.put(name, value);
    return value;
  }

  /** Registers a child module and returns it. */
  protected final <M extends Module> M child(String name, M module) {
    checkName(name);
    children.put(name, module);
    return module;
  }

  /**
   * Attaches {@code module} as a child named {@code name} from outside the class, as PyTorch's
   * {@code register_module}: it then appears in {@link #namedModules}, {@link #namedParameters},
   * {@link #stateDict} and train/eval. The owner's {@link #forward} does not call it by itself
   * (adapters pair it with a hook).
   *
   * @throws IllegalArgumentException when the name is empty, contains '.', or is already taken
   */
  public final <M extends Module> M registerModule(String name, M module) {
    if (module == null) throw new IllegalArgumentException("registerModule: module '" + name + "' must not be null");
    return child(name, module);
  }

  /**
   * Detaches the child named {@code name} and returns it.
   *
   * @throws IllegalArgumentException when this module has no child of that name
   */
  public final Module removeModule(String name) {
    Module m = children.remove(name);
    if (m == null) {
      throw new IllegalArgumentException("removeModule: " + getClass().getSimpleName() + " has no child '" + name
          + "', children are " + children.keySet());
    }
    return m;
  }

  private void checkName(String name) {
    if (name == null || name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException("module member name must be non-empty and contain no '.', got '" + name + "'");
    }
    if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
      throw new IllegalArgumentException("module member '" + name + "' is already registered in " + getClass().getSimpleName());
    }
  }

  // ------------------------------------------------------------ calling, hooks

  /** Runs forward with pre-hooks, forward hooks and backward hooks. */
  public final Tensor call(Tensor x) {
    for (ForwardPreHook h : preHooks) {
      Tensor r = h.apply(this, x);
      if (r != null) x = r;
    }
    boolean wireBackward = !backwardHooks.isEmpty() && Grad.isEnabled();
    Tensor input = x;
    Tensor[] gradOut = new Tensor[1];
    if (wireBackward && x.requiresGrad()) {
      input = Autograd.record("moduleInput", x.detach(), g -> new Tensor[] {g}, x);
      input.registerHook(g -> {
        for (BackwardHook h : backwardHooks) h.apply(this, g, gradOut[0]);
        return null;
      });
    }
    Tensor out = forward(input);
    for (ForwardHook h : forwardHooks) {
      Tensor r = h.apply(this, input, out);
      if (r != null) out = r;
    }
    if (wireBackward && out.requiresGrad()) {
      boolean inputTracked = x.requiresGrad();
      Tensor raw = out;
      out = Autograd.record("moduleOutput", raw.detach(), g -> new Tensor[] {g}, raw);
      out.registerHook(g -> {
        gradOut[0] = g;
        if (!inputTracked) for (BackwardHook h : backwardHooks) h.apply(this, null, g);
        return null;
      });
    }
    return out;
  }

  /** Adds a hook run before forward; returns a handle that removes it. */
  public Runnable registerForwardPreHook(ForwardPreHook hook) {
    preHooks.add(hook);
    return () -> preHooks.remove(hook);
  }

  /** Adds a hook run after forward; returns a handle that removes it. */
  public Runnable registerForwardHook(ForwardHook hook) {
    forwardHooks.add(hook);
    return () -> forwardHooks.remove(hook);
  }

  /** Adds a hook run during backward with the input and output gradients; returns a handle that removes it. */
  public Runnable registerBackwardHook(BackwardHook hook) {
    backwardHooks.add(hook);
    return () -> backwardHooks.remove(hook);
  }

  // ------------------------------------------------------------ traversal

  /** Direct children by name, in registration order. */
  public Map<String, Module> namedChildren() {
    return java.util.Collections.unmodifiableMap(children);
  }

  /** This module ("") and all descendants with dotted names, depth first. */
  public Map<String, Module> namedModules() {
    LinkedHashMap<String, Module> out = new LinkedHashMap<>();
    collectModules("", out);
    return out;
  }

  private void collectModules(String prefix, Map<String, Module> out) {
    out.put(prefix, this);
    children.forEach((n, m) -> m.collectModules(prefix.isEmpty() ? n : prefix + "." + n, out));
  }

  /** All parameters with dotted names; a tensor shared by two modules is listed once. */
  public Map<String, Tensor> namedParameters() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    namedModules().forEach((prefix, m) -> m.params.forEach((n, t) -> {
      if (seen.add(t)) out.put(prefix.isEmpty() ? n : prefix + "." + n, t);
    }));
    return out;
  }

  /** All parameters (each once). */
  public List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** All buffers with dotted names. */
  public Map<String, Tensor> namedBuffers() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    namedModules().forEach((prefix, m) -> m.buffers.forEach((n, t) -> out.put(prefix.isEmpty() ? n : prefix + "." + n, t)));
    return out;
  }

  /** Number of scalar parameters. */
  public long numParameters() {
    long n = 0;
    for (Tensor t : parameters()) n += t.numel();
    return n;
  }

  /** Calls fn on this module and every descendant. */
  public void apply(Consumer<Module> fn) {
    namedModules().values().forEach(fn);
  }

  // ------------------------------------------------------------ state

  /** Parameters and buffers by dotted name (the tensors themselves, not copies), parameters first per module. */
  public Map<String, Tensor> stateDict() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    namedModules().forEach((prefix, m) -> {
      String p = prefix.isEmpty() ? "" : prefix + ".";
      m.params.forEach((n, t) -> out.put(p + n, t));
      m.buffers.forEach((n, t) -> out.put(p + n, t));
    });
    return out;
  }

  /**
   * Copies values from {@code state} into this module's parameters and buffers (in place, so
   * optimizers keep working). A shape mismatch always throws; with {@code strict}, so do missing
   * or unexpected keys.
   *
   * @throws StateDictException naming the offending keys and shapes
   */
  public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
    Map<String, Tensor> own = stateDict();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> badShapes = new ArrayList<>();
    for (var e : own.entrySet()) {
      Tensor src = state.get(e.getKey());
      if (src == null) {
        missing.add(e.getKey());
      } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
        badShapes.add("'" + e.getKey() + "': checkpoint has " + Shape.str(src.shape()) + ", model has " + Shape.str(e.getValue().shape()));
      }
    }
    Set<String> ownKeys = new LinkedHashSet<>(own.keySet());
    for (String k : state.keySet()) if (!ownKeys.contains(k)) unexpected.add(k);
    if (!badShapes.isEmpty()) {
      throw new StateDictException("loadStateDict: size mismatch for " + String.join("; ", badShapes));
    }
    if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
      throw new StateDictException("loadStateDict (strict): missing keys " + missing + ", unexpected keys " + unexpected);
    }
    for (var e : own.entrySet()) {
      Tensor src = state.get(e.getKey());
      if (src == null) continue;
      Tensor dst = e.getValue();
      switch (dst.dtype()) {
        case FLOAT32 -> System.arraycopy(src.toFloatArray(), 0, dst.data(), 0, dst.numel());
        case INT64 -> System.arraycopy(src.toLongArray(), 0, dst.longData(), 0, dst.numel());
        case INT32 -> {
          long[] v = src.toLongArray();
          int[] d = dst.intData();
          for (int i = 0; i < d.length; i++) d[i] = (int) v[i];
        }
      }
    }
    return new LoadResult(missing, unexpected);
  }

  // ------------------------------------------------------------ modes, grads

  /** Training mode for this module and its descendants (dropout active, batch statistics). */
  public Module train() {
    apply(m -> m.training = true);
    return this;
  }

  /** Evaluation mode (dropout off, running statistics). */
  public Module eval() {
    apply(m -> m.training = false);
    return this;
  }

  public boolean isTraining() {
    return training;
  }

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    for (Tensor p : parameters()) p.setGrad(null);
  }

  /** Short description of this layer's configuration, shown by {@link #toString}. */
  protected String extraRepr() {
    return "";
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
    if (!children.isEmpty()) {
      sb.append('\n');
      children.forEach((n, m) -> sb.append("  (").append(n).append("): ")
          .append(m.toString().replace("\n", "\n  ")).append('\n'));
    }
    return sb.append(')').toString();
  }
}
