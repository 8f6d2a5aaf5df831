package io.simdnet.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.simdnet.engine.data.FuzzFiles;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Any bytes loaded as a checkpoint of a small model with Adam either load or fail with
 * {@link CorruptCheckpointException} and leave model and optimiser exactly as they were.
 */
public class CheckpointFuzzTest {

    /** The model the seeds were saved from: input (1, 2, 2), dense.weight (4, 3), dense.bias (3). */
    public static Model model() {
        return Sequential.input(1, 2, 2).add(new Flatten()).add(new Dense(3)).build(DType.F32, 1);
    }

    private static final Model MODEL = model();
    private static final Adam ADAM = new Adam(0.001);

    private static Map<String, double[]> snapshot() {
        Map<String, double[]> all = new LinkedHashMap<>();
        MODEL.namedParameters().forEach((name, p) -> all.put(name, p.value().toDoubleArray()));
        ADAM.state().forEach((name, t) -> all.put("optimizer." + name, t.toDoubleArray()));
        all.put("optimizer", new double[] {ADAM.steps(), ADAM.learningRate()});
        return all;
    }

    @FuzzTest(maxDuration = "60s")
    void load(byte[] input) throws IOException {
        Map<String, double[]> before = snapshot();
        try {
            Checkpoint.load(FuzzFiles.write("weights.safetensors", input), MODEL, ADAM);
        } catch (CorruptCheckpointException expected) {
            Map<String, double[]> after = snapshot();
            assertEquals(before.keySet(), after.keySet());
            before.forEach((name, values) -> assertArrayEquals(values, after.get(name), name + " changed by a load that failed"));
        }
    }
}
