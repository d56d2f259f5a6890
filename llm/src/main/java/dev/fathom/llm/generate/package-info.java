/**
 * Fast text generation for Llama-family models: an inference engine that runs a
 * {@link dev.fathom.llm.LlamaForCausalLM}'s weights without autograd, with a preallocated
 * key/value cache, and the sampling loop on top of it.
 *
 * <p>Start reading at {@link dev.fathom.llm.generate.Generator} (prompts in, tokens out, streamed
 * to a {@link dev.fathom.llm.generate.TokenListener}) and {@link dev.fathom.llm.generate.SamplingParams}
 * (Hugging Face's greedy / temperature / top-k / top-p / min-p / repetition penalty semantics).
 * {@link dev.fathom.llm.generate.InferenceSession} is the engine: {@code prefill} of a prompt
 * (GEMMs over all its tokens) and {@code decode} of one token per sequence (matrix-vector
 * kernels in one parallel region per step).
 *
 * <p>Shape letters: B sequences (cache slots), T tokens of a prompt, S cache positions
 * (max_seq), D hidden size, H query heads, Hkv key/value heads, Dh head size, F intermediate
 * size, V vocabulary.
 */
package dev.fathom.llm.generate;
