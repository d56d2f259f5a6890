/**
 * Language models: the Llama family (Llama, Qwen2, Mistral variants) with Hugging Face config and
 * checkpoint layouts. Subpackages: {@code tokenizer} (byte and byte-level BPE tokenizers,
 * {@code tokenizer.json}), {@code generate} (KV-cache inference and sampling), {@code train}
 * (next-token training), {@code lora} (low-rank adapters in the PEFT layout).
 */
package dev.fathom.llm;
