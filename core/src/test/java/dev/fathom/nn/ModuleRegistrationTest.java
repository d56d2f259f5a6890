package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

/** Public {@link Module#registerModule} and {@link Module#removeModule}. */
class ModuleRegistrationTest {

  @Test
  void registeredModuleJoinsParametersStateDictAndModes() {
    Linear lin = new Linear(3, 2, new Rng(1));
    Linear extra = lin.registerModule("extra", new Linear(2, 4, false, new Rng(2)));
    assertThat(lin.namedChildren()).containsEntry("extra", extra);
    assertThat(lin.namedParameters()).containsOnlyKeys("weight", "bias", "extra.weight");
    assertThat(lin.stateDict()).containsKey("extra.weight");
    lin.eval();
    assertThat(extra.isTraining()).isFalse();
  }

  @Test
  void removeModuleDetachesTheChild() {
    Linear lin = new Linear(3, 2, new Rng(1));
    Linear extra = lin.registerModule("extra", new Linear(2, 4, false, new Rng(2)));
    assertThat(lin.removeModule("extra")).isSameAs(extra);
    assertThat(lin.namedParameters()).containsOnlyKeys("weight", "bias");
    assertThat(lin.namedChildren()).isEmpty();
    lin.registerModule("extra", extra);
    assertThat(lin.namedParameters()).containsKey("extra.weight");
  }

  @Test
  void badNamesAreRejected() {
    Linear lin = new Linear(3, 2, new Rng(1));
    assertThatThrownBy(() -> lin.registerModule("weight", new Linear(1, 1, new Rng(0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'weight' is already registered");
    assertThatThrownBy(() -> lin.registerModule("a.b", new Linear(1, 1, new Rng(0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a.b'");
    assertThatThrownBy(() -> lin.registerModule("x", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be null");
    assertThatThrownBy(() -> lin.removeModule("missing"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no child 'missing'");
  }
}
