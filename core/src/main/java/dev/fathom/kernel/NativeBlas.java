package dev.fathom.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Optional native SGEMM: {@code cblas_sgemm} of a system BLAS (OpenBLAS), bound with the
 * Foreign Function &amp; Memory API. {@link Gemm} routes its calls here only when the system
 * property {@code fathom.gemm=native} (or the environment variable {@code FATHOM_GEMM=native})
 * is set and the library was found; pure Java stays the default.
 *
 * <p>The library is the first of: the system property {@code fathom.blas.library} (a file name
 * or path), {@code /usr/lib/x86_64-linux-gnu/libopenblas.so.0}, {@code libopenblas.so.0},
 * {@code libcblas.so.3}, {@code libblas.so.3} that opens and exports {@code cblas_sgemm} (with
 * 32-bit integers, the LP64 interface). Failing to find or bind it never throws: {@link
 * #available()} is false and {@link #reason()} says why.
 *
 * <p>Threads: OpenBLAS sizes its own thread pool when the library loads, from
 * {@code OPENBLAS_NUM_THREADS} (or {@code OMP_NUM_THREADS}), default all cores; Fathom cannot
 * change it afterwards and does not use its {@link Parallel} pool for native calls. Set the
 * variable before the JVM starts; {@link #threads()} reports what OpenBLAS uses.
 */
public final class NativeBlas {

  /*
   * Heap arrays go to C without copying: the downcall is linked with Linker.Option.critical(true)
   * (JDK 22+), which lets a heap segment (MemorySegment.ofArray) be passed as a pointer. The cost
   * is that a critical call may hold up garbage collection (ParallelGC waits for it to return),
   * which is acceptable for a GEMM of a few milliseconds but worth knowing for huge products.
   * Native code does no bounds checks, so every entry point validates with GemmArgs first;
   * Gemm calls the unchecked twin after its own check.
   */
  static final int ROW_MAJOR = 101;
  static final int NO_TRANS = 111;
  static final int TRANS = 112;

  private static final String DEFAULT_PATH = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
  private static final String[] FALLBACKS = {
      DEFAULT_PATH, "libopenblas.so.0", "libcblas.so.3", "libblas.so.3"};

  /** The binding, made on first use so that merely loading Gemm never opens a library. */
  private static final class Lib {
    private static final MethodHandle SGEMM;
    private static final MethodHandle GET_THREADS;
    private static final String LIBRARY;
    private static final String REASON;

    static {
      MethodHandle sgemm = null, threads = null;
      String library = null;
      List<String> failures = new ArrayList<>();
      String fatal = null;
      try {
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor sig = FunctionDescriptor.ofVoid(
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, // order, tA, tB
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, // m, n, k
            ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, // alpha, A, lda
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, // B, ldb
            ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT); // beta, C, ldc
        for (String candidate : candidates()) {
          try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(candidate, Arena.global());
            Optional<MemorySegment> fn = lookup.find("cblas_sgemm");
            if (fn.isEmpty()) {
              failures.add(candidate + ": no symbol cblas_sgemm");
              continue;
            }
            sgemm = linker.downcallHandle(fn.get(), sig, Linker.Option.critical(true));
            threads = lookup.find("openblas_get_num_threads")
                .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
                .orElse(null);
            library = candidate;
            break;
          } catch (IllegalArgumentException e) {
            failures.add(candidate + ": cannot open");
          }
        }
      } catch (Throwable t) { // restricted-method denial, missing linker: never fail class init
        sgemm = null;
        threads = null;
        library = null;
        fatal = "cannot bind native functions: " + t.getClass().getSimpleName() + ": "
            + t.getMessage();
      }
      SGEMM = sgemm;
      GET_THREADS = threads;
      LIBRARY = library;
      REASON = sgemm != null ? "" : fatal != null ? fatal
          : "no BLAS with cblas_sgemm found (" + String.join("; ", failures) + ")";
    }

    private Lib() {}
  }

  private NativeBlas() {}

  static List<String> candidates() {
    List<String> list = new ArrayList<>();
    String prop = System.getProperty("fathom.blas.library", "").strip();
    if (!prop.isEmpty()) list.add(prop);
    for (String f : FALLBACKS) if (!list.contains(f)) list.add(f);
    return list;
  }

  /** Whether {@code cblas_sgemm} was found and bound. */
  public static boolean available() {
    return Lib.SGEMM != null;
  }

  /** The library that was bound (as named in the candidate list), or null when unavailable. */
  public static String library() {
    return Lib.LIBRARY;
  }

  /** Why the native backend is unavailable; empty when it is available. */
  public static String reason() {
    return Lib.REASON;
  }

  /** OpenBLAS's thread count ({@code openblas_get_num_threads}), or -1 when not OpenBLAS. */
  public static int threads() {
    if (Lib.GET_THREADS == null) return -1;
    try {
      return (int) Lib.GET_THREADS.invokeExact();
    } catch (Throwable t) {
      return -1;
    }
  }

  /**
   * Whether a {@code fathom.gemm} property or {@code FATHOM_GEMM} variable asks for the native
   * backend; the property wins over the variable when both are set.
   *
   * @param property the value of {@code fathom.gemm}, or null
   * @param env the value of {@code FATHOM_GEMM}, or null
   * @return true when the deciding value is {@code native} (any case)
   */
  static boolean requested(String property, String env) {
    String v = property != null && !property.isBlank() ? property : env;
    return v != null && "native".equals(v.strip().toLowerCase(Locale.ROOT));
  }

  /** Whether this JVM's property or environment asks for the native backend. */
  static boolean requested() {
    return requested(System.getProperty("fathom.gemm"), System.getenv("FATHOM_GEMM"));
  }

  /**
   * C = alpha * op(A) * op(B) + beta * C through {@code cblas_sgemm}, with exactly the
   * arguments, addressing and semantics of {@link Gemm#sgemm} (row-major, offsets, leading
   * dimensions; {@code beta == 0} overwrites C, NaNs included; {@code alpha == 0} or
   * {@code k == 0} do not read A and B).
   *
   * @throws IllegalStateException when the library is unavailable (see {@link #reason()})
   * @throws IllegalArgumentException on arguments {@link Gemm#sgemm} rejects
   * @throws NullPointerException when an array is null
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (!available()) throw new IllegalStateException("native sgemm: " + Lib.REASON);
    GemmArgs.check("sgemm", transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
        beta, c, cOff, ldc);
  }

  /**
   * A batch of independent products through {@code cblas_sgemm}, one native call per entry, with
   * exactly the arguments and semantics of {@link Gemm#sgemmBatched} (a stride of 0 broadcasts
   * A or B).
   *
   * @throws IllegalStateException when the library is unavailable (see {@link #reason()})
   * @throws IllegalArgumentException on arguments {@link Gemm#sgemmBatched} rejects
   * @throws NullPointerException when an array is null
   */
  public static void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, long strideA, int lda, float[] b, int bOff, long strideB,
      int ldb, float beta, float[] c, int cOff, long strideC, int ldc) {
    if (!available()) throw new IllegalStateException("native sgemm: " + Lib.REASON);
    GemmArgs.checkBatched("sgemmBatched", batch, transA, transB, m, n, k, a, aOff, strideA, lda,
        b, bOff, strideB, ldb, c, cOff, strideC, ldc);
    sgemmBatchedUnchecked(batch, transA, transB, m, n, k, alpha, a, aOff, strideA, lda,
        b, bOff, strideB, ldb, beta, c, cOff, strideC, ldc);
  }

  /** {@link #sgemmBatched} for arguments already checked by {@link GemmArgs}. */
  static void sgemmBatchedUnchecked(int batch, boolean transA, boolean transB, int m, int n,
      int k, float alpha, float[] a, int aOff, long strideA, int lda, float[] b, int bOff,
      long strideB, int ldb, float beta, float[] c, int cOff, long strideC, int ldc) {
    for (int e = 0; e < batch; e++) { // OpenBLAS threads each entry itself
      sgemmUnchecked(transA, transB, m, n, k, alpha, a, (int) (aOff + e * strideA), lda,
          b, (int) (bOff + e * strideB), ldb, beta, c, (int) (cOff + e * strideC), ldc);
    }
  }

  /** {@link #sgemm} for arguments already checked by {@link GemmArgs}; library available. */
  static void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (m == 0 || n == 0) return;
    if (k == 0 || alpha == 0f) { // BLAS quick return; done here so A and B are never touched
      for (int i = 0; i < m; i++) {
        int o = cOff + i * ldc;
        for (int j = o; j < o + n; j++) c[j] = beta == 0f ? 0f : beta * c[j];
      }
      return;
    }
    MemorySegment as = MemorySegment.ofArray(a).asSlice((long) aOff * Float.BYTES);
    MemorySegment bs = MemorySegment.ofArray(b).asSlice((long) bOff * Float.BYTES);
    MemorySegment cs = MemorySegment.ofArray(c).asSlice((long) cOff * Float.BYTES);
    try {
      Lib.SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
          m, n, k, alpha, as, lda, bs, ldb, beta, cs, ldc);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("native sgemm failed", t);
    }
  }
}
