package io.simdnet.engine.kernel.tuning;

import io.simdnet.kernel.spec.KernelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tunes every kernel a model calls in training: one training step shows which specs its layers ask for and at
 * what batch (a dense layer's weight gradient at the batch as depth, its forward at the batch as rows), then each
 * is tuned unless this machine has a record for it. What {@code bin/simdnet tune} and the tuned benchmarks run;
 * the layers built after it are served the winners. The step comes from the model ({@code Model.passOnNoise}),
 * which tuning does not know.
 */
public final class ModelTuner {

    /**
     * One spec of the model and what became of it.
     *
     * @param record null for a spec with a single variant (pooling, float64)
     * @param recorded whether the record existed before (else it was measured now)
     */
    public record Result(String spec, int batch, TuningRecord record, boolean recorded) {
    }

    private ModelTuner() {
    }

    /**
     * Tunes the kernels that {@code trainingStep} calls ({@code force}: also those with a record). The registry
     * should not be tuning on its own meanwhile ({@code -Dsimdnet.tune=off}).
     */
    public static List<Result> tune(Runnable trainingStep, KernelTuning tuning, boolean force) {
        Map<String, Integer> calls = tuning.callsDuring(trainingStep);
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, Integer> call : calls.entrySet()) {
            KernelSpec spec = KernelSpec.parse(call.getKey());
            TuningRecord known = force ? null : tuning.record(spec);
            TuningRecord record = known != null ? tuning.tuneUnlessRecorded(spec, call.getValue()) : tuning.tune(spec, call.getValue());
            results.add(new Result(call.getKey(), call.getValue(), record, known != null));
        }
        return results;
    }
}
