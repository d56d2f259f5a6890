/**
 * Model compression. So far: post-training quantization of Llama-family models by rounding to
 * nearest ({@link dev.fathom.compress.PostTrainingQuantizer}) into the formats of
 * {@code dev.fathom.quant}, and the per-tensor 4-bit baseline the block formats are measured
 * against ({@link dev.fathom.compress.PerTensorBaseline}). Quantized models are saved with
 * {@code dev.fathom.llm.QuantizedCheckpoint} and load everywhere a float model does.
 */
package dev.fathom.compress;
