package dev.fathom.train;

/**
 * Classification metrics over a dataset.
 *
 * @param confusion confusion[true][predicted] counts
 */
public record EvalResult(double loss, double accuracy, int examples, long[][] confusion) {}
