package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A dataset whose inputs stay the unsigned bytes they were read as (MNIST, CIFAR): one byte per value instead of
 * four. A byte has only 256 values, so whatever a dataset does to its values (scaling by 1/255, standardising with
 * per-channel statistics) is computed once per channel and value into a table of floats, each rounded to F32 after
 * every step exactly as the same steps on an F32 copy of the data round; gathering a batch is a table lookup per
 * value, or, where a channel's table is the bytes divided by one float (MNIST's 1/255, or the raw bytes), that
 * division on vectors of bytes widened to floats: the same correctly rounded quotient, checked against every entry
 * of the table when the dataset is made.
 */
final class Uint8Dataset extends Dataset {

    private static final int VALUES = 256;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes for one float vector; vectors of 4 floats (128 bits) have no 32-bit byte shape and keep the lookup. */
    private static final boolean VECTOR_BYTES = F.length() >= 8;
    private static final VectorSpecies<Byte> B = VECTOR_BYTES ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * Byte.SIZE)) : null;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    private final Uint8Images stored;
    /** lookup[c][v]: the float byte value v of channel c becomes. */
    private final float[][] lookup;
    /** divisors[c]: lookup[c][v] is (float) v / divisors[c] for every v; null when a channel's table is not. */
    private final float[] divisors;
    private final int plane;

    private Uint8Dataset(Uint8Images stored, int[] rows, Tensor targets, float[][] lookup) {
        super(stored.shape(), rows, targets);
        this.stored = stored;
        this.lookup = lookup;
        this.divisors = VECTOR_BYTES ? divisors(lookup) : null;
        this.plane = sampleShape().size() / lookup.length;
    }

    /** Each table's divisor where every entry is the byte value divided by it in float, else null. */
    private static float[] divisors(float[][] lookup) {
        float[] divisors = new float[lookup.length];
        for (int c = 0; c < lookup.length; c++) {
            float[] table = lookup[c];
            float divisor = (VALUES - 1) / table[VALUES - 1];
            if (!(divisor > 0) || Float.isInfinite(divisor)) {
                return null;
            }
            for (int v = 0; v < VALUES; v++) {
                if (Float.floatToRawIntBits((float) v / divisor) != Float.floatToRawIntBits(table[v])) {
                    return null;
                }
            }
            divisors[c] = divisor;
        }
        return divisors;
    }

    /** Whether batches are gathered by dividing vectors of bytes (every channel's table a division), not by lookup. */
    boolean dividesOnVectors() {
        return divisors != null;
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
            for (int c = 0; c < lookup.length; c++) {
                float[] table = lookup[c];
                if (floats != null) {
                    int i = 0;
                    if (divisors != null) {
                        float divisor = divisors[c];
                        for (int bound = F.loopBound(plane); i < bound; i += F.length()) {
                            ByteVector bytes = ByteVector.fromArray(B, pixels, source + i);
                            FloatVector values = (FloatVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)
                                    .convert(VectorOperators.I2F, 0);
                            values.div(divisor).intoArray(floats, target + i);
                        }
                    }
                    for (; i < plane; i++) {
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
