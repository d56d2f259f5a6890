/**
 * Model compression of Llama-family models. Quantization: {@link dev.fathom.compress.PostTrainingQuantizer}
 * rounds the decoder projections onto a {@code dev.fathom.quant.GroupGrid} by round to nearest,
 * {@link dev.fathom.compress.Gptq} or {@link dev.fathom.compress.Awq}; the per-tensor 4-bit baseline
 * is {@link dev.fathom.compress.PerTensorBaseline}. W8A8 (int8 weights × int8 activations per token):
 * {@link dev.fathom.compress.W8A8Quantizer} (plain, {@link dev.fathom.compress.SmoothQuant}, LLM.int8
 * float outlier columns); {@link dev.fathom.compress.OutlierInjection} gives a float model large
 * activation channels without changing its function, to test them. Pruning: {@link dev.fathom.compress.Pruner}
 * (magnitude, Wanda, SparseGPT; unstructured or n:m) over {@link dev.fathom.compress.LayerPruning};
 * structured pruning that shrinks the matrices: {@link dev.fathom.compress.LlamaStructuredPruner} (MLP
 * neurons, attention heads) and {@link dev.fathom.compress.ChannelPruner} (CNN conv channels).
 * The calibrated methods run layer by layer ({@link dev.fathom.compress.LayerwiseCalibration}) on
 * statistics of each projection's inputs ({@link dev.fathom.compress.LinearStats}); GPTQ and
 * SparseGPT share one column sweep ({@link dev.fathom.compress.ObsSweep}). Quantized models are saved
 * with {@code dev.fathom.llm.QuantizedCheckpoint}, pruned ones as ordinary float checkpoints.
 */
package dev.fathom.compress;
