package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDictsTest {
  @Test
  void prefixedEntriesComeBackUnderTheirPrefixAlone() {
    Tensor a = Tensor.of(new float[] {1}, 1), b = Tensor.of(new float[] {2}, 1), c = Tensor.of(new float[] {3}, 1);
    Map<String, Tensor> all = new LinkedHashMap<>();
    StateDicts.putPrefixed(all, "model.", Map.of("w", a));
    StateDicts.putPrefixed(all, "model_ema.", Map.of("w", b));
    StateDicts.putPrefixed(all, "optimizer.", Map.of("state.0.step", c));
    assertThat(all).containsOnlyKeys("model.w", "model_ema.w", "optimizer.state.0.step");
    assertThat(StateDicts.under(all, "model.")).containsExactly(Map.entry("w", a));
    assertThat(StateDicts.under(all, "optimizer.")).containsExactly(Map.entry("state.0.step", c));
    assertThat(StateDicts.under(all, "extra.")).isEmpty();
  }
}
