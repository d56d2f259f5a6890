/**
 * Quantized storage formats for weight matrices and the matrix-vector products that run on them.
 * Start with {@link dev.fathom.quant.QuantFormat} (the layouts: llama.cpp's Q8_0 and Q4_0 blocks,
 * int8 per output channel, 4-bit groups of 128 with zero points) and
 * {@link dev.fathom.quant.QuantizedMatrix} (a matrix in one of them: round-to-nearest
 * quantization, dequantization, the packed bytes a checkpoint stores, and y = W·x straight from
 * the quantized data through {@code dev.fathom.kernel.QuantKernels}). W8A8 products (int8 weights ×
 * activations quantized per token, {@link dev.fathom.quant.Int8Activations}, with optional float
 * outlier columns) are {@link dev.fathom.quant.W8A8Matrix}, on {@code dev.fathom.kernel.Int8Kernels}.
 *
 * <p>Shapes: a weight W is (out, in) row-major, as {@code nn.Linear} stores it; blocks and groups
 * run along the input dimension, so every format needs in-features that are a multiple of its
 * block size.
 */
package dev.fathom.quant;
