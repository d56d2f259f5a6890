/**
 * Stage 3: the define-by-run graph. An op computes its output and calls
 * {@link dev.fathom.autograd.Autograd#record} with its derivative rule; {@code backward()} walks the
 * graph once in reverse topological order. {@link dev.fathom.autograd.Grad} is the no-grad scope,
 * {@link dev.fathom.autograd.Function} the public way to write a custom differentiable function.
 */
package dev.fathom.autograd;
