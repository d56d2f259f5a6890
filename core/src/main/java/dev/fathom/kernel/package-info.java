/**
 * Raw compute on {@code float[]} + offsets + dims: no tensors, no graph. {@link dev.fathom.kernel.Gemm}
 * (packed, register-blocked SGEMM), {@link dev.fathom.kernel.Im2col}, {@link dev.fathom.kernel.Pool2d},
 * {@link dev.fathom.kernel.VecMath} (elementwise, softmax, fused cross-entropy), and
 * {@link dev.fathom.kernel.Optimizers} (fused Adam/SGD updates).
 * {@link dev.fathom.kernel.FlashAttention} (tiled exact attention: full, sliding-window, and block-sparse over a {@link dev.fathom.kernel.BlockSparseLayout}). Every Vector API kernel has a
 * scalar twin it is tested against; {@code -Dfathom.kernels=scalar} forces the twins.
 * {@link dev.fathom.kernel.Parallel} is the one shared pool, with static partitioning so results
 * are bitwise reproducible for a thread count.
 * {@link dev.fathom.kernel.CausalConv1dKernels}: depthwise causal convolution over time (B, T, C).
 *
 * <p>Determinism rule: only IEEE-exact lane operations (add, mul, fma, compare, blend, integer
 * ops) in kernels whose results must not depend on JIT timing; {@code VectorOperators.EXP},
 * {@code TANH} and float {@code reduceLanes(ADD)} give different bits interpreted and compiled.
 */
package dev.fathom.kernel;
