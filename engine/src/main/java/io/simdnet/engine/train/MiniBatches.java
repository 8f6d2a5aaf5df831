package io.simdnet.engine.train;

import io.simdnet.engine.data.BatchTransform;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.ParallelRange;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;

/**
 * Mini-batches of a dataset in a seeded random order, reshuffled every epoch (Fisher–Yates over an index array),
 * gathered sample by sample into reused batch tensors of the model's element type ({@link Dataset#gatherInputs}:
 * bytes become floats there), the batch's samples dealt to the kernel pool in ranges: the dataset itself is never
 * copied or reordered. The last batch of an epoch may be smaller. An optional {@link BatchTransform} (augmentation)
 * changes each gathered input batch; it draws from its own random stream, split from the seed, so the shuffling order
 * is the same with and without it.
 */
public final class MiniBatches {

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final Rng rng;
    private final BatchTransform augmentation;
    private final Rng augmentationRng;
    private final int[] order;
    private final BatchBuffer inputs;
    private final BatchBuffer targets;
    private final Gather gather = new Gather();
    private int position;

    public MiniBatches(Dataset data, int batchSize, boolean shuffle, long seed, DType dtype) {
        this(data, batchSize, shuffle, seed, dtype, null);
    }

    /** Batches whose inputs {@code augmentation} changes after gathering; null for none. */
    public MiniBatches(Dataset data, int batchSize, boolean shuffle, long seed, DType dtype, BatchTransform augmentation) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Batch size = " + batchSize + ", expected > 0");
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.rng = new Rng(seed);
        this.augmentation = augmentation;
        // A split of a second generator from the same seed: the shuffling stream above stays exactly as without it.
        this.augmentationRng = augmentation == null ? null : new Rng(seed).split();
        this.order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        this.inputs = new BatchBuffer(dtype, data.sampleShape());
        this.targets = new BatchBuffer(data.targets().dtype(), data.targets().shape().withoutBatch());
        this.position = order.length;
    }

    /** Batches per epoch. */
    public int batchesPerEpoch() {
        return (order.length + batchSize - 1) / batchSize;
    }

    /** Starts an epoch: a new order when shuffling. */
    public void startEpoch() {
        if (shuffle) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        position = 0;
    }

    /**
     * Replays the shuffles of {@code epochs} epochs on fresh batches (a resumed run): each epoch's order is a
     * permutation of the previous one, so the order of epoch {@code e} needs every shuffle before it (microseconds per
     * thousand samples).
     */
    public void replayEpochs(int epochs) {
        for (int e = 0; e < epochs; e++) {
            startEpoch();
        }
        position = order.length;
    }

    /** The augmentation stream's current state, or null without augmentation. */
    public long[] augmentationState() {
        return augmentationRng == null ? null : augmentationRng.state();
    }

    public void restoreAugmentationState(long[] state) {
        if (augmentationRng == null) {
            throw new IllegalArgumentException("MiniBatches: no augmentation, so no augmentation state to restore");
        }
        augmentationRng.restore(state);
    }

    public boolean hasNext() {
        return position < order.length;
    }

    /** The next batch's size; call {@link #inputs} and {@link #targets} for its contents, then {@link #advance}. */
    public int nextSize() {
        return Math.min(batchSize, order.length - position);
    }

    /** Gathers the current batch's inputs and applies the augmentation, if any (afresh on every call). */
    public Tensor inputs() {
        int n = nextSize();
        Tensor batch = inputs.get(n);
        gather.run(batch, n);
        if (augmentation != null) {
            augmentation.apply(batch, augmentationRng);
        }
        return batch;
    }

    /** Whether the batches are augmented (changed as a whole after gathering). */
    public boolean augments() {
        return augmentation != null;
    }

    /** One input's shape, without the sample dimension. */
    public Shape sampleShape() {
        return data.sampleShape();
    }

    /**
     * Samples {@code first} .. {@code first + count − 1} of the current batch, not augmented, into samples 0 ..
     * {@code count − 1} of {@code into}, on the calling thread: a micro-batch's share, gathered where it is trained.
     */
    void gatherInputs(int first, int count, Tensor into) {
        if (first < 0 || first + count > nextSize()) {
            throw new IllegalArgumentException("MiniBatches: samples " + first + " to " + (first + count - 1) + " of a batch of " + nextSize());
        }
        data.gatherInputs(order, position + first, count, into, 0);
    }

    /** Gathers the current batch's targets. */
    public Tensor targets() {
        int n = nextSize();
        Tensor batch = targets.get(n);
        int sample = batch.size() / n;
        for (int b = 0; b < n; b++) {
            Tensor.copy(data.targets(), order[position + b] * sample, batch, b * sample, sample);
        }
        return batch;
    }

    public void advance() {
        position += nextSize();
    }

    /**
     * The current batch's samples in ranges side by side: each sample is written by one range, so the batch is the
     * same on any number of threads. On one thread gathering was a quarter of a two-thread MLP step (fashion-mlp,
     * batch 128: 96 µs of 367).
     */
    private final class Gather extends ParallelRange {
        /**
         * What gathering one value costs in {@link ParallelRange#ELEMENT_FLOPS}' units: a byte's table lookup took
         * ~0.6 ns (61 µs for 128 MNIST images from a 47 MB dataset, Zen 5), four times a streaming pass's element.
         */
        private static final long VALUE_FLOPS = 4 * ELEMENT_FLOPS;

        private Tensor batch;

        void run(Tensor into, int n) {
            batch = into;
            try {
                run(n, 1, VALUE_FLOPS * data.sampleShape().size());
            } finally {
                batch = null;
            }
        }

        @Override
        protected void range(int first, int end) {
            data.gatherInputs(order, position + first, end - first, batch, first);
        }
    }
}
