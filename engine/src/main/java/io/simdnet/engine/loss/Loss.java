package io.simdnet.engine.loss;

import io.simdnet.engine.tensor.Tensor;

/**
 * A training objective over a batch of model outputs (N, ...) and targets. Each loss averages over the batch,
 * as PyTorch's default {@code reduction="mean"} and Keras do, so the learning rate does not depend on the batch
 * size.
 */
public interface Loss {

    /**
     * The loss of this batch; when {@code gradient} is non-null (same shape as {@code output}) it receives
     * dLoss/dOutput.
     *
     * @throws IllegalArgumentException when the target does not fit the output (shape, label range)
     */
    double compute(Tensor output, Tensor target, Tensor gradient);

    /** The name printed in logs and histories. */
    String name();
}
