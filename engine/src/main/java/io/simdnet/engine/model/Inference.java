package io.simdnet.engine.model;

import io.simdnet.engine.tensor.Tensor;

/**
 * Predictions for one thread ({@link Model#newInference}): a replica of a model with its own layers and buffers and
 * the model's parameter tensors. Threads each holding an inference predict at once without touching each other's
 * buffers; one inference used from two threads at once throws, as a model does.
 */
public final class Inference {

    private final Model replica;

    Inference(Model replica) {
        this.replica = replica;
    }

    /** Outputs for every sample of {@code x}, in evaluation mode, {@code batchSize} at a time; a new tensor. */
    public Tensor predict(Tensor x, int batchSize) {
        return replica.predict(x, batchSize);
    }

    /** The evaluation-mode output for one batch; the tensor belongs to this inference until its next call. */
    public Tensor forward(Tensor x) {
        boolean acquired = replica.acquire("forward");
        try {
            return replica.forward(x, false);
        } finally {
            replica.release(acquired);
        }
    }
}
