package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/** Copies of contiguous sample ranges (for a validation split). */
final class Slices {

    private Slices() {
    }

    static Dataset rows(Dataset data, int from, int to) {
        return new Dataset(rows(data.inputs(), from, to), rows(data.targets(), from, to));
    }

    static Tensor rows(Tensor t, int from, int to) {
        Shape sample = t.shape().withoutBatch();
        Tensor out = Tensor.zeros(t.dtype(), sample.withBatch(to - from));
        int size = sample.size();
        if (t.floats() != null) {
            System.arraycopy(t.floats(), from * size, out.floats(), 0, (to - from) * size);
        } else {
            System.arraycopy(t.doubles(), from * size, out.doubles(), 0, (to - from) * size);
        }
        return out;
    }
}
