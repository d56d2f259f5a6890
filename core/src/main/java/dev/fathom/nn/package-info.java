/**
 * Stage 4: layers. {@link dev.fathom.nn.Module} (parameters, buffers and children registered by
 * name, dotted state-dict keys as PyTorch, hooks, train/eval), layers whose {@code forward} calls
 * the functional API {@link dev.fathom.nn.F}, initializers in {@link dev.fathom.nn.Init}.
 * Convolution and pooling live in {@code ConvOps}, fused batch norm in {@code NormOps}.
 */
package dev.fathom.nn;
