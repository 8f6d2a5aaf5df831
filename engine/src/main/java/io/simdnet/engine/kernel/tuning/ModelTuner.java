package io.simdnet.engine.model;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.TuningRecord;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.spec.KernelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tunes every kernel a model calls in training: one forward and backward pass on a random batch shows which
 * specs its layers ask for and at what batch (a dense layer's weight gradient at the batch as depth, its forward
 * at the batch as rows), then each is tuned unless this machine has a record for it. What {@code bin/simdnet tune}
 * and the tuned benchmarks run; the layers built after it are served the winners.
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
     * Tunes the kernels {@code model} calls with batches of {@code batch} samples ({@code force}: also those with a
     * record). The registry should not be tuning on its own meanwhile ({@code -Dsimdnet.tune=off}).
     */
    public static List<Result> tune(Model model, int batch, KernelRegistry registry, boolean force) {
        if (batch <= 0) {
            throw new IllegalArgumentException("tuning: batch = " + batch + ", expected > 0");
        }
        Tensor x = Tensor.zeros(model.dtype(), model.inputShape().withBatch(batch));
        Rng rng = new Rng(1);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, rng.gaussian());
        }
        Map<String, Integer> calls = registry.callsDuring(() -> {
            Tensor y = model.forward(x, true);
            model.backward(Tensor.zeros(model.dtype(), y.shape()));
        });
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, Integer> call : calls.entrySet()) {
            KernelSpec spec = KernelSpec.parse(call.getKey());
            TuningRecord known = force ? null : registry.record(spec);
            TuningRecord record = known != null ? registry.tuneUnlessRecorded(spec, call.getValue()) : registry.tune(spec, call.getValue());
            results.add(new Result(call.getKey(), call.getValue(), record, known != null));
        }
        return results;
    }
}
