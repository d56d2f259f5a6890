package dev.fathom.bench;

import dev.fathom.nn.F;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward + backward of the fused activation ops against the compositions they replace, at a
 * Llama-MLP size (4096 tokens × 688 hidden): {@code F.swiglu(gate, up)} against
 * {@code gate·σ(gate)·up}, and {@code F.linearAct(x, W, b, GELU)} (256 → 688) against
 * {@code F.gelu(F.linear(x, W, b))}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class FusedActivationBench {

  @Param({"4096"})
  public int tokens;

  @Param({"688"})
  public int hidden;

  private Tensor gate, up, seed, x, w, b, seedLinear;

  @Setup
  public void setup() {
    Rng rng = new Rng(1);
    gate = Tensor.randn(rng, tokens, hidden);
    up = Tensor.randn(rng, tokens, hidden);
    seed = Tensor.randn(rng, tokens, hidden);
    x = Tensor.randn(rng, tokens, 256);
    w = Tensor.randn(rng, hidden, 256).mul(0.06f);
    b = Tensor.randn(rng, hidden);
    seedLinear = Tensor.randn(rng, tokens, hidden);
  }

  private static Tensor leaf(Tensor t) {
    return t.detach().requiresGrad(true);
  }

  @Benchmark
  public Tensor swigluFused() {
    Tensor g = leaf(gate), u = leaf(up);
    F.swiglu(g, u).backward(seed);
    return g.grad();
  }

  @Benchmark
  public Tensor swigluComposed() {
    Tensor g = leaf(gate), u = leaf(up);
    g.mul(g.sigmoid()).mul(u).backward(seed);
    return g.grad();
  }

  @Benchmark
  public Tensor linearGeluFused() {
    Tensor xx = leaf(x), ww = leaf(w), bb = leaf(b);
    F.linearAct(xx, ww, bb, F.Act.GELU).backward(seedLinear);
    return ww.grad();
  }

  @Benchmark
  public Tensor linearGeluComposed() {
    Tensor xx = leaf(x), ww = leaf(w), bb = leaf(b);
    F.gelu(F.linear(xx, ww, bb)).backward(seedLinear);
    return ww.grad();
  }
}
