package dev.fathom.nn;

import java.util.List;

/** What {@link Module#loadStateDict} could not match: keys the module has but the dict lacks, and the reverse. */
public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
  public LoadResult {
    missingKeys = List.copyOf(missingKeys);
    unexpectedKeys = List.copyOf(unexpectedKeys);
  }

  /** True when every key matched. */
  public boolean isClean() {
    return missingKeys.isEmpty() && unexpectedKeys.isEmpty();
  }
}
