package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VecExpTest {
  private static float vec(float x) {
    float[] a = new float[Kernels.F.length()];
    java.util.Arrays.fill(a, x);
    float[] o = new float[a.length];
    VecExp.exp(FloatVector.fromArray(Kernels.F, a, 0)).intoArray(o, 0);
    return o[0];
  }

  @Test
  void withinTwoUlpsOfMathExpAndEqualToItsScalarForm() {
    for (int i = 0; i <= 200_000; i++) {
      float x = -87.3f + i * (176f / 200_000);
      float want = (float) Math.exp(x);
      float got = vec(x);
      assertThat(Math.abs(got - want)).as("x=%s", x).isLessThanOrEqualTo(2 * Math.ulp(want));
      assertThat(got).as("x=%s", x).isEqualTo(VecExp.exp(x));
    }
  }

  @Test
  void specialValues() {
    assertThat(vec(0f)).isEqualTo(1f);
    assertThat(vec(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
    assertThat(vec(-100f)).isEqualTo(0f);
    assertThat(vec(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(vec(100f)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(vec(Float.NaN)).isNaN();
    assertThat(VecExp.exp(Float.NaN)).isNaN();
  }
}
