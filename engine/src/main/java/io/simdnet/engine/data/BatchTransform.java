package io.simdnet.engine.data;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;

/**
 * A random change made to each training batch in place (data augmentation), after the batch is gathered and before
 * the model sees it. The trainer gives it its own random stream, so augmenting does not change the shuffling order,
 * and applies it to training batches only, never to validation or evaluation.
 */
@FunctionalInterface
public interface BatchTransform {

    /** Transforms {@code batch} (N, ...) in place, drawing all randomness from {@code rng}. */
    void apply(Tensor batch, Rng rng);
}
