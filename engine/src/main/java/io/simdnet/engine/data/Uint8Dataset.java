package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/**
 * A dataset whose inputs stay the unsigned bytes they were read as (MNIST, CIFAR): one byte per value instead of
 * four. A byte has only 256 values, so whatever a dataset does to its values (scaling by 1/255, standardising with
 * per-channel statistics) is computed once per channel and value into a table of floats, each rounded to F32 after
 * every step exactly as the same steps on an F32 copy of the data round; gathering a batch is a table lookup per
 * value.
 */
final class Uint8Dataset extends Dataset {

    private static final int VALUES = 256;

    private final Uint8Images stored;
    /** lookup[c][v]: the float byte value v of channel c becomes. */
    private final float[][] lookup;
    private final int plane;

    private Uint8Dataset(Uint8Images stored, int[] rows, Tensor targets, float[][] lookup) {
        super(stored.shape(), rows, targets);
        this.stored = stored;
        this.lookup = lookup;
        this.plane = sampleShape().size() / lookup.length;
    }

    /** The bytes seen as their values 0..255. */
    static Uint8Dataset raw(Uint8Images images, Tensor targets) {
        int rank = images.shape().rank();
        int channels = rank == 2 ? 1 : images.shape().dim(1);
        float[][] lookup = new float[channels][VALUES];
        for (float[] table : lookup) {
            for (int v = 0; v < VALUES; v++) {
                table[v] = v;
            }
        }
        return new Uint8Dataset(images, null, targets, lookup);
    }

    @Override
    void gather(int[] indices, int from, int count, Tensor batch, int first) {
        int sample = sampleShape().size();
        byte[] pixels = stored.pixels();
        float[] floats = batch.floats();
        double[] doubles = batch.doubles();
        for (int b = 0; b < count; b++) {
            int source = storedRow(indices[from + b]) * sample;
            int target = first + b * sample;
            for (float[] table : lookup) {
                if (floats != null) {
                    for (int i = 0; i < plane; i++) {
                        floats[target + i] = table[pixels[source + i] & 0xFF];
                    }
                } else {
                    for (int i = 0; i < plane; i++) {
                        doubles[target + i] = table[pixels[source + i] & 0xFF];
                    }
                }
                source += plane;
                target += plane;
            }
        }
    }

    @Override
    public Dataset compacted() {
        int sample = sampleShape().size();
        byte[] own = new byte[Math.multiplyExact(size(), sample)];
        for (int i = 0; i < size(); i++) {
            System.arraycopy(stored.pixels(), storedRow(i) * sample, own, i * sample, sample);
        }
        return new Uint8Dataset(new Uint8Images(own, sampleShape().withBatch(size())), null, targets(), lookup);
    }

    @Override
    Dataset mapped(ValueMap map) {
        float[][] next = new float[lookup.length][VALUES];
        for (int c = 0; c < lookup.length; c++) {
            for (int v = 0; v < VALUES; v++) {
                next[c][v] = (float) map.apply(c, lookup[c][v]);
            }
        }
        return new Uint8Dataset(stored, rows(), targets(), next);
    }

    @Override
    Dataset withRows(int[] storedRows, Tensor rowTargets) {
        return new Uint8Dataset(stored, storedRows, rowTargets, lookup);
    }

    @Override
    DType valueType() {
        return DType.F32;
    }
}
