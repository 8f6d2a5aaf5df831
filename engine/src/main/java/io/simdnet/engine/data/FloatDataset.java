package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/**
 * A dataset whose inputs are stored as floats (F32 or F64): data read as floats (.npy, HDF5, the faces) or made in
 * memory. Without a map a batch is a plain copy of the stored rows; with one (standardisation), each value goes
 * through it and is rounded to the stored type, as writing the result back into the data in place would have.
 */
final class FloatDataset extends Dataset {

    private final Tensor stored;
    /** Applied to every value when gathering; null for the values as stored. */
    private final ValueMap map;
    private final int channels;
    private final int plane;

    FloatDataset(Tensor stored, int[] rows, Tensor targets, ValueMap map) {
        super(stored.shape(), rows, targets);
        this.stored = stored;
        this.map = map;
        this.channels = channels();
        this.plane = sampleShape().size() / channels;
    }

    @Override
    void gather(int[] indices, int from, int count, Tensor batch, int first) {
        int sample = sampleShape().size();
        for (int b = 0; b < count; b++) {
            int source = storedRow(indices[from + b]) * sample;
            int target = first + b * sample;
            if (map == null) {
                Tensor.copy(stored, source, batch, target, sample);
                continue;
            }
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < plane; i++) {
                    int at = c * plane + i;
                    batch.set(target + at, rounded(map.apply(c, stored.get(source + at))));
                }
            }
        }
    }

    @Override
    public Tensor inputs() {
        return isWholeStorage() && map == null ? stored : super.inputs();
    }

    @Override
    public Dataset compacted() {
        int sample = sampleShape().size();
        Tensor own = Tensor.zeros(stored.dtype(), sampleShape().withBatch(size()));
        for (int i = 0; i < size(); i++) {
            Tensor.copy(stored, storedRow(i) * sample, own, i * sample, sample);
        }
        return new FloatDataset(own, null, targets(), map);
    }

    @Override
    Dataset mapped(ValueMap next) {
        ValueMap before = map;
        ValueMap composed = before == null ? next : (c, x) -> next.apply(c, rounded(before.apply(c, x)));
        return new FloatDataset(stored, rows(), targets(), composed);
    }

    @Override
    Dataset withRows(int[] storedRows, Tensor rowTargets) {
        return new FloatDataset(stored, storedRows, rowTargets, map);
    }

    @Override
    DType valueType() {
        return stored.dtype();
    }

    /** A value rounded to the stored element type, as storing it would. */
    private double rounded(double value) {
        return stored.floats() != null ? (float) value : value;
    }
}
