package dev.fathom.insight.sensitivity;

/** The dictator f(x) = x₁: only the first position matters, so as_n = 1 at every length. */
public record FirstBit(int length) implements BooleanTask {
  public FirstBit {
    BooleanTask.checkLength("first", length);
  }

  @Override
  public String name() {
    return "first";
  }

  @Override
  public int apply(long bits) {
    return (int) (bits & 1);
  }

  @Override
  public double averageSensitivity() {
    return 1;
  }
}
