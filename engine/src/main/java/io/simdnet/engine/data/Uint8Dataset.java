package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A dataset whose inputs stay the unsigned bytes they were read as (MNIST, CIFAR): one byte per value instead of
 * four. A byte has only 256 values, so whatever a dataset does to its values (scaling by 1/255, standardising with
 * per-channel statistics) is computed once per channel and value into a table of floats, each rounded to F32 after
 * every step exactly as the same steps on an F32 copy of the data round; gathering a batch is a table lookup per
 * value. When the only map is one float operation ({@link FloatStep}: MNIST's division by 255), gathering F32 batches
 * converts a vector of bytes at a time instead, 2-2.5× faster than the lookups (Zen 5, at 512, 256 and 128 bits),
 * once that conversion has given every table entry bit for bit.
 */
final class Uint8Dataset extends Dataset {

    private static final int VALUES = 256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** A vector of bytes as wide as F: its bytes widen to {@link #PARTS} float vectors. */
    private static final VectorSpecies<Byte> BYTES = F.withLanes(byte.class);
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);
    private static final int PARTS = BYTES.length() / F.length();

    private final Uint8Images stored;
    /** lookup[c][v]: the float byte value v of channel c becomes. */
    private final float[][] lookup;
    private final int plane;
    /** The one map applied, when it is a {@link FloatStep} ({@link FloatStep#IDENTITY} for none); null otherwise. */
    private final FloatStep step;
    /** Whether F32 batches are converted with {@link #step} a vector at a time: it gave every table entry. */
    private final boolean vectorized;

    private Uint8Dataset(Uint8Images stored, int[] rows, Tensor targets, float[][] lookup, FloatStep step) {
        super(stored.shape(), rows, targets);
        this.stored = stored;
        this.lookup = lookup;
        this.plane = sampleShape().size() / lookup.length;
        this.step = step;
        this.vectorized = step != null && convertsToTables();
    }

    /** Whether {@link #convert} with {@link #step} gives, for every byte value, each channel's table entry. */
    private boolean convertsToTables() {
        // Enough bytes that every value goes through the vector loop, not the tail's lookups.
        int length = Math.max(VALUES, BYTES.length());
        byte[] values = new byte[length + BYTES.length()];
        for (int v = 0; v < length; v++) {
            values[v] = (byte) v;
        }
        float[] converted = new float[values.length];
        for (float[] table : lookup) {
            convert(values, 0, converted, 0, BYTES.loopBound(values.length), table);
            for (int v = 0; v < length; v++) {
                if (Float.floatToRawIntBits(converted[v]) != Float.floatToRawIntBits(table[v & 0xFF])) {
                    return false;
                }
            }
        }
        return true;
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
        return new Uint8Dataset(images, null, targets, lookup, FloatStep.IDENTITY);
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
                if (floats != null && vectorized) {
                    convert(pixels, source, floats, target, plane, table);
                } else if (floats != null) {
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

    /** Whether F32 batches are gathered a vector of bytes at a time (tests check which path a dataset takes). */
    boolean vectorizedGather() {
        return vectorized;
    }

    /** {@code count} bytes from {@code source} on as floats from {@code target} on: whole vectors through {@link #step}, the rest looked up. */
    private void convert(byte[] pixels, int source, float[] out, int target, int count, float[] table) {
        int i = 0;
        for (int bound = BYTES.loopBound(count); i < bound; i += BYTES.length()) {
            ByteVector bytes = ByteVector.fromArray(BYTES, pixels, source + i);
            for (int part = 0; part < PARTS; part++) {
                IntVector values = (IntVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, part);
                step.apply((FloatVector) values.convert(VectorOperators.I2F, 0)).intoArray(out, target + i + part * F.length());
            }
        }
        for (; i < count; i++) {
            out[target + i] = table[pixels[source + i] & 0xFF];
        }
    }

    @Override
    public Dataset compacted() {
        int sample = sampleShape().size();
        byte[] own = new byte[Math.multiplyExact(size(), sample)];
        for (int i = 0; i < size(); i++) {
            System.arraycopy(stored.pixels(), storedRow(i) * sample, own, i * sample, sample);
        }
        return new Uint8Dataset(new Uint8Images(own, sampleShape().withBatch(size())), null, targets(), lookup, step);
    }

    @Override
    Dataset mapped(ValueMap map) {
        float[][] next = new float[lookup.length][VALUES];
        for (int c = 0; c < lookup.length; c++) {
            for (int v = 0; v < VALUES; v++) {
                next[c][v] = (float) map.apply(c, lookup[c][v]);
            }
        }
        // Only a single float step is done on vectors: x·a·b is not x·(a·b), and a chain would cost a loop per vector.
        FloatStep only = step == FloatStep.IDENTITY && map instanceof FloatStep first ? first : null;
        return new Uint8Dataset(stored, rows(), targets(), next, only);
    }

    @Override
    Dataset withRows(int[] storedRows, Tensor rowTargets) {
        return new Uint8Dataset(stored, storedRows, rowTargets, lookup, step);
    }

    @Override
    DType valueType() {
        return DType.F32;
    }
}
