package dev.fathom.cli;
import dev.fathom.insight.*;
import dev.fathom.nn.*;
import dev.fathom.tensor.*;
import java.nio.file.*;
import java.util.*;
/**
 * How much can removing data raise held-out accuracy at all? Retrains the value command's MLP
 * (Fashion-MNIST, 5,000 examples, 10% flipped, seed S) without: nothing, exactly the flipped
 * labels (the oracle), the 250/500/1000 lowest-valued examples of a values.csv, and 500 random
 * ones; REPEATS retraining seeds each, accuracy on the 2,000 evaluation images.
 *
 * <pre>
 * ./mvnw -B -ntp -o -q -pl cli -am package -DskipTests
 * CP="cli/target/fathom-cli.jar:cli/target/lib/*"
 * javac --add-modules jdk.incubator.vector -cp "$CP" -d /tmp/oracle bench/insight/RemovalOracle.java
 * java --add-modules jdk.incubator.vector -cp "/tmp/oracle:$CP" dev.fathom.cli.RemovalOracle S values.csv EPOCHS cosine|constant [LR [REPEATS]]
 * </pre>
 * LR is the retraining's SGD step size (default 0.05), REPEATS its retrainings per set (default 3).
 */
public class RemovalOracle {
  static double lr = 0.05;
  static int repeats = 3;

  static double acc(Examples tr, Examples va, Examples ev, boolean[] drop, long seed, int epochs, boolean cosine) {
    Rng rng = new Rng(seed);
    Sequential m = new Sequential(new Linear(784,128,rng), Activation.relu(), new Linear(128,10,rng));
    InRunShapley.train(m, tr.without(drop), va, InRunConfig.of(epochs,256,lr,1,seed).withCosine(cosine));
    return InRunShapley.accuracy(m, ev);
  }
  public static void main(String[] a) throws Exception {
    long seed = Long.parseLong(a[0]); int epochs=Integer.parseInt(a[2]); boolean cos=!a[3].equals("constant");
    if (a.length > 4) lr = Double.parseDouble(a[4]);
    if (a.length > 5) repeats = Integer.parseInt(a[5]);
    ValueData d = ValueData.fashion(5000, 1000, 2000, 0.1, seed);
    Examples tr = ValueMethods.standardized(d.train()), va = ValueMethods.standardized(d.valid()), ev = ValueMethods.standardized(d.eval());
    List<String> lines = Files.readAllLines(Path.of(a[1]));
    double[] v = new double[5000];
    for (int i = 0; i < 5000; i++) v[i] = Double.parseDouble(lines.get(i + 1).split(",")[2]);
    Integer[] ord = new Integer[5000]; for (int i=0;i<5000;i++) ord[i]=i;
    Arrays.sort(ord, Comparator.comparingDouble(i -> v[i]));
    Map<String, boolean[]> sets = new LinkedHashMap<>();
    sets.put("none", new boolean[5000]);
    sets.put("flips(500)", d.flipped().clone());
    for (int m : new int[]{250, 500, 1000}) { boolean[] b = new boolean[5000]; int f=0; for (int k=0;k<m;k++){ b[ord[k]]=true; if(d.flipped()[ord[k]]) f++;} sets.put("low"+m+"(flips "+f+")", b); }
    int[] perm = new Rng(99).permutation(5000); boolean[] r = new boolean[5000]; for (int k=0;k<500;k++) r[perm[k]]=true; sets.put("random500", r);
    for (var e : sets.entrySet()) {
      double s=0, s2=0; int R=repeats; StringBuilder sb=new StringBuilder();
      for (int rep=0; rep<R; rep++){ double x=acc(tr,va,ev,e.getValue(),seed*100+rep,epochs,cos); s+=x; s2+=x*x; sb.append(String.format(" %.4f",x)); }
      System.out.printf("%-22s mean %.4f  [%s]%n", e.getKey(), s/R, sb);
    }
  }
}
