/**
 * What the data and the training did: data valuation (how much each training example is worth
 * to the model), and later learning dynamics and sensitivity probes.
 *
 * <p>Start with {@link dev.fathom.insight.KnnShapley}: exact Shapley values of every training
 * example for a K-nearest-neighbour classifier, in O(N log N) per test point.
 */
package dev.fathom.insight;
