package dev.fathom.llm.generate;

/**
 * The weights of one decoder layer, shared with the model's parameters (not copied): norms and
 * biases as float arrays (a bias is null when the config has none), the projections as
 * {@link Projection}s (float or quantized), and the depthwise q/k/v convolution kernels of a
 * hybrid layer as (channels, 1, K) arrays (null without one).
 */
record LayerWeights(
    float[] inputNorm, float[] postNorm,
    Projection wq, float[] bq, Projection wk, float[] bk, Projection wv, float[] bv, Projection wo, float[] bo,
    Projection wGate, float[] bGate, Projection wUp, float[] bUp, Projection wDown, float[] bDown,
    float[] qConv, float[] kConv, float[] vConv) {}
