package dev.fathom.xai;

/**
 * Nodes and weights for ∫₀¹ g(α) dα ≈ Σ w_k g(α_k), the path integral of integrated gradients.
 * Gauss–Legendre is exact for polynomials of degree 2n−1 and converges far faster than a
 * Riemann sum on smooth stretches of the path; the trapezoid rule is the original paper's choice.
 *
 * @param alphas the nodes α_k in [0, 1]
 * @param weights the weights w_k, summing to 1
 */
public record Quadrature(double[] alphas, double[] weights) {
  public Quadrature {
    if (alphas.length == 0 || alphas.length != weights.length) {
      throw new IllegalArgumentException("quadrature: need as many weights as nodes (at least one), got " + alphas.length + " nodes and "
          + weights.length + " weights");
    }
  }

  /** The rule named "gauss-legendre", "trapezoid", "left" or "right" with {@code n} nodes. */
  public static Quadrature named(String rule, int n) {
    return switch (rule) {
      case "gauss-legendre" -> gaussLegendre(n);
      case "trapezoid" -> trapezoid(n);
      case "left", "right", "middle" -> riemann(rule, n);
      default -> throw new IllegalArgumentException("quadrature must be gauss-legendre, trapezoid, left, right or middle, got '" + rule + "'");
    };
  }

  /** n-point Gauss–Legendre on [0, 1]: nodes are the roots of P_n, found by Newton's method. */
  public static Quadrature gaussLegendre(int n) {
    checkNodes(n, 1);
    double[] a = new double[n], w = new double[n];
    for (int i = 0; i < n; i++) {
      double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
      for (int iter = 0; iter < 100; iter++) {
        double dx = legendre(n, x)[0] / legendreSlope(n, x);
        x -= dx;
        if (Math.abs(dx) < 1e-15) break;
      }
      double dp = legendreSlope(n, x);
      a[n - 1 - i] = (x + 1) / 2;
      w[n - 1 - i] = 1 / ((1 - x * x) * dp * dp);
    }
    return new Quadrature(a, w);
  }

  /** {P_n(x), P_{n-1}(x)} by the three-term recurrence. */
  private static double[] legendre(int n, double x) {
    double p0 = 1, p1 = x;
    for (int k = 2; k <= n; k++) {
      double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    return new double[] {p1, p0};
  }

  /** P_n'(x) = n (x P_n − P_{n−1}) / (x² − 1). */
  private static double legendreSlope(int n, double x) {
    double[] p = legendre(n, x);
    return n * (x * p[0] - p[1]) / (x * x - 1);
  }

  /** The trapezoid rule on n ≥ 2 equally spaced nodes including both ends. */
  public static Quadrature trapezoid(int n) {
    checkNodes(n, 2);
    double[] a = new double[n], w = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = (double) i / (n - 1);
      w[i] = (i == 0 || i == n - 1 ? 0.5 : 1.0) / (n - 1);
    }
    return new Quadrature(a, w);
  }

  /** Left, right or middle Riemann sums on n equal intervals. */
  public static Quadrature riemann(String side, int n) {
    checkNodes(n, 1);
    double shift = switch (side) {
      case "left" -> 0;
      case "right" -> 1;
      default -> 0.5;
    };
    double[] a = new double[n], w = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = (i + shift) / n;
      w[i] = 1.0 / n;
    }
    return new Quadrature(a, w);
  }

  private static void checkNodes(int n, int min) {
    if (n < min || n > 100_000) throw new IllegalArgumentException("quadrature: steps must be in [" + min + ", 100000], got " + n);
  }
}
