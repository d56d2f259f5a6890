// How unequal the input channels of each decoder projection are: per layer, the largest and the
// 99th-percentile mean |x_j| over the median, for the inputs of q/k/v, o, gate/up and down. AWQ's
// scaling protects the channels far above the median ("salient"); where the largest is 2–3× the
// median, as in the 25 M-parameter `base` models here, it has little to protect
// (docs/compress/gptq-pruning.md, "Why AWQ does not halve RTN's loss on these models").
// Calibration as `compress quantize --calib TEXT --calib-part train`: windows of 256 tokens from
// the first 90% of the text, run layer by layer on the float model.
//   CP="cli/target/fathom-cli.jar:$(ls cli/target/lib/*.jar | tr '\n' ':')"
//   java --add-modules jdk.incubator.vector -cp "$CP" bench/awq_activation_spread.java MODEL_DIR TEXT [WINDOWS]
import dev.fathom.compress.CalibrationSet;
import dev.fathom.compress.LayerwiseCalibration;
import dev.fathom.compress.LinearStats;
import dev.fathom.llm.HfCheckpoint;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public class AwqActivationSpread {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int windows = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    LlamaForCausalLM m = HfCheckpoint.load(dir);
    var tok = Tokenizers.load(dir.resolve("tokenizer.json"));
    byte[] text = Files.readAllBytes(Path.of(args[1]));
    int[] ids = tok.encodeBytes(Arrays.copyOf(text, (int) (text.length * 0.9)));
    CalibrationSet calib = CalibrationSet.sample(ids, 256, windows, 0);
    System.out.println("layer  input of     max/median  p99/median");
    LayerwiseCalibration.run(m, calib, 8, (i, layer, inputs) -> {
      Map<String, LinearStats> st = LayerwiseCalibration.collect(layer, inputs);
      for (String n : List.of("self_attn.q_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.down_proj")) {
        double[] a = st.get(n).meanAbs().clone();
        Arrays.sort(a);
        double med = a[a.length / 2];
        System.out.printf(Locale.ROOT, "%5d  %-10s %10.1f  %10.1f%n", i, n.substring(n.indexOf('.') + 1), a[a.length - 1] / med,
            a[(int) (a.length * 0.99)] / med);
      }
    });
  }
}
