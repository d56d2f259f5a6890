package dev.fathom.vision.models;

/**
 * How a {@link Vit} drops or merges tokens on the way through its blocks (none by default).
 *
 * <p>Pruning (top-k by class-token attention, as EViT, Liang et al. 2022): in block
 * {@code pruneLayer}, right after its attention, only the class token and the
 * {@code max(1, round(keepRatio·(T−1)))} patch tokens that the class token attends to most
 * (attention averaged over heads) go on; that block's MLP and all later blocks see only them.
 *
 * <p>Merging (ToMe, Bolya et al. 2023, "Token Merging: Your ViT but Faster"): in every block,
 * after attention, bipartite soft matching merges {@code mergePerLayer} tokens into their most
 * similar partners (cosine similarity of the keys averaged over heads), as size-weighted
 * averages; the class token is never merged. With {@code proportionalAttention} each key's
 * attention logit gets + log(size), so a merged token counts as the tokens it stands for.
 *
 * @param keepRatio fraction of patch tokens kept at pruneLayer, in (0, 1]; 1 = no pruning
 * @param pruneLayer the block (0-based) whose attention decides what to keep
 * @param mergePerLayer tokens merged away per block (r); 0 = no merging
 * @param proportionalAttention add log(size) to the attention logits of merged tokens
 */
public record TokenReduction(double keepRatio, int pruneLayer, int mergePerLayer, boolean proportionalAttention) {
  public TokenReduction {
    if (!(keepRatio > 0 && keepRatio <= 1)) throw new IllegalArgumentException("TokenReduction: keepRatio must be in (0, 1], got " + keepRatio);
    if (pruneLayer < 0) throw new IllegalArgumentException("TokenReduction: pruneLayer must be >= 0, got " + pruneLayer);
    if (mergePerLayer < 0) throw new IllegalArgumentException("TokenReduction: mergePerLayer must be >= 0, got " + mergePerLayer);
  }

  /** Every token through every block. */
  public static TokenReduction none() {
    return new TokenReduction(1, 0, 0, false);
  }

  /** Keep the top keepRatio of the patch tokens by class-token attention after block {@code layer}. */
  public static TokenReduction prune(double keepRatio, int layer) {
    return new TokenReduction(keepRatio, layer, 0, false);
  }

  /** ToMe: merge r tokens in every block. */
  public static TokenReduction merge(int r, boolean proportionalAttention) {
    return new TokenReduction(1, 0, r, proportionalAttention);
  }

  public boolean prunes() {
    return keepRatio < 1;
  }

  public boolean merges() {
    return mergePerLayer > 0;
  }

  public boolean isNone() {
    return !prunes() && !merges();
  }

  /** Patch tokens pruning keeps out of {@code patches}: max(1, round(keepRatio · patches)). */
  public int keptPatches(int patches) {
    return Math.max(1, (int) Math.round(keepRatio * patches));
  }

  /** Tokens merging removes from t tokens (class token first, protected): min(r, (t − 1) / 2). */
  public int merged(int t) {
    return Math.min(mergePerLayer, (t - 1) / 2);
  }
}
