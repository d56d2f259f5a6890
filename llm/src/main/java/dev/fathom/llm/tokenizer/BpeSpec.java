package dev.fathom.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.BitSet;
import java.util.List;

/**
 * Everything a byte-level BPE tokenizer is made of, as read from or written to
 * {@code tokenizer.json}. Validated by {@link BpeTokenizer}'s constructor.
 *
 * @param tokens content of each id: the byte-level spelling for model-vocabulary entries, the
 *     literal text for added tokens that are not in the model vocabulary
 * @param inModelVocab which ids belong to {@code model.vocab} (the others are added tokens only)
 * @param mergeLeft left id of each merge, by rank
 * @param mergeRight right id of each merge, by rank
 * @param added the added tokens, each also present in {@code tokens} under its id
 * @param preTokenizer how text is cut before merging
 * @param nfc whether text is NFC-normalized first ({@code normalizer: {"type": "NFC"}})
 * @param ignoreMerges emit a whole piece as one token when the vocabulary has it (Llama 3)
 * @param unkToken {@code model.unk_token}, kept for the file (a byte-level BPE never needs it)
 * @param fuseUnk {@code model.fuse_unk}, kept for the file
 * @param byteFallback {@code model.byte_fallback}, kept for the file
 * @param truncation {@code truncation}, kept verbatim (may be null)
 * @param padding {@code padding}, kept verbatim (may be null)
 * @param postProcessor {@code post_processor}, kept verbatim and not applied (may be null)
 */
record BpeSpec(
    String[] tokens,
    BitSet inModelVocab,
    int[] mergeLeft,
    int[] mergeRight,
    List<AddedToken> added,
    PreTokenizer preTokenizer,
    boolean nfc,
    boolean ignoreMerges,
    String unkToken,
    boolean fuseUnk,
    boolean byteFallback,
    JsonNode truncation,
    JsonNode padding,
    JsonNode postProcessor) {

  BpeSpec {
    if (mergeLeft.length != mergeRight.length) {
      throw new IllegalArgumentException(
          "merges: " + mergeLeft.length + " left ids but " + mergeRight.length + " right ids");
    }
    added = List.copyOf(added);
  }
}
