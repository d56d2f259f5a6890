package dev.fathom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  private static TensorDataset ramp(int n) {
    float[] x = new float[n * 2];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = -i;
      y[i] = i;
    }
    return new TensorDataset(x, new int[] {2}, y);
  }

  private static List<Long> targets(DataLoader loader) {
    List<Long> out = new ArrayList<>();
    for (Batch b : loader) for (long v : b.targets().longData()) out.add(v);
    return out;
  }

  @Test
  void sameSeedSameOrderAcrossLoadersAndPrefetch() {
    var a = new DataLoader(ramp(103), new DataLoaderConfig(10, true, false, 7, 0));
    var b = new DataLoader(ramp(103), new DataLoaderConfig(10, true, false, 7, 3));
    for (int epoch = 0; epoch < 3; epoch++) assertThat(targets(a)).isEqualTo(targets(b));
  }

  @Test
  void epochsDifferAndSetEpochReplays() {
    var a = new DataLoader(ramp(50), new DataLoaderConfig(8, true, false, 1, 2));
    List<Long> e0 = targets(a), e1 = targets(a);
    assertThat(e0).isNotEqualTo(e1);
    a.setEpoch(1);
    assertThat(targets(a)).isEqualTo(e1);
    assertThat(new HashSet<>(e0)).hasSize(50);
  }

  @Test
  void differentSeedsDifferentOrder() {
    var a = new DataLoader(ramp(50), new DataLoaderConfig(50, true, false, 1, 0));
    var b = new DataLoader(ramp(50), new DataLoaderConfig(50, true, false, 2, 0));
    assertThat(targets(a)).isNotEqualTo(targets(b));
  }

  @Test
  void batchingAndDropLast() {
    var keep = new DataLoader(ramp(23), new DataLoaderConfig(5, false, false, 0, 0));
    List<Integer> sizes = new ArrayList<>();
    for (Batch b : keep) sizes.add(b.size());
    assertThat(sizes).containsExactly(5, 5, 5, 5, 3);
    assertThat(keep.numBatches()).isEqualTo(5);
    var drop = new DataLoader(ramp(23), new DataLoaderConfig(5, false, true, 0, 1));
    sizes.clear();
    for (Batch b : drop) sizes.add(b.size());
    assertThat(sizes).containsExactly(5, 5, 5, 5);
  }

  @Test
  void featuresTravelWithTargets() {
    var loader = new DataLoader(ramp(40), new DataLoaderConfig(7, true, false, 3, 2));
    Set<Long> seen = new HashSet<>();
    for (Batch b : loader) {
      assertThat(b.inputs().shape()).containsExactly(b.size(), 2);
      for (int i = 0; i < b.size(); i++) {
        long t = b.targets().getLong(i);
        assertThat(b.inputs().get(i, 0)).isEqualTo((float) t);
        assertThat(b.inputs().get(i, 1)).isEqualTo((float) -t);
        seen.add(t);
      }
    }
    assertThat(seen).hasSize(40);
  }

  @Test
  void workerErrorsReachTheConsumer() {
    Dataset broken = new Dataset() {
      public int size() {
        return 10;
      }

      public Batch batch(int[] idx) {
        if (idx[0] >= 4) throw new IllegalStateException("bad example " + idx[0]);
        return ramp(10).batch(idx);
      }
    };
    var loader = new DataLoader(broken, new DataLoaderConfig(2, false, false, 0, 2));
    assertThatThrownBy(() -> targets(loader)).isInstanceOf(IllegalStateException.class).hasMessageContaining("bad example 4");
  }

  @Test
  void rejectsBadConfigAndMismatchedData() {
    assertThatThrownBy(() -> new DataLoaderConfig(0, true, false, 0, 0)).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> new TensorDataset(new float[10], new int[] {3}, new long[3]))
        .hasMessageContaining("10").hasMessageContaining("[3]");
    assertThat(Arrays.stream(new int[0]).count()).isZero();
  }

  @Test
  void abandonedIteratorsDoNotLeakThreads() throws Exception {
    var loader = new DataLoader(ramp(1000), new DataLoaderConfig(10, true, false, 1, 2, 3));
    for (int epoch = 0; epoch < 20; epoch++) {
      for (Batch b : loader) {
        assertThat(b.size()).isEqualTo(10);
        break;
      }
    }
    long alive = 0;
    for (int attempt = 0; attempt < 50; attempt++) {
      System.gc();
      Thread.sleep(20);
      alive = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("fathom-loader")).count();
      if (alive == 0) break;
    }
    assertThat(alive).isZero();
  }

  @Test
  void severalWorkersDeliverTheSameBatchesInOrder() {
    Dataset slow = new Dataset() {
      public int size() {
        return 97;
      }

      public Batch batch(int[] idx) {
        throw new AssertionError("the loader must call batch(indices, epoch)");
      }

      public Batch batch(int[] idx, int epoch) {
        if (idx[0] % 3 == 0) Thread.onSpinWait();
        Batch b = ramp(97).batch(idx);
        float[] x = b.inputs().data().clone();
        for (int i = 0; i < x.length; i++) x[i] += 1000 * epoch;
        return new Batch(dev.fathom.tensor.Tensor.of(x, b.inputs().shape()), b.targets());
      }
    };
    List<List<Float>> reference = new ArrayList<>();
    for (int workers : new int[] {0, 1, 2, 5}) {
      var cfg = new DataLoaderConfig(6, true, false, 9, workers == 0 ? 0 : 1, workers);
      var loader = new DataLoader(slow, cfg);
      List<Float> seen = new ArrayList<>();
      for (int epoch = 0; epoch < 2; epoch++) for (Batch b : loader) for (float v : b.inputs().data()) seen.add(v);
      if (reference.isEmpty()) reference.add(seen);
      assertThat(seen).as("%d workers", workers).isEqualTo(reference.get(0));
    }
    assertThat(reference.get(0)).contains(1000f + 5f);
  }

  @Test
  void workerErrorsArriveAtTheirBatchsPosition() {
    Dataset broken = new Dataset() {
      public int size() {
        return 20;
      }

      public Batch batch(int[] idx) {
        if (idx[0] == 12) throw new IllegalStateException("bad example " + idx[0]);
        return ramp(20).batch(idx);
      }
    };
    var loader = new DataLoader(broken, new DataLoaderConfig(2, false, false, 0, 2, 3));
    List<Long> got = new ArrayList<>();
    assertThatThrownBy(() -> {
      for (Batch b : loader) for (long v : b.targets().longData()) got.add(v);
    }).hasMessageContaining("bad example 12");
    assertThat(got).hasSize(12);
  }

  @Test
  void workerConfigIsValidated() {
    assertThatThrownBy(() -> new DataLoaderConfig(4, true, false, 0, 2, -1)).hasMessageContaining("numWorkers").hasMessageContaining("-1");
    assertThatThrownBy(() -> new DataLoaderConfig(4, true, false, 0, 0, 2)).hasMessageContaining("prefetch");
    assertThat(new DataLoaderConfig(4, true, false, 0, 3).numWorkers()).isEqualTo(1);
    assertThat(DataLoaderConfig.train(8, 1).withWorkers(4).numWorkers()).isEqualTo(4);
    assertThat(DataLoaderConfig.train(8, 1).withWorkers(0).prefetch()).isZero();
  }
}
