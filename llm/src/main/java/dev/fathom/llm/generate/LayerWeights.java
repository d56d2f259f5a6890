package dev.fathom.llm.generate;

/**
 * The weights of one decoder layer, shared with the model's parameters (not copied): norms and
 * biases as float arrays (a bias is null when the config has none), the projections as
 * {@link Projection}s (float or quantized).
 */
record LayerWeights(
    float[] inputNorm, float[] postNorm,
    Projection wq, float[] bq, Projection wk, float[] bk, Projection wv, float[] bv, Projection wo, float[] bo,
    Projection wGate, float[] bGate, Projection wUp, float[] bUp, Projection wDown, float[] bDown) {}
