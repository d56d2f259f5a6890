package dev.fathom.llm.generate;

/** Why a sequence stopped growing. */
public enum StopReason {
  /** It produced one of the stop token ids (kept as its last token). */
  STOP_TOKEN,
  /** Its decoded output came to contain a stop string. */
  STOP_STRING,
  /** It produced max_new_tokens tokens. */
  MAX_NEW_TOKENS,
  /** Prompt plus output reached the context limit (max_position_embeddings). */
  CONTEXT_LIMIT
}
