package dev.fathom.quant;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The grid a group of weights is rounded to: how a group's step (scale and zero point) is chosen
 * from its values ({@link #fit}), the integer code of a value ({@link #code}) and the value a code
 * stands for ({@link #value}). Each {@link QuantFormat} has one ({@link #of}); round to nearest,
 * GPTQ and AWQ all round through these, so what GPTQ rounds to is exactly what a format stores
 * (scales rounded to fp16 where the format stores fp16, before any value is rounded).
 *
 * <p>A group is {@link #groupSize} consecutive weights of one row (along the input); int8's
 * group is the whole row. {@link #INT3_G32} is a grid with no packed format: asymmetric 3-bit
 * groups of 32 (fp16 scale, zero point in [0, 7]), used to compare methods at 3 bits with the
 * values saved as float32 ("fake quantization"). {@link #asymmetric} makes the same kind of grid at
 * any width from 2 to 8 bits and any group size ({@code int2g16}, {@code int3g16}, ...): also no
 * packed format, for quantization-aware training and for models whose in-features no format's
 * block divides.
 */
public final class GroupGrid {
  /** The step of one group: x̂ = scale·(code − zero). */
  public record Step(float scale, int zero) {}

  private enum Rule { SYMMETRIC, Q4_0, ASYMMETRIC }

  /** Asymmetric 3-bit groups of 32 along the input: s = (max − min)/7 (fp16), z in [0, 7]; no packed format. */
  public static final GroupGrid INT3_G32 = new GroupGrid("int3g32", null, Rule.ASYMMETRIC, 32, 7, true);

  private static final Pattern ASYMMETRIC_NAME = Pattern.compile("int([2-8])g([1-9][0-9]{0,5})", Pattern.CASE_INSENSITIVE);
  private static final List<GroupGrid> FORMATS = Arrays.stream(QuantFormat.values()).map(GroupGrid::forFormat).toList();

  private final String id;
  private final QuantFormat format;
  private final Rule rule;
  private final int groupSize;  // 0: the whole row
  private final int qmax;
  private final boolean fp16;

  private GroupGrid(String id, QuantFormat format, Rule rule, int groupSize, int qmax, boolean fp16) {
    this.id = id;
    this.format = format;
    this.rule = rule;
    this.groupSize = groupSize;
    this.qmax = qmax;
    this.fp16 = fp16;
  }

  private static GroupGrid forFormat(QuantFormat f) {
    return switch (f) {
      case Q8_0 -> new GroupGrid(f.id(), f, Rule.SYMMETRIC, 32, 127, true);
      case Q4_0 -> new GroupGrid(f.id(), f, Rule.Q4_0, 32, 15, true);
      case INT8 -> new GroupGrid(f.id(), f, Rule.SYMMETRIC, 0, 127, false);
      case INT4_G128 -> new GroupGrid(f.id(), f, Rule.ASYMMETRIC, 128, 15, true);
    };
  }

  /** The grid a format stores. */
  public static GroupGrid of(QuantFormat f) {
    return FORMATS.get(f.ordinal());
  }

  /**
   * An asymmetric grid of {@code bits} bits in groups of {@code groupSize} along the input, kept as
   * float values (no packed format): s = (max − min)/(2^bits − 1) rounded to fp16 with 0 inside
   * [min, max], z = round(−min/s), x̂ = s·(q − z). {@code asymmetric(3, 32)} is {@link #INT3_G32}.
   *
   * @throws IllegalArgumentException for bits outside [2, 8] or a group size below 1
   */
  public static GroupGrid asymmetric(int bits, int groupSize) {
    if (bits < 2 || bits > 8) throw new IllegalArgumentException("asymmetric grid: expected 2 to 8 bits, got " + bits);
    if (groupSize < 1) throw new IllegalArgumentException("asymmetric grid: expected a group size of at least 1, got " + groupSize);
    if (bits == 3 && groupSize == 32) return INT3_G32;
    return new GroupGrid("int" + bits + "g" + groupSize, null, Rule.ASYMMETRIC, groupSize, (1 << bits) - 1, true);
  }

  /**
   * The grid named {@code name}: a format's id, or {@code int<b>g<n>} for an {@link #asymmetric}
   * grid of b bits (2 to 8) in groups of n (case-insensitive; int4g128 is the packed format's).
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the known ones
   */
  public static GroupGrid parse(String name) {
    for (GroupGrid g : FORMATS) if (g.id.equalsIgnoreCase(name)) return g;
    Matcher m = name == null ? null : ASYMMETRIC_NAME.matcher(name);
    if (m != null && m.matches()) return asymmetric(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    throw new IllegalArgumentException("unknown quantization grid '" + name + "': expected one of " + knownNames());
  }

  /** The names {@link #parse} accepts. */
  public static String knownNames() {
    return FORMATS.stream().map(GroupGrid::id).collect(Collectors.joining(", ")) + ", " + INT3_G32.id
        + " or any int<bits>g<group> (bits 2 to 8, kept as float values)";
  }

  public String id() {
    return id;
  }

  /** The packed format storing this grid, or null for a grid kept as float values (int3g32). */
  public QuantFormat format() {
    return format;
  }

  /** Weights per full group in a row of {@code cols}: the group size, or {@code cols} for a per-row scale. */
  public int groupSize(int cols) {
    return groupSize == 0 ? cols : groupSize;
  }

  /**
   * Groups per row of {@code cols}: ⌈cols / groupSize⌉. When the group size does not divide cols,
   * the last group of each row is short and holds the remainder (1376 = 10·128 + 96: ten groups of
   * 128 and one of 96), as GPTQ's reference code tolerates; it gets its own step, fitted from its
   * own values like any other group.
   */
  public int groups(int cols) {
    int g = groupSize(cols);
    return (cols + g - 1) / g;
  }

  /** Weights in group {@code b} of a row of {@code cols}: the group size, less for a short last group. */
  public int groupLength(int cols, int b) {
    int g = groupSize(cols);
    return Math.min(g, cols - b * g);
  }

  /**
   * Checks that this grid can round rows of {@code cols}: any positive cols for the asymmetric grids
   * (int4g128 and the float-kept int&lt;b&gt;g&lt;n&gt;: a short last group takes the remainder) and
   * int8; a multiple of 32 for the llama.cpp-compatible q8_0 and q4_0, whose blocks have no short form.
   *
   * @throws IllegalArgumentException if not, naming the group size and the columns
   */
  public void checkColumns(int cols) {
    if (format != null) {
      format.checkShape(1, cols);
    } else if (cols < 1) {
      throw new IllegalArgumentException(id + ": expected positive in-features, got " + cols);
    }
  }

  /**
   * Rounds each group of each row of W (rows, cols) to nearest with a step fitted from its own
   * values ({@link #fit}), the short last group included.
   *
   * @param codes receives the codes (rows, cols) row-major
   * @param steps receives one step per group, row by row ({@link #groups} per row)
   */
  public void roundToNearest(float[] w, int off, int rows, int cols, int[] codes, Step[] steps) {
    int g = groupSize(cols), perRow = groups(cols);
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < perRow; b++) {
        int at = r * cols + b * g, n = Math.min(g, cols - b * g);
        Step st = fit(w, off + at, n);
        steps[r * perRow + b] = st;
        for (int i = 0; i < n; i++) codes[at + i] = code(w[off + at + i], st);
      }
    }
  }

  /**
   * The step of the group {@code w[off..off + n)}:
   * symmetric (q8_0, int8) s = max|x|/qmax; q4_0 d = m/−8 for the value m of largest magnitude;
   * asymmetric (int4g128, int3g32) s = (max − min)/qmax with 0 inside [min, max], z = round(−min/s).
   * Scales the format stores as fp16 are rounded to fp16 here.
   */
  public Step fit(float[] w, int off, int n) {
    return fit(w, off, n, 1f);
  }

  /**
   * As {@link #fit}, with the group's range shrunk by {@code ratio} in (0, 1] before the step is
   * chosen (AWQ's weight clipping): the largest magnitudes then clamp to the grid's ends while the
   * rest get a finer step.
   *
   * @throws IllegalArgumentException if ratio is not in (0, 1]
   */
  public Step fit(float[] w, int off, int n, float ratio) {
    if (!(ratio > 0f && ratio <= 1f)) throw new IllegalArgumentException(id + ": clipping ratio must be in (0, 1], got " + ratio);
    return switch (rule) {
      case SYMMETRIC -> {
        float amax = 0f;
        for (int i = 0; i < n; i++) amax = Math.max(amax, Math.abs(w[off + i]));
        float s = amax * ratio / qmax;
        yield new Step(fp16 ? Float.float16ToFloat(Float.floatToFloat16(s)) : s, 0);
      }
      case Q4_0 -> {
        float amax = 0f, m = 0f;
        for (int i = 0; i < n; i++) {
          float v = w[off + i];
          if (Math.abs(v) > amax) {
            amax = Math.abs(v);
            m = v;
          }
        }
        yield new Step(Float.float16ToFloat(Float.floatToFloat16(m * ratio / -8f)), 8);
      }
      case ASYMMETRIC -> {
        float min = 0f, max = 0f;
        for (int i = 0; i < n; i++) {
          min = Math.min(min, w[off + i]);
          max = Math.max(max, w[off + i]);
        }
        min *= ratio;
        max *= ratio;
        float s = Float.float16ToFloat(Float.floatToFloat16((max - min) / qmax));
        if (s == 0f) s = 1f;  // an all-zero group: any scale, every code = zero = 0
        yield new Step(s, Math.clamp(Math.round(-min * (1f / s)), 0, qmax));
      }
    };
  }

  /** The code of {@code x} in a group with step {@code st}: nearest grid point, clamped to the grid's ends. */
  public int code(float x, Step st) {
    float s = st.scale(), inv = s != 0f ? 1f / s : 0f;
    return switch (rule) {
      case SYMMETRIC -> Math.clamp(Math.round(x * inv), -qmax, qmax);
      case Q4_0 -> Math.clamp((int) Math.floor(x * inv + 8.5f), 0, 15);  // llama.cpp's rounding
      case ASYMMETRIC -> Math.clamp(Math.round(x * inv) + st.zero(), 0, qmax);
    };
  }

  /** The smallest code of the grid (−qmax for the symmetric rules, 0 otherwise). */
  public int minCode() {
    return rule == Rule.SYMMETRIC ? -qmax : 0;
  }

  /** The largest code of the grid. */
  public int maxCode() {
    return qmax;
  }

  /** The value code {@code q} stands for: scale·(q − zero), computed as the dequantization kernels do. */
  public float value(int q, Step st) {
    return st.scale() * (q - st.zero());
  }

  /** {@link #value}({@link #code}(x)): x rounded onto the group's grid. */
  public float round(float x, Step st) {
    return value(code(x, st), st);
  }

  @Override
  public String toString() {
    return id;
  }
}
