// Sharpness of the same trained models at several relative radii (docs/insight/sensitivity.md).
// Run from the repository root after `./mvnw -B -ntp -o -q -pl insight -am compile`:
//   java --add-modules jdk.incubator.vector -cp core/target/classes:insight/target/classes \
//     bench/sensitivity_radii.java SEED TASK:N [TASK:N ...]
import dev.fathom.insight.sensitivity.BitTransformerConfig;
import dev.fathom.insight.sensitivity.BooleanTask;
import dev.fathom.insight.sensitivity.ProbeConfig;
import dev.fathom.insight.sensitivity.ProbeResult;
import dev.fathom.insight.sensitivity.SensitivityProbe;
import dev.fathom.insight.sensitivity.TrainedProbe;
import java.util.Locale;

public class SensitivityRadii {
  public static void main(String[] args) {
    long seed = Long.parseLong(args[0]);
    System.out.println("task,n,steps,accuracy,radius,sharpness");
    for (int i = 1; i < args.length; i++) {
      String[] p = args[i].split(":");
      TrainedProbe t = SensitivityProbe.train(BooleanTask.of(p[0], Integer.parseInt(p[1]), 2, seed), false,
          BitTransformerConfig.of(32, 2, 2, 2), ProbeConfig.of(6000, seed));
      for (double rho : new double[] {0.05, 0.1, 0.2, 0.4}) {
        ProbeConfig c = t.config();
        ProbeResult r = SensitivityProbe.measure(t.withConfig(new ProbeConfig(c.steps(), c.batchSize(), c.lr(), c.weightDecay(),
            c.warmupSteps(), c.maxGradNorm(), c.testSize(), rho, 16, c.stopLoss(), c.seed())));
        System.out.println(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.2f,%.4g", p[0], p[1], r.steps(), r.accuracy(), rho, r.sharpness()));
      }
    }
  }
}
