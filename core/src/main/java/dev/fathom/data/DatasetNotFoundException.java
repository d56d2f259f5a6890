package dev.fathom.data;

import java.io.IOException;
import java.util.List;

/**
 * A data set is in none of the places searched and could not be downloaded. Checked, like the
 * other I/O failures of the readers; the message names every place tried, why each failed, and
 * how to install the data.
 */
public class DatasetNotFoundException extends IOException {
  private final List<String> tried;

  /**
   * Creates the exception.
   *
   * @param message the full message, naming every place tried and how to install the data
   * @param tried one entry per place tried (a directory or a download URL) with the reason it
   *     failed, in the order tried
   */
  public DatasetNotFoundException(String message, List<String> tried) {
    super(message);
    this.tried = List.copyOf(tried);
  }

  /**
   * The places tried, in order, each with the reason it failed.
   *
   * @return e.g. {@code "/usr/share/datasets/fashion-mnist: no such directory"}
   */
  public List<String> tried() {
    return tried;
  }
}
