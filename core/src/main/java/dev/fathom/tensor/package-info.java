/**
 * Stage 2 of the data's path: {@link dev.fathom.tensor.Tensor}, the n-d array, and its
 * operations with broadcasting. Start with {@code Tensor} (the API), then the package-private
 * op files, each forward beside its one derivative rule: {@code Pointwise} (elementwise),
 * {@code Reduce} (sum/mean/var/max/softmax), {@code Views} (reshape, permute, cat, ...),
 * {@code Indexing} (gather, scatter), {@code Linalg} (matmul). {@code Broadcast} turns a
 * broadcast op into contiguous runs.
 *
 * <p>Tensors are row-major and contiguous; only reshape shares storage. Shape letters used in
 * javadoc: N or B batch, C channels, H/W height/width, T/S sequence lengths, D features,
 * H (in attention) heads.
 */
package dev.fathom.tensor;
