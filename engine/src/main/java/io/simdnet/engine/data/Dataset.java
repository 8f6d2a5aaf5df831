package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * Samples and their targets, both with the sample index as the first dimension: inputs (N, ...) and targets
 * (N,) class indices or (N, ...) target values. Nothing is copied.
 */
public record Dataset(Tensor inputs, Tensor targets) {

    public Dataset {
        if (inputs.shape().rank() < 2) {
            throw new IllegalArgumentException("Dataset: inputs must have shape (N, ...), got " + inputs.shape());
        }
        if (targets.shape().rank() < 1 || targets.batch() != inputs.batch()) {
            throw new IllegalArgumentException("Dataset: " + inputs.batch() + " inputs but targets of shape " + targets.shape()
                    + "; expected " + inputs.batch() + " targets");
        }
    }

    public int size() {
        return inputs.batch();
    }

    /** One input's shape, without the sample dimension. */
    public Shape sampleShape() {
        return inputs.shape().withoutBatch();
    }
}
