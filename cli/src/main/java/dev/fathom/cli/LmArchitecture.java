package dev.fathom.cli;

import dev.fathom.llm.AttentionType;
import dev.fathom.llm.LlamaConfig;

/** The {@code --attention} and {@code --conv-kernel} options of {@code lm train}, applied to a preset's config. */
final class LmArchitecture {
  private LmArchitecture() {}

  /**
   * @param attention full, linear, or block_sparse[:SIZE,LOCAL,GLOBAL,RANDOM]
   * @param convKernel the q/k/v convolution width, or null for none
   * @throws CliException for an unknown type, a malformed pattern, or values the config rejects
   */
  static LlamaConfig apply(LlamaConfig c, String attention, Integer convKernel) {
    String name = attention.contains(":") ? attention.substring(0, attention.indexOf(':')) : attention;
    try {
      AttentionType type = AttentionType.parse(name.replace('-', '_'));
      LlamaConfig out = c.withAttention(type, convKernel);
      if (!attention.contains(":")) return out;
      if (type != AttentionType.BLOCK_SPARSE) {
        throw new CliException("--attention: only block_sparse takes a pattern (SIZE,LOCAL,GLOBAL,RANDOM), got '" + attention + "'");
      }
      String[] parts = attention.substring(attention.indexOf(':') + 1).split(",", -1);
      if (parts.length != 4) {
        throw new CliException("--attention: expected block_sparse:SIZE,LOCAL,GLOBAL,RANDOM (4 integers), got '" + attention + "'");
      }
      int[] v = new int[4];
      for (int i = 0; i < 4; i++) {
        try {
          v[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new CliException("--attention: expected block_sparse:SIZE,LOCAL,GLOBAL,RANDOM (4 integers), got '" + attention + "'");
        }
      }
      return out.withBlockSparse(v[0], v[1], v[2], v[3]);
    } catch (IllegalArgumentException e) {
      throw new CliException("--attention/--conv-kernel: " + e.getMessage());
    }
  }
}
