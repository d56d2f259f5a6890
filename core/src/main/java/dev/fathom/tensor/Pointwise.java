package dev.fathom.tensor;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Activations;
import dev.fathom.kernel.Parallel;
import dev.fathom.kernel.VecMath;

/** Elementwise operations with broadcasting; each forward sits next to its derivative rule. */
final class Pointwise {
  private Pointwise() {}

  enum Op { ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE }

  enum Unary { NEG, ABS, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU, GELU, GELU_TANH, SILU, SIN, COS }

  static void requireFloat(Tensor t, String op) {
    if (t.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException(op + ": expected a FLOAT32 tensor, got " + t.dtype()
          + " of shape " + Shape.str(t.shape()) + " (use toFloat())");
    }
  }

  // ------------------------------------------------------------ binary, broadcasting

  static Tensor binary(Op op, Tensor a, Tensor b) {
    Tensor out = binaryForward(op, a.toFloat(), b.toFloat());
    return Autograd.record(op.name().toLowerCase(), out, g -> {
      Tensor ga = null, gb = null;
      switch (op) {
        case ADD -> {
          ga = g;
          gb = g;
        }
        case SUB -> {
          ga = g;
          gb = g.neg();
        }
        case MUL -> {
          ga = a.requiresGrad() ? g.mul(b) : null;
          gb = b.requiresGrad() ? g.mul(a) : null;
        }
        case DIV -> {
          ga = a.requiresGrad() ? g.div(b) : null;
          gb = b.requiresGrad() ? g.mul(out).div(b).neg() : null;
        }
        case POW -> {
          ga = a.requiresGrad() ? g.mul(b).mul(a.pow(b.sub(1f))) : null;
          gb = b.requiresGrad() ? g.mul(out).mul(Pointwise.safeLog(a)) : null;
        }
        case MAX, MIN -> {
          Tensor win = op == Op.MAX ? a.gt(b) : a.lt(b);
          Tensor tie = a.eq(b).mul(0.5f);
          ga = g.mul(win.add(tie));
          gb = g.mul(win.rsub(1f).sub(tie));
        }
        default -> throw new IllegalStateException("no gradient for " + op);
      }
      return new Tensor[] {ga == null || !a.requiresGrad() ? null : Reduce.sumToShape(ga, a.shape()),
          gb == null || !b.requiresGrad() ? null : Reduce.sumToShape(gb, b.shape())};
    }, a, b);
  }

  /** log(a) where a > 0, else 0: the d/db of a^b where the power is defined. */
  private static Tensor safeLog(Tensor a) {
    float[] x = a.data();
    float[] o = new float[x.length];
    for (int i = 0; i < x.length; i++) o[i] = x[i] > 0 ? (float) Math.log(x[i]) : 0f;
    return Tensor.of(o, a.shape());
  }

  static Tensor compare(Op op, Tensor a, Tensor b) {
    return binaryForward(op, a.toFloat(), b.toFloat());
  }

  private static Tensor binaryForward(Op op, Tensor a, Tensor b) {
    int[] as = a.shape(), bs = b.shape();
    int[] os = Shape.broadcast(as, bs);
    float[] x = a.data(), y = b.data();
    float[] o = new float[Shape.numel(os)];
    int[][] strides = {Shape.broadcastStrides(as, os), Shape.broadcastStrides(bs, os)};
    Broadcast.forEachRun(os, strides, (oo, offs, steps, n) -> run(op, x, offs[0], steps[0], y, offs[1], steps[1], o, oo, n));
    return Tensor.of(o, os);
  }

