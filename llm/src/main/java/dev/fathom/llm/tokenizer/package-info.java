/**
 * Tokenizers: bytes and byte-level BPE (GPT-2 / Llama 3 style), read and written as Hugging Face
 * {@code tokenizer.json}.
 *
 * <p>Start with {@link dev.fathom.llm.tokenizer.Tokenizer} (the contract),
 * {@link dev.fathom.llm.tokenizer.Tokenizers} (load a {@code tokenizer.json}, or make a byte
 * tokenizer) and {@link dev.fathom.llm.tokenizer.BpeTrainer} (train a byte-level BPE on a corpus).
 * {@link dev.fathom.llm.tokenizer.BpeTokenizer} is the one implementation: a byte tokenizer is a
 * BPE with no merges whose ids 0..255 are the bytes themselves.
 *
 * <p>Words used here: a <em>piece</em> (pre-token) is what the pre-tokenizer regex cuts from the
 * text; a <em>symbol</em> is a token id inside a piece while merges are applied; an <em>added
 * token</em> (special token) is matched verbatim in {@code encodeWithSpecials} and never merged.
 */
package dev.fathom.llm.tokenizer;
