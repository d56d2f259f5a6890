package dev.fathom.nn;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** A lookup table: ids (...) → vectors (..., embeddingDim); weight initialized N(0, 1) as PyTorch. */
public class Embedding extends Module {
  public final int numEmbeddings, embeddingDim;
  public final Tensor weight;

  public Embedding(int numEmbeddings, int embeddingDim, Rng rng) {
    if (numEmbeddings <= 0 || embeddingDim <= 0) {
      throw new IllegalArgumentException("Embedding: sizes must be positive, got " + numEmbeddings + " x " + embeddingDim);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = param("weight", Init.normal(Tensor.zeros(numEmbeddings, embeddingDim), 0, 1, rng));
  }

  @Override
  public Tensor forward(Tensor ids) {
    return F.embedding(ids, weight);
  }

  @Override
  protected String extraRepr() {
    return numEmbeddings + ", " + embeddingDim;
  }
}