  /** One run of a binary op; {@code as}/{@code bs} are the operands' steps along the run (0 or 1 for arithmetic fast paths). */
  private static void run(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
    if (as == 1 && bs == 1) {
      switch (op) {
        case ADD -> { VecMath.add(a, ao, b, bo, o, oo, n); return; }
        case SUB -> { VecMath.sub(a, ao, b, bo, o, oo, n); return; }
        case MUL -> { VecMath.mul(a, ao, b, bo, o, oo, n); return; }
        case DIV -> { VecMath.div(a, ao, b, bo, o, oo, n); return; }
        default -> { }
      }
    } else if (as == 1 && bs == 0) {
      float v = b[bo];
      switch (op) {
        case ADD -> { VecMath.addScalar(a, ao, v, o, oo, n); return; }
        case SUB -> { VecMath.addScalar(a, ao, -v, o, oo, n); return; }
        case MUL -> { VecMath.mulScalar(a, ao, v, o, oo, n); return; }
        case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / v; return; }
        default -> { }
      }
    } else if (as == 0 && bs == 1) {
      float v = a[ao];
      switch (op) {
        case ADD -> { VecMath.addScalar(b, bo, v, o, oo, n); return; }
        case SUB -> { for (int i = 0; i < n; i++) o[oo + i] = v - b[bo + i]; return; }
        case MUL -> { VecMath.mulScalar(b, bo, v, o, oo, n); return; }
        case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = v / b[bo + i]; return; }
        default -> { }
      }
    }
    switch (op) {
      case ADD -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] + b[bo + i * bs]; }
      case SUB -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] - b[bo + i * bs]; }
      case MUL -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] * b[bo + i * bs]; }
      case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] / b[bo + i * bs]; }
      case POW -> { for (int i = 0; i < n; i++) o[oo + i] = (float) Math.pow(a[ao + i * as], b[bo + i * bs]); }
      case MAX -> { for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i * as], b[bo + i * bs]); }
      case MIN -> { for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i * as], b[bo + i * bs]); }
      case EQ -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] == b[bo + i * bs] ? 1f : 0f; }
      case NE -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] != b[bo + i * bs] ? 1f : 0f; }
      case LT -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] < b[bo + i * bs] ? 1f : 0f; }
      case LE -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] <= b[bo + i * bs] ? 1f : 0f; }
      case GT -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] > b[bo + i * bs] ? 1f : 0f; }
      case GE -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] >= b[bo + i * bs] ? 1f : 0f; }
    }
  }

  // ------------------------------------------------------------ tensor-scalar

  static Tensor scalar(Op op, Tensor a, float s) {
    requireFloat(a, op.name().toLowerCase());
    float[] x = a.data();
    float[] o = new float[x.length];
    Parallel.forRange(x.length, 1 << 15, (from, to) -> {
      switch (op) {
        case ADD -> { for (int i = from; i < to; i++) o[i] = x[i] + s; }
        case SUB -> { for (int i = from; i < to; i++) o[i] = x[i] - s; }
        case MUL -> { for (int i = from; i < to; i++) o[i] = x[i] * s; }
        case DIV -> { for (int i = from; i < to; i++) o[i] = x[i] / s; }
        case POW -> {
          if (s == 2f) for (int i = from; i < to; i++) o[i] = x[i] * x[i];
          else for (int i = from; i < to; i++) o[i] = (float) Math.pow(x[i], s);
        }
        default -> throw new IllegalArgumentException("no tensor-scalar form of " + op);
      }
    });
    Tensor out = Tensor.of(o, a.shape());
    return Autograd.record(op.name().toLowerCase() + "Scalar", out, g -> new Tensor[] {switch (op) {
      case ADD, SUB -> g;
      case MUL -> g.mul(s);
      case DIV -> g.div(s);
      case POW -> s == 2f ? g.mul(a).mul(2f) : g.mul(a.pow(s - 1f)).mul(s);
      default -> throw new IllegalStateException();
    }}, a);
  }

  // ------------------------------------------------------------ unary

  static Tensor unary(Unary op, Tensor a) {
    requireFloat(a, op.name().toLowerCase());
    float[] x = a.data();
    float[] o = new float[x.length];
    switch (op) {
      case RELU -> VecMath.relu(x, 0, o, 0, x.length);
      case EXP -> VecMath.exp(x, 0, o, 0, x.length);
      case SIGMOID -> VecMath.sigmoid(x, 0, o, 0, x.length);
      case TANH -> VecMath.tanh(x, 0, o, 0, x.length);
      case GELU -> Activations.gelu(x, 0, o, 0, x.length);
      case GELU_TANH -> Activations.geluTanh(x, 0, o, 0, x.length);
      case SILU -> Activations.silu(x, 0, o, 0, x.length);
      default -> Parallel.forRange(x.length, 1 << 14, (s, e) -> unaryRun(op, x, o, s, e));
    }
    Tensor out = Tensor.of(o, a.shape());
    return Autograd.record(op.name().toLowerCase(), out, g -> new Tensor[] {unaryGrad(op, a, out, g)}, a);
  }

  private static void unaryRun(Unary op, float[] x, float[] o, int s, int e) {
    switch (op) {
      case NEG -> { for (int i = s; i < e; i++) o[i] = -x[i]; }
      case ABS -> { for (int i = s; i < e; i++) o[i] = Math.abs(x[i]); }
      case LOG -> { for (int i = s; i < e; i++) o[i] = (float) Math.log(x[i]); }
      case SQRT -> { for (int i = s; i < e; i++) o[i] = (float) Math.sqrt(x[i]); }
      case RSQRT -> { for (int i = s; i < e; i++) o[i] = (float) (1.0 / Math.sqrt(x[i])); }
      case SIN -> { for (int i = s; i < e; i++) o[i] = (float) Math.sin(x[i]); }
      case COS -> { for (int i = s; i < e; i++) o[i] = (float) Math.cos(x[i]); }
      case RELU, EXP, SIGMOID, TANH, GELU, GELU_TANH, SILU ->
          throw new IllegalStateException(op + " runs on a vector kernel, see unary()");
    }
  }

  private static Tensor unaryGrad(Unary op, Tensor a, Tensor out, Tensor g) {
    float[] x = a.data(), y = out.data(), gd = g.data();
    if (op == Unary.NEG) return g.neg();
    float[] d = new float[x.length];
    if (op == Unary.RELU) {
      VecMath.reluBackward(gd, 0, x, 0, d, 0, x.length);
      return Tensor.of(d, a.shape());
    }
    if (op == Unary.EXP) {
      VecMath.mul(gd, 0, y, 0, d, 0, x.length);
      return Tensor.of(d, a.shape());
    }
    switch (op) {
      case GELU -> Activations.geluBackward(gd, 0, x, 0, d, 0, x.length);
      case GELU_TANH -> Activations.geluTanhBackward(gd, 0, x, 0, d, 0, x.length);
      case SILU -> Activations.siluBackward(gd, 0, x, 0, d, 0, x.length);
      default -> { }
    }
    if (op == Unary.GELU || op == Unary.GELU_TANH || op == Unary.SILU) return Tensor.of(d, a.shape());
    Parallel.forRange(x.length, 1 << 14, (s, e) -> {
      switch (op) {
        case SIGMOID -> { for (int i = s; i < e; i++) d[i] = gd[i] * y[i] * (1 - y[i]); return; }
        case TANH -> { for (int i = s; i < e; i++) d[i] = gd[i] * (1 - y[i] * y[i]); return; }
        default -> { }
      }
      for (int i = s; i < e; i++) {
        double v = x[i];
        double dydx = switch (op) {
          case ABS -> v > 0 ? 1 : v < 0 ? -1 : 0;
          case LOG -> 1 / v;
          case SQRT -> 0.5 / y[i];
          case RSQRT -> -0.5 * y[i] / v;
          case SIN -> Math.cos(v);
          case COS -> -Math.sin(v);
          case NEG, RELU, EXP, SIGMOID, TANH, GELU, GELU_TANH, SILU ->
              throw new IllegalStateException(op + " has its own loop above");
        };
        d[i] = (float) (gd[i] * dydx);
      }
    });
    return Tensor.of(d, a.shape());
  }

  // ------------------------------------------------------------ clamp, where, masks

  static Tensor clamp(Tensor a, float min, float max) {
    requireFloat(a, "clamp");
    if (min > max) throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
    float[] x = a.data();
    float[] o = new float[x.length];
    for (int i = 0; i < x.length; i++) o[i] = Math.min(max, Math.max(min, x[i]));
    Tensor out = Tensor.of(o, a.shape());
    return Autograd.record("clamp", out, g -> {
      float[] gd = g.data();
      float[] d = new float[x.length];
      for (int i = 0; i < x.length; i++) d[i] = (x[i] >= min && x[i] <= max) ? gd[i] : 0f;
      return new Tensor[] {Tensor.of(d, a.shape())};
    }, a);
  }

  static Tensor where(Tensor cond, Tensor a, Tensor b) {
    Tensor c = cond.toFloat();
    Tensor af = a.toFloat(), bf = b.toFloat();
    int[] os;
    try {
      os = Shape.broadcast(Shape.broadcast(c.shape(), af.shape()), bf.shape());
    } catch (ShapeException e) {
      throw new ShapeException("where: condition " + Shape.str(c.shape()) + ", a " + Shape.str(af.shape()) + " and b "
          + Shape.str(bf.shape()) + " cannot be broadcast together");
    }
    float[] cd = c.data(), x = af.data(), y = bf.data();
    float[] o = new float[Shape.numel(os)];
    int[][] strides = {Shape.broadcastStrides(c.shape(), os), Shape.broadcastStrides(af.shape(), os),
        Shape.broadcastStrides(bf.shape(), os)};
    Broadcast.forEachRun(os, strides, (oo, offs, st, n) -> {
      for (int i = 0; i < n; i++) {
        o[oo + i] = cd[offs[0] + i * st[0]] != 0 ? x[offs[1] + i * st[1]] : y[offs[2] + i * st[2]];
      }
    });
    Tensor out = Tensor.of(o, os);
    return Autograd.record("where", out, g -> {
      Tensor m = Tensor.zeros(os).add(c.ne(0f));
      return new Tensor[] {null,
          a.requiresGrad() ? Reduce.sumToShape(g.mul(m), a.shape()) : null,
          b.requiresGrad() ? Reduce.sumToShape(g.mul(m.rsub(1f)), b.shape()) : null};
    }, cond, a, b);
  }

  static Tensor maskedFill(Tensor a, Tensor mask, float value) {
    requireFloat(a, "maskedFill");
    Tensor m = mask.toFloat();
    int[] os = Shape.broadcast(a.shape(), m.shape());
    if (!java.util.Arrays.equals(os, a.shape())) {
      throw new ShapeException("maskedFill: mask of shape " + Shape.str(m.shape())
          + " does not broadcast to the tensor's shape " + Shape.str(a.shape()));
    }
    float[] x = a.data(), md = m.data();
    float[] o = new float[x.length];
    int[][] strides = {Shape.strides(os), Shape.broadcastStrides(m.shape(), os)};
    Broadcast.forEachRun(os, strides, (oo, offs, st, n) -> {
      for (int i = 0; i < n; i++) o[oo + i] = md[offs[1] + i * st[1]] != 0 ? value : x[offs[0] + i];
    });
    Tensor out = Tensor.of(o, os);
    return Autograd.record("maskedFill", out, g -> {
      float[] gd = g.data();
      float[] d = new float[gd.length];
      Broadcast.forEachRun(os, strides, (oo, offs, st, n) -> {
        for (int i = 0; i < n; i++) d[oo + i] = md[offs[1] + i * st[1]] != 0 ? 0f : gd[oo + i];
      });
      return new Tensor[] {Tensor.of(d, os)};
    }, a);
  }
}
