package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/**
 * Samples and their targets, both with the sample index as the first dimension: inputs (N, ...) and targets (N,) class
 * indices or (N, ...) target values. The inputs are stored as floats ({@link #of(Tensor, Tensor)}, F32 or F64) or as
 * unsigned bytes ({@link #of(Uint8Images, Tensor)}: MNIST and CIFAR as their files hold them, a quarter of the memory
 * of floats); either way they become the model's element type only when a batch is gathered
 * ({@link #gatherInputs}), straight into the batch tensor.
 *
 * <p>No dataset changes its stored samples, so datasets derived from one share its storage: a split
 * ({@link #select}, {@link DataSplits#split}) is a view of some of its samples, and scaling
 * ({@link Transforms#scaled}) or standardisation ({@link Standardizer#standardize}) give a dataset that does its
 * arithmetic while gathering. For bytes that arithmetic is done once, on the 256 possible values of each channel,
 * into a lookup table: the floats a batch receives are exactly those the same arithmetic gives on a float copy of
 * the data, at no cost per batch. Targets are small; a view copies its own.
 */
public abstract sealed class Dataset permits FloatDataset, Uint8Dataset {

    /** What scaling and standardisation do to each value; {@code channel} is as {@link Standardizer} counts them. */
    @FunctionalInterface
    interface ValueMap {
        double apply(int channel, double value);
    }

    private final Shape sampleShape;
    private final Tensor targets;
    /** The stored samples this dataset's are, in order; null for all of them in storage order. */
    private final int[] rows;
    private final int size;

    Dataset(Shape storedShape, int[] rows, Tensor targets) {
        if (storedShape.rank() < 2) {
            throw new IllegalArgumentException("Dataset: inputs must have shape (N, ...), got " + storedShape);
        }
        this.size = rows == null ? storedShape.dim(0) : rows.length;
        if (targets.shape().rank() < 1 || targets.batch() != size) {
            throw new IllegalArgumentException("Dataset: " + size + " inputs but targets of shape " + targets.shape() + "; expected " + size
                    + " targets");
        }
        this.sampleShape = storedShape.withoutBatch();
        this.rows = rows;
        this.targets = targets;
    }

    /** Float inputs (N, ...), F32 or F64, and their targets; nothing is copied. */
    public static Dataset of(Tensor inputs, Tensor targets) {
        return new FloatDataset(inputs, null, targets, null);
    }

    /** Byte inputs (N, ...), seen as their values 0..255 until scaled ({@link Transforms#scaled}); nothing is copied. */
    public static Dataset of(Uint8Images inputs, Tensor targets) {
        return Uint8Dataset.raw(inputs, targets);
    }

    public int size() {
        return size;
    }

    /** One input's shape, without the sample dimension. */
    public Shape sampleShape() {
        return sampleShape;
    }

    /** The targets (N, ...), this dataset's own: a view's are a copy of its rows. */
    public Tensor targets() {
        return targets;
    }

    /**
     * Writes the inputs of samples {@code indices[from]} .. {@code indices[from + count − 1]} of this dataset, scaled
     * and standardised as this dataset says, into {@code batch} (count, sample...) of either element type. Allocates
     * nothing: this is how training batches are made.
     */
    public final void gatherInputs(int[] indices, int from, int count, Tensor batch) {
        gatherInputs(indices, from, count, batch, 0);
    }

    /**
     * As {@link #gatherInputs(int[], int, int, Tensor)}, into samples {@code batchFirst} .. {@code batchFirst + count − 1}
     * of {@code batch}: a batch can be gathered in parts, side by side on several threads, with the same result.
     */
    public final void gatherInputs(int[] indices, int from, int count, Tensor batch, int batchFirst) {
        int sample = sampleShape.size();
        if (batchFirst < 0 || count < 0 || (long) (batchFirst + count) * sample > batch.size()) {
            throw new IllegalArgumentException("gatherInputs: samples " + batchFirst + " to " + (batchFirst + count - 1) + " of " + sampleShape
                    + " do not fit a batch of shape " + batch.shape());
        }
        if (from < 0 || from + count > indices.length) {
            throw new IllegalArgumentException("gatherInputs: indices " + from + " to " + (from + count - 1) + " of an index array of "
                    + indices.length);
        }
        gather(indices, from, count, batch, batchFirst * sample);
    }

    /** Writes samples {@code indices[from ..]} (count of them, already checked to fit) from element {@code target} of {@code batch} on. */
    abstract void gather(int[] indices, int from, int count, Tensor batch, int target);

    /**
     * All inputs as one tensor (N, ...) of the values a batch would get. Float data seen as stored (no view, no
     * scaling or standardisation) is returned as it is, without copying, so that changes to it are changes to the
     * data; anything else is gathered into a new tensor of N samples of floats: meant for small data, whole-batch
     * optimisers and tests. Training and evaluation gather batch by batch instead.
     */
    public Tensor inputs() {
        Tensor all = Tensor.zeros(valueType(), sampleShape.withBatch(size));
        int[] identity = new int[size];
        java.util.Arrays.setAll(identity, i -> i);
        gatherInputs(identity, 0, size, all);
        return all;
    }

    /**
     * A view of the samples at {@code indices}, in that order (repeats allowed): the inputs are this dataset's storage,
     * not a copy; the targets are copied.
     */
    public Dataset select(int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("select: no indices; a dataset needs at least one sample");
        }
        int[] stored = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= size) {
                throw new IllegalArgumentException("select: indices[" + i + "] = " + indices[i] + ", expected 0.." + (size - 1));
            }
            stored[i] = storedRow(indices[i]);
        }
        return withRows(stored, take(targets, indices));
    }

    /**
     * The same samples (and scaling) in storage of their own that holds nothing else: a view of a few samples otherwise
     * keeps all of the data it was cut from alive.
     */
    public abstract Dataset compacted();

    /** The same samples and targets with {@code map} applied to every input value after the maps before it. */
    abstract Dataset mapped(ValueMap map);

    /** The same storage and arithmetic with other rows (stored-sample indices) and their targets. */
    abstract Dataset withRows(int[] storedRows, Tensor rowTargets);

    /** The element type the values are computed in: the stored type for floats, F32 for bytes (as if converted on load). */
    abstract DType valueType();

    /** Which stored sample this dataset's sample {@code index} is. */
    final int storedRow(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Dataset: sample " + index + " of a dataset of " + size + " samples");
        }
        return rows == null ? index : rows[index];
    }

    /** Whether the samples are all the stored ones in storage order. */
    final boolean isWholeStorage() {
        return rows == null;
    }

    /** The stored-sample indices of this dataset's samples (shared, never changed), or null for all in storage order. */
    final int[] rows() {
        return rows;
    }

    /** Channels as {@link Standardizer} counts them: dimension 0 of a sample of rank 2 or more, else 1. */
    final int channels() {
        return sampleShape.rank() == 1 ? 1 : sampleShape.dim(0);
    }

    /** A copy of the rows of {@code source} at {@code indices}, in that order. */
    static Tensor take(Tensor source, int[] indices) {
        Shape sample = source.shape().withoutBatch();
        int length = sample.size();
        Tensor out = Tensor.zeros(source.dtype(), sample.withBatch(indices.length));
        for (int i = 0; i < indices.length; i++) {
            Tensor.copy(source, indices[i] * length, out, i * length, length);
        }
        return out;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + size + " samples of " + sampleShape + ", targets " + targets.shape().withoutBatch() + ")";
    }
}
