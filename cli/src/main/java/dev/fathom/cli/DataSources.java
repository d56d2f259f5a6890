package dev.fathom.cli;

import dev.fathom.data.ArffReader;
import dev.fathom.data.CsvReader;
import dev.fathom.data.FashionMnist;
import dev.fathom.data.Split;
import dev.fathom.data.Standardizer;
import dev.fathom.data.Table;
import dev.fathom.data.TensorDataset;
import dev.fathom.io.FormatException;
import dev.fathom.models.ClassifierConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Turns a {@code --data} argument into datasets: "fashion-mnist", a CSV or an ARFF file. */
final class DataSources {
  static final String FASHION = "fashion-mnist";

  private DataSources() {}

  /** Loads training and test data; tabular files are split 80/20 (stratified, seeded) and standardized on the training rows. */
  static LoadedData load(String data, String target, long seed) throws IOException {
    return load(data, target, seed, null);
  }

  /** As {@link #load(String, String, long)}, with {@code fold} (when not null) holding out one cross-validation fold of a table. */
  static LoadedData load(String data, String target, long seed, Fold fold) throws IOException {
    if (FASHION.equalsIgnoreCase(data)) {
      FashionMnist.LabeledImages tr = FashionMnist.load(true), te = FashionMnist.load(false);
      return new LoadedData(FASHION, null, images(tr), images(te), new int[] {1, tr.height(), tr.width()}, FashionMnist.CLASS_NAMES, List.of(), null);
    }
    Table table = readTable(data, target);
    Split split = split(table, seed, fold);
    Table filled = table.imputed(split.train());
    Standardizer st = Standardizer.fit(filled, split.train());
    float[] x = filled.features().clone();
    st.transform(x);
    int f = filled.numFeatures();
    TensorDataset all = TensorDataset.of(x, new int[] {f}, filled.labels());
    return new LoadedData(Path.of(data).getFileName().toString(), filled.targetName(), all.subset(split.train()), all.subset(split.test()),
        new int[] {f}, filled.classNames(), filled.featureNames(), st);
  }

  /** The train/test split of a table: 80/20 or {@code fold} held out, stratified by class, seeded (so {@code fathom fairness --seed} finds the test rows of {@code fathom train --seed}). */
  static Split split(Table table, long seed, Fold fold) {
    return fold == null ? Split.stratified(table.labels(), 0.2, seed) : fold.split(table.labels(), seed);
  }

  /** Reads a CSV or ARFF table (by extension) for classification. */
  static Table readTable(String data, String target) throws IOException {
    Path p = Path.of(data);
    if (!Files.isRegularFile(p)) {
      throw new CliException("--data: '" + data + "' is neither 'fashion-mnist' nor an existing .csv/.arff file");
    }
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    Table t;
    if (name.endsWith(".csv")) t = CsvReader.read(p, target);
    else if (name.endsWith(".arff")) t = ArffReader.read(p, target);
    else throw new CliException("--data: '" + data + "' must end in .csv or .arff (or be 'fashion-mnist')");
    if (!t.isClassification()) {
      throw new CliException("--data: target column '" + t.targetName() + "' of " + data + " is numeric with many values; "
          + "only classification targets are supported (choose one with --target)");
    }
    return t;
  }

  /** Test examples for evaluating a checkpoint: its own test set, or every row of {@code data} prepared as the checkpoint says. */
  static TensorDataset evalData(ClassifierConfig c, String data) throws IOException {
    String source = data != null ? data : c.data();
    if (FASHION.equalsIgnoreCase(source)) return images(FashionMnist.load(false));
    if (data == null) {
      throw new CliException("--data is required: the model was trained on '" + c.data() + "', give the file to evaluate on");
    }
    Table t = readTable(data, c.target());
    return TensorDataset.of(tabularFeatures(c, t), c.inputShape(), classIndices(c, t, data));
  }

  /** The table's labels as indices into the checkpoint's class names. */
  static int[] classIndices(ClassifierConfig c, Table t, String data) throws FormatException {
    int[] labels = new int[t.rows()];
    for (int i = 0; i < labels.length; i++) {
      String name = t.classNames().get(t.labels()[i]);
      int k = c.classNames().indexOf(name);
      if (k < 0) throw new FormatException(data + ": row " + (i + 1) + " has class '" + name + "', the model knows " + c.classNames());
      labels[i] = k;
    }
    return labels;
  }

  /** Maps a table's features onto the checkpoint's feature columns by name, imputes, and standardizes. */
  static float[] tabularFeatures(ClassifierConfig c, Table t) throws FormatException {
    if (c.featureNames().isEmpty()) throw new CliException("this model was trained on images; give IDX or PNG input");
    Table filled = t.imputed();
    List<String> have = filled.featureNames();
    List<String> want = c.featureNames();
    int[] map = new int[want.size()];
    for (int j = 0; j < want.size(); j++) {
      map[j] = have.indexOf(want.get(j));
      if (map[j] < 0 && !want.get(j).contains("=")) {
        throw new FormatException("input lacks the numeric column '" + want.get(j) + "' the model was trained on; it has " + have);
      }
    }
    int w = want.size(), hw = have.size();
    float[] x = new float[filled.rows() * w];
    float[] src = filled.features();
    for (int r = 0; r < filled.rows(); r++) {
      for (int j = 0; j < w; j++) x[r * w + j] = map[j] < 0 ? 0f : src[r * hw + map[j]];
    }
    if (c.standardizer() != null) Standardizer.fromMap(c.standardizer()).transform(x);
    return x;
  }

  static TensorDataset images(FashionMnist.LabeledImages li) {
    return TensorDataset.of(li.images(), new int[] {1, li.height(), li.width()}, li.labels());
  }
}
