package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.quant.QuantFormat;
import org.junit.jupiter.api.Test;

class EnumIdsTest {
  @Test
  void findsByIdIgnoringCaseAndListsTheIdsWhenUnknown() {
    assertThat(EnumIds.parse(QuantFormat.values(), QuantFormat::id, "Q4_0", "quantization format")).isEqualTo(QuantFormat.Q4_0);
    assertThat(EnumIds.find(QuantFormat.values(), QuantFormat::id, null)).isEmpty();
    assertThat(EnumIds.find(QuantFormat.values(), QuantFormat::id, "q5_k")).isEmpty();
    assertThatThrownBy(() -> QuantFormat.parse("q5_k")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown quantization format 'q5_k': expected one of " + EnumIds.names(QuantFormat.values(), QuantFormat::id));
    assertThat(EnumIds.names(QuantFormat.values(), QuantFormat::id)).startsWith("q8_0, q4_0");
  }
}
