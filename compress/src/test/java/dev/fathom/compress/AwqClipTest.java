package dev.fathom.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantFormat;
import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

class AwqClipTest {
  /** Gaussian weights with a heavy tail (one weight in 64 five times larger): wide groups that clipping tightens. */
  private static LayerData heavyTailed(long seed) {
    LayerData d = LayerData.random(32, 128, 300, true, seed);
    Rng rng = new Rng(seed + 1);
    for (int i = 0; i < d.w.length; i++) if (rng.nextInt(64) == 0) d.w[i] *= 5;
    return d;
  }

  @Test
  void clippingNeverLosesToRoundToNearestOnAnyGroupAndWinsOnTheLayer() {
    for (GroupGrid grid : new GroupGrid[] {GroupGrid.INT3_G32, GroupGrid.of(QuantFormat.Q4_0), GroupGrid.of(QuantFormat.INT4_G128)}) {
      LayerData d = heavyTailed(7);
      double[] h = d.stats().hessian();
      GridWeights clipped = AwqClip.round(grid, d.w, d.rows, d.cols, h);
      GridWeights rtn = GridWeights.roundToNearest(grid, d.w, d.rows, d.cols);
      int g = grid.groupSize(d.cols);
      double[] block = new double[g * g], dc = new double[g], dr = new double[g];
      for (int c0 = 0; c0 < d.cols; c0 += g) {
        for (int i = 0; i < g; i++) for (int j = 0; j < g; j++) block[i * g + j] = h[(c0 + i) * d.cols + c0 + j];
        for (int r = 0; r < d.rows; r++) {
          for (int i = 0; i < g; i++) {
            dc[i] = d.w[r * d.cols + c0 + i] - clipped.values()[r * d.cols + c0 + i];
            dr[i] = d.w[r * d.cols + c0 + i] - rtn.values()[r * d.cols + c0 + i];
          }
          assertThat(AwqClip.quadratic(block, dc, g)).as("%s row %d group at %d", grid, r, c0)
              .isLessThanOrEqualTo(AwqClip.quadratic(block, dr, g) * (1 + 1e-12));
        }
      }
      double eClip = d.error(clipped.values()), eRtn = d.error(rtn.values());
      assertThat(eClip).as("%s: clipped %s vs RTN %s", grid, eClip, eRtn).isLessThan(0.9 * eRtn);
    }
  }

  @Test
  void valuesLieOnTheirGroupsGridAndPack() {
    LayerData d = heavyTailed(3);
    GroupGrid grid = GroupGrid.of(QuantFormat.Q4_0);
    GridWeights gw = AwqClip.round(grid, d.w, d.rows, d.cols, d.stats().hessian());
    for (int r = 0; r < d.rows; r++) {
      for (int i = 0; i < d.cols; i++) {
        GroupGrid.Step st = gw.steps()[r * (d.cols / 32) + i / 32];
        float v = gw.values()[r * d.cols + i];
        assertThat(grid.round(v, st)).isEqualTo(v);
      }
    }
    assertThat(gw.toMatrix().dequantize()).containsExactly(gw.values());
    assertThat(gw.steps()).anySatisfy(st -> assertThat(st).isNotEqualTo(grid.fit(d.w, 0, 32)));
  }

  @Test
  void aPerRowGridWiderThanTheSearchIsRoundToNearest() {
    LayerData d = LayerData.random(8, 2 * AwqClip.MAX_GROUP, 40, true, 5);
    GroupGrid grid = GroupGrid.of(QuantFormat.INT8);
    assertThat(AwqClip.round(grid, d.w, d.rows, d.cols, d.stats().hessian()).values())
        .containsExactly(GridWeights.roundToNearest(grid, d.w, d.rows, d.cols).values());
  }

  @Test
  void badInputIsRefused() {
    LayerData d = heavyTailed(9);
    assertThatThrownBy(() -> AwqClip.round(GroupGrid.INT3_G32, d.w, d.rows, d.cols, new double[10]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(128, 128) Hessian").hasMessageContaining("10");
    assertThatThrownBy(() -> GroupGrid.INT3_G32.fit(d.w, 0, 32, 0f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(0, 1]").hasMessageContaining("0.0");
  }
}
