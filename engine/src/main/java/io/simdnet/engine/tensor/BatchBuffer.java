package io.simdnet.engine.tensor;

import io.simdnet.kernel.DType;

/**
 * A tensor of one sample shape reused across calls, seen with whatever batch size the call has. The two most
 * recent batch sizes keep their views, so training (full batches, a smaller last batch, a validation batch size)
 * allocates nothing once warm.
 */
public final class BatchBuffer {

    private final DType dtype;
    private final Shape sample;
    private Tensor storage;
    private Tensor recent;
    private Tensor older;

    public BatchBuffer(DType dtype, Shape sample) {
        this.dtype = dtype;
        this.sample = sample;
    }

    /** A tensor of shape (batch, sample...); its contents are whatever the last user left. */
    public Tensor get(int batch) {
        if (recent != null && recent.batch() == batch) {
            return recent;
        }
        if (older != null && older.batch() == batch) {
            Tensor hit = older;
            older = recent;
            recent = hit;
            return hit;
        }
        Shape shape = sample.withBatch(batch);
        if (storage == null || storage.size() < shape.size()) {
            storage = Tensor.zeros(dtype, shape);
            older = null;
            recent = storage;
            return storage;
        }
        older = recent;
        recent = storage.view(shape);
        return recent;
    }
}
