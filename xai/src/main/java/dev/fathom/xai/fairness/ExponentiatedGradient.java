package dev.fathom.xai.fairness;

import dev.fathom.tensor.Rng;
import dev.fathom.xai.Predictor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The exponentiated-gradient reduction for demographic parity (Agarwal, Beygelzimer, Dudík,
 * Langford and Wallach, "A Reductions Approach to Fair Classification", ICML 2018, Algorithm 1;
 * Fairlearn's {@code ExponentiatedGradient(constraints=DemographicParity())}). Fair
 * classification becomes a game between a randomized classifier Q and Lagrange multipliers
 * λ ∈ R^{2G}_{≥0}, ‖λ‖₁ ≤ B, with one pair of constraints per group a:
 *
 * <pre>
 *   γ_{a,+}(h) = SR_a(h) − SR(h) ≤ ε,   γ_{a,−}(h) = SR(h) − SR_a(h) ≤ ε
 *   L(Q, λ) = err(Q) + Σ_j λ_j (γ_j(Q) − ε)
 * </pre>
 *
 * Each round t:
 *
 * <pre>
 *   λ_t  = B · exp(θ_t) / (1 + Σ_j exp(θ_{t,j}))                        (exponentiated gradient)
 *   h_t  = argmin_h L(h, λ_t), a cost-sensitive classification:
 *          example i gets label z_i = 1[s_i &gt; 0] and weight |s_i|, with
 *          s_i = (2y_i − 1) + Σ_a λ̃_a − λ̃_{a_i} / p_{a_i},   λ̃_a = λ_{a,+} − λ_{a,−},  p_a = n_a / N
 *          (the gain in −N·L from deciding 1 rather than 0), solved by the {@link WeightedLearner}
 *   θ_{t+1} = θ_t + η (γ(h_t) − ε),  η = eta0 / B
 * </pre>
 *
 * The result is the paper's Q̂ = the uniform mixture of h_1..h_T: each decision is made by a
 * round's classifier drawn at random, so P(Ŷ=1 | x) = (1/T) Σ_t h_t(x). The loop stops early once
 * the duality gap of the averages (Q̂, λ̂),
 * ν_t = max(L(Q̂, λ_best(Q̂)) − L(Q̂, λ̂), L(Q̂, λ̂) − min_s L(h_s, λ̂)), is at most ν (the best
 * response is taken over the classifiers found so far, as Fairlearn caches them). Also kept:
 * the best single round, the h_t that minimizes max_λ L(h_t, λ) = err + B·max(0, max_j γ_j − ε),
 * for those who need a deterministic classifier.
 */
public final class ExponentiatedGradient {
  private final List<Predictor> classifiers;
  private final double[] roundError, roundDisparity;
  private final int best;
  private final double gap;

  private ExponentiatedGradient(List<Predictor> classifiers, double[] roundError, double[] roundDisparity, int best, double gap) {
    this.classifiers = List.copyOf(classifiers);
    this.roundError = roundError;
    this.roundDisparity = roundDisparity;
    this.best = best;
    this.gap = gap;
  }

  /**
   * Runs the reduction on training data.
   *
   * @param x (N, d) features
   * @param y (N) labels, 0 or 1 (1 = favorable)
   * @param groups the group of each example
   * @param config ε, rounds, step, stopping gap
   * @param learner the cost-sensitive learner each round trains
   * @param seed seeds the learners (round t uses a seed derived from seed and t)
   * @return the fitted mixture
   * @throws IllegalArgumentException if the lengths differ, a label is not 0/1, or fewer than two
   *     groups have examples
   */
  public static ExponentiatedGradient fit(double[][] x, int[] y, Groups groups, ExpGradConfig config, LearnerConfig learner, long seed) {
    groups.checkLength("features", x.length);
    groups.checkLength("y_true", y.length);
    int n = y.length, k = groups.count();
    double[] p = new double[k];
    for (int i = 0; i < n; i++) {
      if (y[i] != 0 && y[i] != 1) {
        throw new IllegalArgumentException("y_true of example " + i + " is " + y[i] + ", expected 0 or 1 (1 = favorable)");
      }
      p[groups.of(i)] += 1.0 / n;
    }
    if (Arrays.stream(p).filter(v -> v > 0).count() < 2) {
      throw new IllegalArgumentException("exponentiated gradient: expected at least 2 groups with training examples, got groups of sizes "
          + Arrays.toString(groups.sizes()));
    }
    double bound = config.bound(), eta = config.eta0() / bound, eps = config.eps();
    double[] theta = new double[2 * k], lambdaSum = new double[2 * k];
    List<Predictor> hs = new ArrayList<>();
    List<double[]> gammas = new ArrayList<>();
    List<Double> errors = new ArrayList<>();
    double errSum = 0;
    double[] gammaSum = new double[2 * k];
    double gap = Double.NaN;
    for (int t = 0; t < config.maxIter(); t++) {
      double[] lambda = multipliers(theta, bound);
      int[] z = new int[n];
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        double s = (2 * y[i] - 1) - adjustment(lambda, groups.of(i), p);
        z[i] = s > 0 ? 1 : 0;
        w[i] = Math.abs(s);
      }
      Predictor h = WeightedLearner.predictor(
          WeightedLearner.fit(x, z, w, learner, seed ^ (0x9E3779B97F4A7C15L * (t + 1))), x[0].length);
      double[] d = decisions(h, x);
      double err = error(d, y);
      double[] gamma = disparities(d, groups, p);
      hs.add(h);
      errors.add(err);
      gammas.add(gamma);
      errSum += err;
      for (int j = 0; j < 2 * k; j++) {
        theta[j] += eta * (gamma[j] - eps);
        gammaSum[j] += gamma[j];
        lambdaSum[j] += lambda[j];
      }
      int rounds = t + 1;
      double qErr = errSum / rounds;
      double[] qGamma = scale(gammaSum, 1.0 / rounds), lambdaHat = scale(lambdaSum, 1.0 / rounds);
      double lHat = lagrangian(qErr, qGamma, lambdaHat, eps);
      double bestResponse = Double.POSITIVE_INFINITY;
      for (int s = 0; s < rounds; s++) {
        bestResponse = Math.min(bestResponse, lagrangian(errors.get(s), gammas.get(s), lambdaHat, eps));
      }
      gap = Math.max(worstCase(qErr, qGamma, bound, eps) - lHat, lHat - bestResponse);
      if (gap <= config.nu()) {
        break;
      }
    }
    int bestRound = 0;
    double[] roundError = new double[hs.size()], roundDisparity = new double[hs.size()];
    for (int t = 0; t < hs.size(); t++) {
      roundError[t] = errors.get(t);
      roundDisparity[t] = Arrays.stream(gammas.get(t)).max().orElseThrow();
      if (worstCase(roundError[t], gammas.get(t), bound, eps) < worstCase(roundError[bestRound], gammas.get(bestRound), bound, eps)) {
        bestRound = t;
      }
    }
    return new ExponentiatedGradient(hs, roundError, roundDisparity, bestRound, gap);
  }

  /** λ = B · exp(θ) / (1 + Σ exp(θ)), computed with the largest exponent factored out. */
  static double[] multipliers(double[] theta, double bound) {
    double m = Math.max(0, Arrays.stream(theta).max().orElse(0));
    double denom = Math.exp(-m);
    double[] e = new double[theta.length];
    for (int j = 0; j < theta.length; j++) {
      e[j] = Math.exp(theta[j] - m);
      denom += e[j];
    }
    for (int j = 0; j < theta.length; j++) {
      e[j] = bound * e[j] / denom;
    }
    return e;
  }

  /** λ̃_a / p_a − Σ_b λ̃_b for the group a of an example (the constraint part of its cost). */
  private static double adjustment(double[] lambda, int a, double[] p) {
    double sum = 0;
    for (int b = 0; b < p.length; b++) {
      sum += lambda[2 * b] - lambda[2 * b + 1];
    }
    return (lambda[2 * a] - lambda[2 * a + 1]) / p[a] - sum;
  }

  /** γ_{a,±}(d) = ±(SR_a − SR) for each group a with examples, 0 for groups without. */
  static double[] disparities(double[] d, Groups groups, double[] p) {
    int k = p.length;
    double[] sr = new double[k];
    double all = 0;
    for (int i = 0; i < d.length; i++) {
      sr[groups.of(i)] += d[i];
      all += d[i];
    }
    all /= d.length;
    double[] gamma = new double[2 * k];
    for (int a = 0; a < k; a++) {
      if (p[a] > 0) {
        double diff = sr[a] / (p[a] * d.length) - all;
        gamma[2 * a] = diff;
        gamma[2 * a + 1] = -diff;
      }
    }
    return gamma;
  }

  private static double error(double[] d, int[] y) {
    double e = 0;
    for (int i = 0; i < d.length; i++) {
      e += y[i] == 1 ? 1 - d[i] : d[i];
    }
    return e / d.length;
  }

  private static double lagrangian(double err, double[] gamma, double[] lambda, double eps) {
    double l = err;
    for (int j = 0; j < gamma.length; j++) {
      l += lambda[j] * (gamma[j] - eps);
    }
    return l;
  }

  /** max over ‖λ‖₁ ≤ B of L(Q, λ) = err + B · max(0, max_j γ_j − ε). */
  private static double worstCase(double err, double[] gamma, double bound, double eps) {
    return err + bound * Math.max(0, Arrays.stream(gamma).max().orElse(0) - eps);
  }

  private static double[] scale(double[] v, double s) {
    double[] out = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = v[j] * s;
    }
    return out;
  }

  /** A classifier's deterministic decisions: 1 where P(favorable | x) ≥ 1/2. */
  private static double[] decisions(Predictor h, double[][] x) {
    double[][] prob = h.predict(x);
    double[] d = new double[x.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = prob[i][1] >= 0.5 ? 1 : 0;
    }
    return d;
  }

  /**
   * The mixture's probability of a favorable decision, (1/T) Σ_t h_t(x).
   *
   * @param x (N, d) features
   * @return (N) P(Ŷ=1 | x), for {@link GroupMetrics}
   */
  public double[] decide(double[][] x) {
    double[] out = new double[x.length];
    for (Predictor h : classifiers) {
      double[] d = decisions(h, x);
      for (int i = 0; i < out.length; i++) {
        out[i] += d[i];
      }
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= classifiers.size(); // a count over T: exactly 0 or 1 when every round agrees
    }
    return out;
  }

  /**
   * Draws deterministic decisions from the mixture: per example, a round picked at random decides.
   *
   * @param x (N, d) features
   * @param rng the draws
   * @return (N) decisions, 0 or 1
   */
  public int[] predict(double[][] x, Rng rng) {
    double[] p = decide(x);
    int[] out = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = rng.nextDouble() < p[i] ? 1 : 0;
    }
    return out;
  }

  /**
   * The decisions of the best single round (the deterministic classifier with the smallest
   * worst-case Lagrangian on the training data).
   *
   * @param x (N, d) features
   * @return (N) decisions, 0 or 1
   */
  public double[] decideBest(double[][] x) {
    return decisions(classifiers.get(best), x);
  }

  /**
   * The number of rounds T that ran.
   *
   * @return T
   */
  public int rounds() {
    return classifiers.size();
  }

  /**
   * The index of the best single round.
   *
   * @return in [0, T)
   */
  public int bestRound() {
    return best;
  }

  /**
   * Each round's training error err(h_t).
   *
   * @return (T) errors
   */
  public double[] roundErrors() {
    return roundError.clone();
  }

  /**
   * Each round's largest constraint value on the training data, max_a |SR_a − SR|.
   *
   * @return (T) disparities
   */
  public double[] roundDisparities() {
    return roundDisparity.clone();
  }

  /**
   * The duality gap ν of the last round (at most the config's ν if the loop stopped early).
   *
   * @return ν_T
   */
  public double dualityGap() {
    return gap;
  }
}
