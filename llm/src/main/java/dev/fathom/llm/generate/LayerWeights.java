package dev.fathom.llm.generate;

/**
 * The arrays of one decoder layer, shared with the model's parameters (not copied). Linear
 * weights are row-major (out, in); a bias is null when the config has none.
 */
record LayerWeights(
    float[] inputNorm, float[] postNorm,
    float[] wq, float[] bq, float[] wk, float[] bk, float[] wv, float[] bv, float[] wo, float[] bo,
    float[] wGate, float[] bGate, float[] wUp, float[] bUp, float[] wDown, float[] bDown) {}
